// The browser tests' world: the console built once per run (vite build into web/dist, as
// `npm run build:web` does), the real API and worker (test/support/harness.ts) listening on a port,
// and one Chromium (Debian's, /usr/bin/chromium) driven by playwright-core. Each role gets a browser
// context of its own (its own sessionStorage, so its own token), signed in through the console's
// development sign-in page.
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import type { Harness } from '../support/harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.HOMEWARD_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
/** Screenshots of each main page, written by every run (gitignored). */
export const SCREENSHOTS = path.join(ROOT, 'test/web/screenshots');

/**
 * `npm run build:web`, from inside the test runner: NODE_ENV=test would give React's development JSX
 * runtime. Into web/dist, or `outDir` (a file of tests running beside another needs its own: a build
 * empties its directory first).
 */
export async function buildConsole(outDir?: string) {
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(ROOT, 'web/vite.config.ts'), logLevel: 'warn', ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}) });
  } finally {
    process.env.NODE_ENV = before;
  }
}

export async function listen(h: Harness): Promise<{ server: Server; baseUrl: string }> {
  const server = h.app.listen(0, '127.0.0.1');
  await new Promise<void>((done) => server.once('listening', done));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface Who {
  role: 'caseworker' | 'agency_officer' | 'supervisor' | 'admin';
  sub: string;
  office?: string;
  agency?: string;
}

/** A context for one person, in a language and time zone, signed in through the sign-in page. */
export async function signedIn(browser: Browser, baseUrl: string, who: Who, opts: { locale?: string; timezoneId?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: opts.locale ?? 'en-GB', timezoneId: opts.timezoneId ?? 'Asia/Manila', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(m.text());
  });
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto('/sign-in');
  await page.getByLabel(/^(Role|角色)$/).selectOption(who.role);
  if (who.office) await page.getByLabel(/^(Office|办公室)$/).fill(who.office);
  if (who.agency) await page.getByLabel(/^(Agency|机构)$/).fill(who.agency);
  await page.getByLabel(/^(Your name|姓名)/).fill(who.sub);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  return { context, page };
}

/** Errors the page threw or logged (React errors, CSP refusals); 4xx answers the test provokes are not errors. */
export const pageProblems = (page: Page) => (page as Page & { problems?: string[] }).problems ?? [];

/** axe-core on the page as it is now: no serious or critical violation. */
export async function expectAccessible(page: Page, label: string) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${label}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`),
  ).toEqual([]);
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
