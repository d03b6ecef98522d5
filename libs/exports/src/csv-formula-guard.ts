import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const APOSTROPHE = Buffer.from("'");
/** `=`, `+`, `-`, `@`, tab, carriage return: what spreadsheets read as the start of a formula. */
const RISKY = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d]);
const HYPHEN = 0x2d;
const PLAIN_NUMBER = /^-\d+(\.\d+)?([eE][+-]?\d+)?$/;

type State = 'fieldStart' | 'unquoted' | 'maybeNumber' | 'quotedStart' | 'quoted' | 'quotedAfterQuote';

/**
 * Neutralises CSV formula injection (OWASP "CSV injection") in a PostgreSQL `COPY ... CSV` stream:
 * a cell whose text starts with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, so
 * a spreadsheet shows it as text instead of running it (a station or donor named
 * `=HYPERLINK(...)`). Plain negative numbers (longitudes such as `-73.1192`) stay numbers: `-`
 * followed only by digits is not a formula. Works byte by byte across chunk boundaries; the bytes
 * that matter are ASCII, so multi-byte UTF-8 text passes untouched.
 */
export class CsvFormulaGuard extends Transform {
  private state: State = 'fieldStart';
  /** Bytes of a cell starting with `-`, held back until it is known whether it is a number. */
  private pending: number[] = [];

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    // Copies runs of the chunk as they are; only inserts and held-back cells break a run.
    const out: Buffer[] = [];
    let runStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      switch (this.state) {
        case 'fieldStart':
          if (byte === QUOTE) this.state = 'quotedStart';
          else if (byte === COMMA || byte === LF) this.state = 'fieldStart';
          else if (byte === HYPHEN) {
            out.push(chunk.subarray(runStart, i));
            this.pending = [byte];
            runStart = i + 1;
            this.state = 'maybeNumber';
          } else {
            if (RISKY.has(byte)) {
              out.push(chunk.subarray(runStart, i), APOSTROPHE);
              runStart = i;
            }
            this.state = 'unquoted';
          }
          break;
        case 'unquoted':
          if (byte === COMMA || byte === LF) this.state = 'fieldStart';
          break;
        case 'maybeNumber':
          if (byte === COMMA || byte === LF) {
            out.push(this.releasePending());
            runStart = i;
            this.state = 'fieldStart';
          } else {
            this.pending.push(byte);
            runStart = i + 1;
          }
          break;
        case 'quotedStart':
          // PostgreSQL quotes a cell only when it holds a comma, quote or line break: never a number.
          if (byte === QUOTE) this.state = 'quotedAfterQuote';
          else {
            if (RISKY.has(byte)) {
              out.push(chunk.subarray(runStart, i), APOSTROPHE);
              runStart = i;
            }
            this.state = 'quoted';
          }
          break;
        case 'quoted':
          if (byte === QUOTE) this.state = 'quotedAfterQuote';
          break;
        case 'quotedAfterQuote':
          if (byte === QUOTE) this.state = 'quoted';
          else if (byte === COMMA || byte === LF) this.state = 'fieldStart';
          else this.state = 'unquoted';
          break;
      }
    }
    if (this.state !== 'maybeNumber') out.push(chunk.subarray(runStart));
    done(null, out.length === 1 ? out[0] : Buffer.concat(out));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.state === 'maybeNumber' ? this.releasePending() : undefined);
  }

  private releasePending(): Buffer {
    const cell = Buffer.from(this.pending);
    this.pending = [];
    return PLAIN_NUMBER.test(cell.toString('latin1')) ? cell : Buffer.concat([APOSTROPHE, cell]);
  }
}
