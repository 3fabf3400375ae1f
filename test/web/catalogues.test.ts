// The console's message catalogues (web/src/i18n/): every language has exactly the keys of English,
// no message is empty, and every key the console's source names (t('…')) is in the catalogues, as is
// a label for every field and action type of the API's action schemas.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../scripts/openapi-document.js';

const DIR = path.resolve('web/src/i18n');
const load = (file: string) => JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Record<string, string>;
const en = load('en.json');
const catalogues = readdirSync(DIR).filter((f) => f.endsWith('.json'));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [readFileSync(path.join(dir, e.name), 'utf8')] : [],
  );
}

describe('message catalogues', () => {
  it('when a language is added, then its catalogue has the same keys as English and no empty message', () => {
    expect(catalogues).toEqual(expect.arrayContaining(['en.json', 'zh-CN.json']));
    for (const file of catalogues) {
      const c = load(file);
      expect(Object.keys(c).sort(), file).toEqual(Object.keys(en).sort());
      expect(Object.entries(c).filter(([, v]) => !v.trim()), file).toEqual([]);
    }
  });

  it('when the console names a message, then the catalogues have it', () => {
    const code = sources(path.resolve('web/src')).join('\n');
    const named = new Set([...code.matchAll(/\bt\('([A-Za-z0-9_.]+)'/g), ...code.matchAll(/'(nav\.[A-Za-z]+)'\]/g)].map((m) => m[1]!));
    expect(named.size).toBeGreaterThan(100);
    expect([...named].filter((k) => !(k in en))).toEqual([]);
  });

  it('when the API has an action or a field in an action or task form, then the catalogues name it', () => {
    const doc = openApiDocument() as unknown as {
      paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: { oneOf: Array<{ properties: Record<string, unknown> & { type: { const: string } } }> } }> } } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const variants = doc.paths['/v1/cases/{id}/actions']!.post!.requestBody!.content['application/json']!.schema.oneOf;
    const missing = variants.flatMap((v) => [`action.${v.properties.type.const}`, ...Object.keys(v.properties).filter((p) => p !== 'type').map((p) => `field.${p}`)]);
    for (const [name, s] of Object.entries(doc.components.schemas)) if (name.endsWith('Result')) missing.push(...Object.keys(s.properties ?? {}).map((p) => `field.${p}`));
    expect([...new Set(missing)].filter((k) => !(k in en))).toEqual([]);
  });
});
