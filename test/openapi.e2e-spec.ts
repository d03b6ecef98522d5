import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { startApi, type ApiHarness } from './support/api-harness';

// OpenAPI drift check: the document the API serves at /api/docs-json must equal the committed
// snapshot docs/openapi.json. A change to a route, DTO or decorator then shows up in review as a
// diff of that file instead of slipping out unseen to the clients that generate code from it.
// `npm run openapi:update` (UPDATE_OPENAPI=1) rewrites the snapshot from the served document.

const SNAPSHOT = join(process.cwd(), 'docs', 'openapi.json');
const UPDATE = process.env.UPDATE_OPENAPI === '1';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Same value with object keys sorted at every level (arrays keep their order: it has meaning). */
function canonical(value: Json): Json {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical(value[k])]),
    );
  return value;
}

/** JSON pointers of the places where the two documents differ (first `limit`). */
function differences(a: Json, b: Json, at = '', out: string[] = [], limit = 25): string[] {
  if (out.length >= limit || isDeepStrictEqual(a, b)) return out;
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    out.push(`${at || '/'}: ${JSON.stringify(a)?.slice(0, 80)} → ${JSON.stringify(b)?.slice(0, 80)}`);
    return out;
  }
  const left = a as Record<string, Json>;
  const right = b as Record<string, Json>;
  for (const key of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
    const here = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!(key in right)) out.push(`${here}: removed`);
    else if (!(key in left)) out.push(`${here}: added`);
    else differences(left[key], right[key], here, out, limit);
    if (out.length >= limit) break;
  }
  return out;
}

describe('OpenAPI document (drift check against docs/openapi.json)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves the committed document', async () => {
    const res = await h.api.get('/api/docs-json');
    expect(res.status).toBe(200);
    const served = canonical(res.body as Json);
    const text = `${JSON.stringify(served, null, 2)}\n`;

    if (UPDATE) {
      writeFileSync(SNAPSHOT, text);
      return;
    }
    if (!existsSync(SNAPSHOT))
      throw new Error(`${SNAPSHOT} is missing: review the served OpenAPI document and run \`npm run openapi:update\``);
    const committed = canonical(JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Json);
    if (!isDeepStrictEqual(served, committed)) {
      const where = differences(committed, served)
        .map((d) => `  ${d}`)
        .join('\n');
      throw new Error(
        'the served OpenAPI document changed: review and run `npm run openapi:update` ' +
          `(committed docs/openapi.json → served):\n${where}`,
      );
    }
  });
});
