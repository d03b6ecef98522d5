import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// The import-rule check (`npm run check:cycles`) run with the project's own configuration against
// tiny planted trees: it must fail, naming the problem, on a cycle between libs, a file cycle and a
// deep import into another lib, and pass on the same libs without them. The trees are written to a
// temporary directory (not committed as files) so tsc, ESLint and the real check never see them.

// jest runs from the repository root (as the other suites assume); ESM has no __dirname.
const ROOT = resolve(process.cwd());
const SCRIPT = join(ROOT, 'scripts', 'check-cycles.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

type Tree = Record<string, string>;

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    module: 'commonjs',
    moduleResolution: 'node',
    ignoreDeprecations: '6.0',
    baseUrl: './',
    paths: {
      '@metrobici/alpha': ['libs/alpha/src'],
      '@metrobici/beta': ['libs/beta/src'],
      '@metrobici/common': ['libs/common/src'],
    },
  },
});

/** alpha uses beta and common; beta uses common. No cycle. */
const CLEAN: Tree = {
  'libs/common/src/index.ts': 'export const clamp = (n: number) => Math.max(0, n);\n',
  'libs/beta/src/index.ts': "export * from './beta';\n",
  'libs/beta/src/beta.ts': "import { clamp } from '@metrobici/common';\nexport const beta = () => clamp(1);\n",
  'libs/alpha/src/index.ts': "export * from './alpha';\n",
  'libs/alpha/src/alpha.ts': "import { beta } from '@metrobici/beta';\nexport const alpha = () => beta() + 1;\n",
};

async function check(tree: Tree): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'metrobici-cycle-check-'));
  try {
    writeFileSync(join(dir, 'tsconfig.json'), TSCONFIG);
    for (const [path, text] of Object.entries(tree)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return await new Promise((done) => {
      execFile(process.execPath, [SCRIPT, '--config', CONFIG, 'libs'], { cwd: dir }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
        done({ code, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('import-rule check (dependency-cruiser + lib-level cycles)', () => {
  it('passes on libs without a cycle', async () => {
    const { code, output } = await check(CLEAN);
    expect(output).toContain('no import cycle between libs');
    expect(output).not.toContain('error');
    expect(code).toBe(0);
  });

  it('fails on a cycle between two libs even when no file imports itself back', async () => {
    // beta's tooling file (not exported by beta's index) imports alpha: alpha → beta → alpha as
    // libs, yet no file cycle — the shape stats ↔ database had before issue 8.
    const { code, output } = await check({
      ...CLEAN,
      'libs/beta/src/tool.ts': "import { alpha } from '@metrobici/alpha';\nexport const run = () => alpha();\n",
    });
    expect(output).toContain('error no-lib-cycle: libs/alpha → libs/beta → libs/alpha');
    expect(output).toContain('libs/beta → libs/alpha: libs/beta/src/tool.ts → @metrobici/alpha');
    expect(output).not.toContain('no-circular');
    expect(code).toBe(1);
  });

  it('fails on a file cycle, inside a lib or across two', async () => {
    const { code, output } = await check({
      ...CLEAN,
      'libs/beta/src/index.ts': "export * from './beta';\nexport * from './uses-alpha';\n",
      'libs/beta/src/uses-alpha.ts':
        "import { alpha } from '@metrobici/alpha';\nexport const twice = () => 2 * alpha();\n",
      'libs/common/src/x.ts': "import { y } from './y';\nexport const x = () => y;\n",
      'libs/common/src/y.ts': "import { x } from './x';\nexport const y = () => x;\n",
    });
    expect(output).toMatch(/error no-circular: libs\/common\/src\/(x|y)\.ts → /);
    expect(output).toMatch(/error no-circular: libs\/(alpha|beta)\/src\//);
    expect(output).toContain('error no-lib-cycle: libs/alpha → libs/beta → libs/alpha');
    expect(code).toBe(1);
  });

  it('fails on a deep import into another lib and on a common that imports a lib', async () => {
    const { code, output } = await check({
      ...CLEAN,
      'libs/alpha/src/alpha.ts':
        "import { beta } from '../../beta/src/beta';\nexport const alpha = () => beta() + 1;\n",
      'libs/common/src/index.ts':
        "import type { beta } from '@metrobici/beta';\nexport type B = typeof beta;\nexport const clamp = (n: number) => Math.max(0, n);\n",
    });
    expect(output).toContain('error lib-only-through-its-index: libs/alpha/src/alpha.ts → libs/beta/src/beta.ts');
    expect(output).toContain('error common-imports-no-lib: libs/common/src/index.ts → libs/beta/src/index.ts');
    expect(code).toBe(1);
  });
});
