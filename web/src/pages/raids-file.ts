// Reading a raid's list of persons from a file: JSON (an array of `{ person, riskFlags?, location? }`
// or of persons) or CSV with a header row. CSV columns: fullName, nationality, dateOfBirth, sex,
// documentType, documentNumber, documentCountry, riskFlags (separated by ";"), phone.
export interface RaidPerson {
  person: Record<string, unknown>;
  riskFlags?: string[];
}

/** One CSV line's fields: commas separate, double quotes quote, "" is a quote. */
function csvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

export function parsePersons(name: string, text: string): RaidPerson[] {
  if (name.toLowerCase().endsWith('.json') || text.trimStart().startsWith('[')) {
    const data = JSON.parse(text) as unknown[];
    if (!Array.isArray(data)) throw new Error('expected a JSON array');
    return data.map((x) => (x && typeof x === 'object' && 'person' in x ? (x as RaidPerson) : { person: x as Record<string, unknown> }));
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim());
  const header = csvLine(lines[0] ?? '');
  return lines.slice(1).map((line) => {
    const cells = csvLine(line);
    const col = (n: string) => {
      const v = cells[header.indexOf(n)];
      return v === undefined || v === '' ? undefined : v;
    };
    const person: Record<string, unknown> = { fullName: col('fullName'), nationality: col('nationality') };
    for (const k of ['dateOfBirth', 'sex', 'phone']) if (col(k)) person[k] = col(k);
    if (col('documentNumber')) person.documents = [{ type: col('documentType') ?? 'passport', number: col('documentNumber'), issuingCountry: col('documentCountry') ?? col('nationality') }];
    const flags = col('riskFlags')?.split(';').map((f) => f.trim()).filter(Boolean);
    return { person, ...(flags?.length ? { riskFlags: flags } : {}) };
  });
}
