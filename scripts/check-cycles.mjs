// `npm run check:cycles`: the import rules of .dependency-cruiser.cjs (file cycles, libs never
// importing apps, libs only through @metrobici/<lib>, common and database at the bottom) plus a
// lib-level cycle check: the file graph folded into one node per lib, where any cycle is an error.
// dependency-cruiser's `circular` sees file cycles only, and stats → database → stats is usually
// not one (rebuild.ts imports database's index, while database's seed imports stats' index).
//
// usage: node scripts/check-cycles.mjs [--config <file>] [<dir> …]   (default: libs apps)
// Paths are relative to the working directory, which also holds tsconfig.json.
// Exit code 0 when clean, 1 on any violation, 2 when it could not run.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const LIB = /^libs\/([^/]+)\//;

function parseArgs(argv) {
  let config = '.dependency-cruiser.cjs';
  const dirs = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config') config = argv[++i];
    else dirs.push(argv[i]);
  }
  return { config: resolve(config), dirs: dirs.length ? dirs : ['libs', 'apps'] };
}

/** lib → lib edges, each with one file-level import as the example to show. */
function libGraph(modules) {
  const edges = new Map();
  for (const m of modules) {
    const from = LIB.exec(m.source)?.[1];
    if (!from) continue;
    for (const d of m.dependencies) {
      const to = LIB.exec(d.resolved)?.[1];
      if (!to || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      const out = edges.get(from);
      if (!out.has(to)) out.set(to, `${m.source} → ${d.module}`);
    }
  }
  return edges;
}

/** Strongly connected components with more than one lib (Tarjan), each as a sorted list. */
function cycles(edges) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return found;
}

/** The shortest cycle through `start` inside one component (breadth-first), e.g. [a, b, a]. */
function shortestCycle(edges, start, members) {
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let x = v; x !== start; x = prev.get(x)) path.splice(1, 0, x);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

async function main() {
  const { config, dirs } = parseArgs(process.argv.slice(2));
  if (!existsSync(config)) throw new Error(`no dependency-cruiser configuration at ${config}`);
  const options = await extractDepcruiseOptions(config);
  // extractDepcruiseOptions lifts the config's `options` to the top level.
  const tsConfigFile = options.tsConfig?.fileName;
  const tsConfig = tsConfigFile ? extractTSConfig(resolve(tsConfigFile)) : {};

  const { output: result } = await cruise(dirs, { ...options, outputType: 'json' }, {}, { tsConfig });
  const cruised = typeof result === 'string' ? JSON.parse(result) : result;
  const fileReport = await format(cruised, { outputType: 'err' });
  let failed = fileReport.exitCode !== 0;
  process.stdout.write(fileReport.output);

  const edges = libGraph(cruised.modules);
  const libCycles = cycles(edges);
  for (const scc of libCycles) {
    const members = new Set(scc);
    const path = shortestCycle(edges, scc[0], members);
    console.log(`\n  error no-lib-cycle: ${path.map((l) => `libs/${l}`).join(' → ')}`);
    if (scc.length > path.length - 1) console.log(`    one tangle of ${scc.length} libs: ${scc.join(', ')}`);
    // Every import between two libs of the tangle (one example file each): the edges to cut.
    for (const from of scc)
      for (const [to, example] of edges.get(from) ?? [])
        if (members.has(to)) console.log(`    libs/${from} → libs/${to}: ${example}`);
  }
  if (libCycles.length) {
    failed = true;
    console.log(
      `\nx ${libCycles.length} import cycle(s) between libs. A lib imports another only if the other ` +
        'never needs it back: move the shared part down (or the tooling up, into apps/).\n',
    );
  } else {
    const libs = new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]);
    console.log(`✔ no import cycle between libs (${libs.size} libs with cross-lib imports checked).`);
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(`check-cycles could not run: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
});
