/**
 * A small RFC 4180 reader: fields separated by a delimiter, records by CRLF (LF or a lone CR are
 * accepted too, as spreadsheets and editors write them), fields optionally in double quotes with
 * `""` for a quote inside, delimiters and line breaks allowed inside quotes. A leading UTF-8 BOM
 * (Excel's "CSV UTF-8") is dropped. Blank lines are skipped. Values are returned as written: the
 * caller trims and converts.
 */

export interface CsvRecord {
  /** Line of the file (1-based) where the record starts; a quoted field may span several lines. */
  line: number;
  fields: string[];
}

export interface CsvOptions {
  /** `,` by default; Excel set to Spanish (Colombia) writes `;`. */
  delimiter?: string;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = '"';

export function parseCsv(text: string, options: CsvOptions = {}): CsvRecord[] {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === QUOTE || delimiter === '\r' || delimiter === '\n') {
    throw new Error(`invalid CSV delimiter ${JSON.stringify(delimiter)}`);
  }
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  // A line with nothing on it (no character, no quote, no delimiter) is blank, not a record.
  let blank = true;
  // The current field was quoted: only a delimiter or a line break may follow its closing quote.
  let closed = false;
  let i = 0;

  const endField = () => {
    fields.push(field);
    field = '';
    closed = false;
  };
  const endRecord = () => {
    endField();
    if (!blank) records.push({ line: recordLine, fields });
    fields = [];
    blank = true;
  };

  while (i < input.length) {
    const c = input[i];
    if (c === delimiter) {
      endField();
      blank = false;
      i++;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && input[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else if (closed) {
      throw new CsvSyntaxError(
        line,
        `unexpected text after a closing quote (expected "${delimiter}" or the end of the line)`,
      );
    } else if (c === QUOTE) {
      if (field !== '') {
        throw new CsvSyntaxError(
          line,
          'a double quote inside an unquoted field: quote the whole field and write the quote as ""',
        );
      }
      blank = false;
      const openedAt = line;
      i++;
      for (;;) {
        if (i >= input.length) throw new CsvSyntaxError(openedAt, 'a quoted field is not closed (missing ")');
        const q = input[i];
        if (q === QUOTE && input[i + 1] === QUOTE) {
          field += QUOTE;
          i += 2;
        } else if (q === QUOTE) {
          i++;
          break;
        } else {
          // Line breaks inside quotes are data, kept as written; they still advance the line count.
          if (q === '\n' || (q === '\r' && input[i + 1] !== '\n')) line++;
          field += q;
          i++;
        }
      }
      closed = true;
    } else {
      field += c;
      blank = false;
      i++;
    }
  }
  // The last record may end without a line break.
  if (!blank) endRecord();
  return records;
}

/**
 * `;` when the header line has semicolons and no commas (Excel in a Spanish locale), else `,`.
 * Looks only at the first line, outside quotes.
 */
export function detectDelimiter(text: string): ',' | ';' {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let commas = 0;
  let semicolons = 0;
  let inQuotes = false;
  for (const c of input) {
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (!inQuotes && (c === '\n' || c === '\r')) break;
    else if (!inQuotes && c === ',') commas++;
    else if (!inQuotes && c === ';') semicolons++;
  }
  return semicolons > 0 && commas === 0 ? ';' : ',';
}
