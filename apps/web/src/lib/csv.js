/**
 * A small RFC 4180 reader (quotes, doubled quotes, commas and newlines inside quotes, CRLF, BOM)
 * for the admin's CSV import. Returns the header (lower-cased, trimmed) and each non-empty record
 * with the file line it started on.
 */
export function parseCsv(text) {
  const records = [];
  let field = '';
  let record = [];
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  const src = text.replace(/^\uFEFF/, '');
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (record.some((v) => v.trim() !== '')) records.push({ line: recordLine, values: record });
    record = [];
    recordLine = line;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      line++;
      endRecord();
    } else field += c;
  }
  if (field !== '' || record.length) endRecord();
  const [head, ...rest] = records;
  const header = (head?.values ?? []).map((h) => h.trim().toLowerCase());
  const rows = rest.map(({ line: l, values }) => ({
    line: l,
    record: Object.fromEntries(header.map((name, i) => [name, values[i] ?? ''])),
  }));
  return { header, rows };
}
