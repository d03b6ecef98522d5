// Runs a TypeScript entry point without a build step: ts-node (transpile only) plus the
// tsconfig path aliases. Used by the db:* and bench scripts.
process.env.TS_NODE_TRANSPILE_ONLY = 'true';
process.env.TS_NODE_PROJECT = require('node:path').join(__dirname, '..', 'tsconfig.json');
require('ts-node/register');
require('tsconfig-paths/register');
const [, , entry, ...rest] = process.argv;
if (!entry) {
  console.error('usage: node scripts/run-ts.js <file.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], entry, ...rest];
require(require('node:path').resolve(entry));
