// One jest run for all tiers: *.spec.ts beside the code (pure), test/**/*.e2e-spec.ts against real
// PostgreSQL and Redis (each suite creates and drops its own database and uses its own Redis db).
// NestJS 12 ships ESM only, so jest runs in its native ESM mode (node --experimental-vm-modules)
// and ts-jest emits ESM; production builds stay CommonJS (Node 20 loads ESM with require()).
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  extensionsToTreatAsEsm: ['.ts'],
  testRegex: ['(apps|libs)/.*\\.spec\\.ts$', 'test/.*\\.e2e-spec\\.ts$'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', useESM: true, diagnostics: false }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  testTimeout: 60000,
  slowTestThreshold: 20,
};
