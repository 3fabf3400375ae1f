// /docs: the API reference page (Swagger UI from the swagger-ui-dist package) answers with its own
// assets only, under the app's Content-Security-Policy, and renders the operations of /openapi.json
// in a real Chromium that cannot reach anything but the app.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

let h: Harness;
beforeAll(async () => {
  // The page needs no worker: it reads the document only.
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  await h?.stop();
});

/** The URLs a page loads: every script src and link href. */
function referenced(html: string): string[] {
  return [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
}

describe('the API reference page', () => {
  it('when /docs is fetched, then it is HTML under the CSP whose every script, style and icon answers 200 from the app with its content type', async () => {
    const page = await h.http.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // The app's own policy, not a looser one for this page.
    const scriptSrc = String(page.headers['content-security-policy']).split(';').find((d) => d.trim().startsWith('script-src'));
    expect(scriptSrc?.trim()).toBe("script-src 'self'");
    // No inline script: every <script> loads a file, or the CSP would block it.
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/docs\//);
      expect(body!.trim()).toBe('');
    }

    const urls = referenced(page.text);
    expect(urls).toEqual(expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/swagger-initializer.js']));
    const expected: Array<[RegExp, RegExp]> = [
      [/\.css$/, /^text\/css/],
      [/\.js$/, /^(text|application)\/javascript/],
      [/\.png$/, /^image\/png/],
    ];
    for (const url of urls) {
      // Nothing from elsewhere: no CDN, no absolute URL.
      expect(url).toMatch(/^\/docs\//);
      const res = await h.http.get(url);
      expect(res.status, url).toBe(200);
      const type = expected.find(([ext]) => ext.test(url));
      expect(type, url).toBeDefined();
      expect(res.headers['content-type'], url).toMatch(type![1]);
    }

    const init = await h.http.get('/docs/swagger-initializer.js');
    expect(init.text).toContain("url: '/openapi.json'");
    expect(init.text).toContain('validatorUrl: null');
  });

  it("when a file of the package that the page does not use is asked for, then it is not served (the package's Petstore initializer among them)", async () => {
    for (const path of ['/docs/index.html', '/docs/swagger-ui-bundle.js.map', '/docs/package.json', '/docs/../package.json']) {
      const res = await h.http.get(path);
      expect(res.status, path).toBe(404);
    }
  });
});

describe('the API reference page in a browser', () => {
  let server: Server;
  let base: string;
  let profile: string;
  beforeAll(async () => {
    server = h.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'homeward-docs-chromium-'));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  // .ci/run installs Chromium (apt-get install -y chromium); a machine without it skips only this test.
  it.skipIf(!CHROMIUM)(
    'when Chromium renders /docs with every other host unreachable, then Swagger UI shows the operations of /openapi.json',
    async () => {
      const dom = await new Promise<string>((resolve, reject) => {
        execFile(
          CHROMIUM!,
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            `--user-data-dir=${profile}`,
            // Offline but for the app: any other host fails to resolve, so a CDN could not help.
            '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
            '--virtual-time-budget=5000',
            '--dump-dom',
            `${base}/docs`,
          ],
          { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        );
      });
      // Swagger UI's markup for an operation: an opblock per method, its path in data-path.
      const rendered = [...dom.matchAll(/<div class="opblock opblock-(get|post|put|patch|delete)[^"]*"[\s\S]*?class="opblock-summary-path" data-path="([^"]+)"/g)].map(
        (m) => `${m[1]} ${m[2]}`,
      );
      const doc = (await h.http.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
      expect(rendered).toContain('get /v1/cases');
      expect(rendered).toContain('post /v1/cases/{id}/actions');
      expect([...rendered].sort()).toEqual([...documented].sort());
      expect(dom).toContain('Homeward API');
    },
    90_000,
  );
});
