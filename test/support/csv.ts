// A strict RFC 4180 reader for the tests of the CSV exports: quoted cells with doubled quotes and
// line breaks inside, CRLF records. Strict on purpose: a stray quote fails the test that reads it.
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r') throw new Error(`a character after a closing quote at ${i}`);
      } else {
        cell += c;
        i += 1;
      }
    } else if (c === '"') {
      if (cell !== '') throw new Error(`a quote inside an unquoted cell at ${i}`);
      quoted = true;
      i += 1;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 2;
    } else {
      if (c === '\n' || c === '\r') throw new Error(`a bare line break at ${i}`);
      cell += c;
      i += 1;
    }
  }
  if (quoted) throw new Error('an unterminated quoted cell');
  if (cell !== '' || row.length > 0) throw new Error('the last record has no CRLF');
  return rows;
}

/** The records of a CSV with a header line, as objects keyed by the header. */
export function csvRecords(text: string): { header: string[]; records: Array<Record<string, string>> } {
  if (!text.startsWith('\uFEFF')) throw new Error('no byte order mark');
  const [header, ...rest] = parseCsv(text.slice(1));
  if (!header) throw new Error('no header');
  for (const r of rest) if (r.length !== header.length) throw new Error(`a record of ${r.length} cells under a header of ${header.length}`);
  return { header, records: rest.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!]))) };
}
