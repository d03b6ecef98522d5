import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** The official schemas vendored in the repository (see standards/README.md). */
// jest runs from the repository root (ESM has no __dirname).
export const STANDARDS_DIR = path.resolve(process.cwd(), 'standards');

/** Reads a vendored standards file; a missing file is a failure, never a reason to skip. */
export function readStandardsFile(relative: string): string {
  const file = path.join(STANDARDS_DIR, relative);
  if (!existsSync(file)) throw new Error(`vendored standards file missing: ${file} (see standards/README.md)`);
  return readFileSync(file, 'utf8');
}

export type GbfsSchemaVersion = '3.0' | '2.3';

/** Validators for the official GBFS JSON schemas of one version, compiled once per file. */
export class GbfsSchemas {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly version: GbfsSchemaVersion) {
    this.ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
  }

  validator(name: string): ValidateFunction {
    let validate = this.compiled.get(name);
    if (!validate) {
      const schema = JSON.parse(readStandardsFile(`gbfs-json-schema/v${this.version}/${name}.json`)) as object;
      validate = this.ajv.compile(schema);
      this.compiled.set(name, validate);
    }
    return validate;
  }

  /** Problems of a file against its schema; an empty list means valid. */
  problems(name: string, file: unknown): unknown[] {
    const validate = this.validator(name);
    return validate(file) ? [] : (validate.errors ?? []);
  }
}
