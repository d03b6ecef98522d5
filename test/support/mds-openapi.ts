import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { readStandardsFile } from './standards';

/**
 * Validators for the MDS 2.0 Provider API's response schemas, read from the vendored OpenAPI
 * (standards/mds-openapi/reference/provider.yaml) with every `$ref` inlined from its YAML file.
 *
 * Two repairs, made here and not in the vendored files (see standards/README.md):
 * - a `oneOf` over the four modes keeps only `micromobility`, the provider's declared mode: the
 *   mode schemas are not mutually exclusive (a bicycle matches several), so the `oneOf` as
 *   published refuses every vehicle and most events;
 * - `contains: [a, b]` (an array where JSON Schema wants a schema, in the micromobility event's
 *   trip rule) is read as `contains: { enum: [a, b] }`.
 */
const ROOT = 'mds-openapi';
const MODE = 'micromobility';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class MdsOpenApi {
  private readonly files = new Map<string, Json>();
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly provider: { paths: Record<string, { get: { responses: Record<string, any> } }> };

  constructor() {
    this.ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(this.ajv);
    this.provider = this.load('reference/provider.yaml') as never;
  }

  /** The response schema of `GET path` for a status, fully inlined. */
  responseSchema(apiPath: string, status = '200'): Json {
    const op = this.provider.paths[apiPath]?.get;
    if (!op) throw new Error(`provider.yaml has no GET ${apiPath}`);
    const response = op.responses[status];
    if (!response) throw new Error(`provider.yaml: GET ${apiPath} has no ${status} response`);
    const content = response.content?.['application/json'] ?? response.content?.['text/csv'];
    if (!content) throw new Error(`provider.yaml: GET ${apiPath} ${status} has no schema`);
    return this.inline(content.schema as Json, 'reference/provider.yaml');
  }

  /** The schema of a model file, e.g. `models/response/error.yaml`. */
  modelSchema(file: string): Json {
    return this.inline(this.load(file), file);
  }

  validator(apiPath: string, status = '200'): ValidateFunction {
    const key = `${apiPath} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(this.responseSchema(apiPath, status) as object);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /** Problems of a response body against the spec; empty when valid. */
  problems(apiPath: string, body: unknown, status = '200'): unknown[] {
    const validate = this.validator(apiPath, status);
    return validate(body) ? [] : (validate.errors ?? []);
  }

  /** Problems of a value against a model file (errors, the report CSV); empty when valid. */
  modelProblems(model: string, body: unknown): unknown[] {
    const key = `model ${model}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(this.modelSchema(model) as object);
      this.compiled.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []);
  }

  private load(file: string): Json {
    const normal = path.posix.normalize(file);
    let doc = this.files.get(normal);
    if (doc === undefined) {
      doc = parse(readStandardsFile(`${ROOT}/${normal}`)) as Json;
      this.files.set(normal, doc);
    }
    return doc;
  }

  private inline(node: Json, file: string, depth = 0): Json {
    if (depth > 60) throw new Error(`$ref nesting too deep at ${file}`);
    if (Array.isArray(node)) return node.map((n) => this.inline(n, file, depth + 1));
    if (node === null || typeof node !== 'object') return node;
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-') || key === '$ref') continue;
      if (key === 'contains' && Array.isArray(value)) {
        out.contains = { enum: value };
        continue;
      }
      if (key === 'oneOf' && Array.isArray(value) && isModeChoice(value)) {
        const mode = value.find((v) => refOf(v)?.includes(`/modes/${MODE}/`))!;
        out.allOf = [...((out.allOf as Json[] | undefined) ?? []), this.inline(mode, file, depth + 1)];
        continue;
      }
      out[key] = this.inline(value, file, depth + 1);
    }
    const ref = refOf(node);
    if (ref === undefined) return out;
    if (ref.startsWith('#')) throw new Error(`local $ref not supported: ${ref} in ${file}`);
    const target = path.posix.join(path.posix.dirname(file), ref);
    const resolved = this.inline(this.load(target), target, depth + 1);
    // Siblings of $ref (descriptions, minItems, maximum...) still apply beside the target.
    const constraints = Object.keys(out).filter((k) => !['description', 'title', 'examples'].includes(k));
    return constraints.length === 0 ? resolved : { ...out, allOf: [...((out.allOf as Json[]) ?? []), resolved] };
  }
}

function refOf(node: Json): string | undefined {
  return node !== null && typeof node === 'object' && !Array.isArray(node) && typeof node.$ref === 'string'
    ? node.$ref
    : undefined;
}

function isModeChoice(options: Json[]): boolean {
  return options.length > 1 && options.every((o) => /\/modes\/[a-z-]+\//.test(refOf(o) ?? ''));
}
