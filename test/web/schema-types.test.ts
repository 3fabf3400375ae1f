// The console's typed client (web/src/api/schema.d.ts) is generated from the API's OpenAPI document.
// If the API changes and nobody regenerates it, the console compiles against an API that no longer
// exists: this test generates the types again, in a temporary directory, and compares.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateWebApiTypes } from '../../scripts/gen-web-api.js';

const dir = mkdtempSync(path.join(tmpdir(), 'homeward-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the console's typed client", () => {
  it('when the API document is generated afresh, then web/src/api/schema.d.ts is exactly what `npm run gen:web-api` writes from it', async () => {
    const out = path.join(dir, 'schema.d.ts');
    await generateWebApiTypes(out);
    const fresh = readFileSync(out, 'utf8');
    expect(fresh).toContain('"/v1/cases/{id}/actions"');
    const committed = readFileSync(path.resolve('web/src/api/schema.d.ts'), 'utf8');
    // On a difference: run `npm run gen:web-api` and commit web/src/api/schema.d.ts.
    expect(committed === fresh, 'web/src/api/schema.d.ts is out of date: run `npm run gen:web-api`').toBe(true);
  });
});
