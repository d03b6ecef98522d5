// Boots the API exactly as apps/api/src/main.ts does (same createApiApp, same configuration from
// the environment) but listens on 127.0.0.1 only, so a bench never exposes a port.
// Plain JavaScript because in `dist` mode it runs on the compiled build without ts-node:
//   node bench/support/api-server.js dist                   (after `npm run build`)
//   node scripts/run-ts.js bench/support/api-server.js src  (TypeScript sources, no build)
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const mode = process.argv[2] === 'src' ? 'src' : 'dist';
const base = mode === 'dist' ? path.join(root, 'dist') : root;
const { loadConfigOrExit } = require(path.join(base, 'libs', 'config', 'src'));
const { createApiApp } = require(path.join(base, 'apps', 'api', 'src', 'app.factory'));
// The same processes as main.ts: API_PROCESSES (one per CPU with NODE_ENV=production) behind one port.
const { runApiProcesses } = require(path.join(base, 'apps', 'api', 'src', 'api-processes'));

const config = loadConfigOrExit();
runApiProcesses(
  config.http.processes,
  async () => {
    const app = await createApiApp(config);
    await app.listen(config.http.port, '127.0.0.1');
  },
  { log: () => undefined, error: (message) => console.error(message) },
);
