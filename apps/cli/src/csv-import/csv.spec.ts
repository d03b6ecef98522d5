import { CsvSyntaxError, detectDelimiter, parseCsv } from './csv';

const fieldsOf = (text: string, delimiter?: string) => parseCsv(text, { delimiter }).map((r) => r.fields);

describe('parseCsv', () => {
  it('splits plain records and fields, with or without a final line break', () => {
    expect(fieldsOf('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(fieldsOf('a,b,c\n1,2,3')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('keeps empty fields, including trailing ones', () => {
    expect(fieldsOf('a,,c,\n,,,\n')).toEqual([
      ['a', '', 'c', ''],
      ['', '', '', ''],
    ]);
  });

  it('reads quoted fields with commas, escaped quotes and line breaks', () => {
    const text =
      'code,name\r\nSANPIO,"Parque San Pío, Cabecera"\r\nX,"El ""Parque"" de los Niños"\r\nY,"línea 1\r\nlínea 2"\r\nZ,""\r\n';
    expect(fieldsOf(text)).toEqual([
      ['code', 'name'],
      ['SANPIO', 'Parque San Pío, Cabecera'],
      ['X', 'El "Parque" de los Niños'],
      ['Y', 'línea 1\r\nlínea 2'],
      ['Z', ''],
    ]);
  });

  it('accepts CRLF, LF and lone CR record separators', () => {
    expect(fieldsOf('a,b\r\n1,2\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fieldsOf('a,b\n1,2\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fieldsOf('a,b\r1,2\r')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('drops a UTF-8 byte-order mark so the first header is clean', () => {
    const records = parseCsv('\uFEFFcode,name\r\nUIS,Universidad\r\n');
    expect(records[0].fields).toEqual(['code', 'name']);
    expect(records[0].fields[0]).toHaveLength(4);
  });

  it('numbers records by the line they start on, counting breaks inside quotes and skipping blank lines', () => {
    const records = parseCsv('h1,h2\r\n\r\na,"x\r\ny"\r\nb,z\n\nc,w');
    expect(records.map((r) => [r.line, r.fields[0]])).toEqual([
      [1, 'h1'],
      [3, 'a'],
      [5, 'b'],
      [7, 'c'],
    ]);
  });

  it('keeps spaces as written (trimming is the caller’s choice)', () => {
    expect(fieldsOf(' a , b ')).toEqual([[' a ', ' b ']]);
  });

  it('reads semicolon-separated files when asked', () => {
    expect(fieldsOf('code;lat\nUIS;"7,139"\n', ';')).toEqual([
      ['code', 'lat'],
      ['UIS', '7,139'],
    ]);
  });

  it('reports an unclosed quote at the line where it opened', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(CsvSyntaxError);
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(
      expect.objectContaining({ line: 2, message: expect.stringContaining('not closed') }),
    );
  });

  it('rejects text after a closing quote and a bare quote inside an unquoted field, with the line', () => {
    expect(() => parseCsv('a,b\n"x"y,1\n')).toThrow(expect.objectContaining({ line: 2 }));
    expect(() => parseCsv('a,b\nc,d\nab"c,1\n')).toThrow(expect.objectContaining({ line: 3 }));
  });

  it('returns nothing for an empty file or only blank lines', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\uFEFF')).toEqual([]);
    expect(parseCsv('\r\n\r\n')).toEqual([]);
  });
});

describe('detectDelimiter', () => {
  it('picks ; only when the header has semicolons and no commas', () => {
    expect(detectDelimiter('code,name\n')).toBe(',');
    expect(detectDelimiter('\uFEFFcode;name;lat\nA;b;7,1\n')).toBe(';');
    expect(detectDelimiter('code,"name;x"\n')).toBe(',');
    expect(detectDelimiter('code\n')).toBe(',');
  });
});
