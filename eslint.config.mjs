// ESLint (flat config), run by `npm run lint` and by `npm test` with --max-warnings 0.
// TypeScript: type-aware (typescript-eslint with the project service, i.e. tsconfig.json), so the
// promise rules see which calls return promises. apps/web: plain browser ES modules, no types.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TS = ['apps/**/*.ts', 'libs/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'];
const WEB = ['apps/web/**/*.js'];
// Plain Node scripts (CommonJS): jest.config.js, scripts/*.js, bench/support/api-server.js …
const NODE_JS = ['*.js', '*.cjs', 'scripts/**/*.js', 'bench/**/*.js'];

export default [
  // Build output, dependencies, local data and vendored specifications.
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', 'coverage/**', 'standards/**'] },

  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: TS })),
  {
    files: TS,
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The three the house style names (STYLE.md, Tooling), as errors.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // `any` is deliberate at a few edges (response bodies in the test client, raw SQL rows):
      // flagging every use of it would mean hundreds of rewrites for no caught bug.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // `_name` marks an intentionally unused binding (an omitted property, a required parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  {
    files: WEB,
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: { ...globals.browser } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      ...js.configs.recommended.rules,
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Pages are built from panels: no hand-written function of 200 lines or more (issue 8).
      'max-lines-per-function': ['error', { max: 199 }],
    },
  },

  {
    files: NODE_JS,
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 'latest', sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { ...js.configs.recommended.rules },
  },
  {
    files: ['*.mjs', 'scripts/**/*.mjs'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: { ...globals.node } },
    rules: { ...js.configs.recommended.rules },
  },
];
