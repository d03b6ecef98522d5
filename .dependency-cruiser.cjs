// dependency-cruiser: the import rules between the libs (see README, Architecture, and STYLE.md).
// Run by `npm run check:cycles` (scripts/check-cycles.mjs, which also folds the file graph into
// one node per lib to find lib-level cycles — a cycle between two libs that goes through different
// files on each side is not a file cycle, so dependency-cruiser's own `circular` misses it).
// Type-only imports count: they still tie the libs together for the reader and for `tsc`.

/** A path inside some lib other than the one matched as $1 by `from`. */
const OTHER_LIB = '^libs/(?!$1/)[^/]+/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle between files (inside a lib or across libs). Break it: move the shared part down.',
      from: { path: '^(libs|apps)/' },
      to: { circular: true },
    },
    {
      name: 'libs-not-to-apps',
      severity: 'error',
      comment: 'Libs never import apps: apps are the top floor (HTTP, worker, CLI, web).',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'lib-only-through-its-index',
      severity: 'error',
      comment:
        'Import another lib only as @metrobici/<lib> (its src/index.ts), never a deep path into it, ' +
        'and never by a relative path.',
      from: { path: '^libs/([^/]+)/' },
      to: { path: OTHER_LIB, pathNot: '^libs/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'lib-index-only-by-alias',
      severity: 'error',
      comment: 'Another lib is imported as @metrobici/<lib> (the tsconfig path), not by a relative path.',
      from: { path: '^libs/([^/]+)/' },
      to: { path: OTHER_LIB, dependencyTypesNot: ['aliased-tsconfig-paths', 'aliased-tsconfig', 'aliased'] },
    },
    {
      name: 'common-imports-no-lib',
      severity: 'error',
      comment: 'libs/common is the ground floor: it imports no other lib.',
      from: { path: '^libs/common/' },
      to: { path: '^libs/', pathNot: '^libs/common/' },
    },
    {
      name: 'database-imports-no-domain-lib',
      severity: 'error',
      comment:
        'libs/database (DataSource factory, migrations) imports only common and config; ' +
        'seed, import and other tooling that needs the domain libs belongs in apps/cli.',
      from: { path: '^libs/database/' },
      to: { path: '^libs/', pathNot: '^libs/(database|common|config)/' },
    },
    {
      name: 'no-unresolvable-lib-import',
      severity: 'error',
      comment: 'An import that resolves to nothing (a mistyped @metrobici/<lib> or relative path).',
      // TypeScript only (apps/web imports URLs the API serves, e.g. /vendor/socket.io/…); packages
      // from node_modules are tsc's business.
      from: { path: '^(libs|apps)/.+\\.ts$' },
      to: { couldNotResolve: true, path: '^(\\.|@metrobici/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.data|coverage)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
