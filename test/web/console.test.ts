// The web console in a real browser (Debian's Chromium via playwright-core) against the real stack:
// the API and a worker on the real Temporal server and PostgreSQL. One person's whole case, worked
// by the three roles in the console only: a caseworker opens it (a duplicate is refused with a link
// to the case) and records location and extraction, the consulate completes its tasks from its inbox,
// the case returns, immigration decides from its inbox, employment assistance, and a supervisor
// approves the closure. Along the way: field errors at the field, a 412 explained, the case page in
// Chinese, a raid uploaded with its progress, keyboard-only sign-in, axe-core on every page, and a
// screenshot of each main page (test/web/screenshots/).
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { bearer, uniqueDocNumber } from '../api/support.js';
import { buildConsole, expectAccessible, haveChromium, launch, listen, pageProblems, screenshot, signedIn } from './support.js';

const skipReason = haveChromium ? '' : ' (skipped: /usr/bin/chromium is missing; `.ci/run` installs it with apt-get)';

let h: Harness;
let server: Server;
let baseUrl: string;
let browser: Browser;
let consulateId: string;

beforeAll(async () => {
  if (!haveChromium) return;
  await buildConsole();
  h = await startHarness();
  consulateId = await createConsulate(h);
  ({ server, baseUrl } = await listen(h));
  browser = await launch();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  await h?.stop();
});

const stageBadge = (page: Page) => page.getByTestId('case-stage');

/** Reloads the case page until its stage reads `stage` (agencies and the worker move it, not the page). */
async function untilStage(page: Page, stage: string) {
  for (let i = 0; i < 40; i++) {
    if ((await stageBadge(page).textContent())?.trim() === stage) return;
    await page.waitForTimeout(250);
    await page.reload();
    await stageBadge(page).waitFor();
  }
  throw new Error(`the case never reached ${stage}; it is ${await stageBadge(page).textContent()}`);
}

async function act(page: Page, action: string, fill: (form: ReturnType<Page['getByRole']>) => Promise<void>, expectStage?: string) {
  await page.getByRole('button', { name: action, exact: true }).click();
  const form = page.getByRole('form', { name: action });
  await fill(form);
  await form.getByRole('button', { name: 'Record' }).click();
  await form.waitFor({ state: 'detached' });
  if (expectStage) await untilStage(page, expectStage);
}

async function completeTask(page: Page, reference: string, taskName: string, fill: (form: ReturnType<Page['getByRole']>) => Promise<void>) {
  const card = page.locator('li.task', { hasText: reference }).filter({ hasText: taskName });
  await card.getByRole('button', { name: 'Claim' }).click();
  await card.getByRole('button', { name: 'Complete', exact: true }).click();
  const form = card.getByRole('form', { name: taskName });
  await fill(form);
  await form.getByRole('button', { name: 'Complete the task' }).click();
  await card.waitFor({ state: 'detached' });
}

describe(`the console${skipReason}`, () => {
  it.skipIf(!haveChromium)('when the three roles work one case through the console, then it goes from the first report to an approved closure, and every page passes axe', async () => {
    const office = h.office;
    const doc = uniqueDocNumber();

    // --- The caseworker opens the case --------------------------------------------------------
    const cw = await signedIn(browser, baseUrl, { role: 'caseworker', office, sub: 'cw-ana' });
    const page = cw.page;
    expect(new URL(page.url()).pathname).toBe('/cases');
    await page.getByRole('heading', { name: 'My cases' }).waitFor();
    expect(await page.getByText('Times in Asia/Manila').count()).toBe(1);
    await expectAccessible(page, 'my cases');

    await page.getByRole('link', { name: 'Open a case' }).click();
    const open = page.getByRole('form', { name: 'Open a case' });
    await open.getByRole('textbox', { name: 'Full name', exact: true }).fill('Amihan Dela Cruz');
    await open.getByLabel(/^Date of birth/).fill('1998-02-14');
    await open.getByLabel(/^Sex/).selectOption('female');
    await open.getByLabel(/^Nationality/).fill('ph'); // lower case: the API refuses it at the field
    await open.getByRole('group', { name: 'Identity documents' }).getByLabel(/^Type/).selectOption('passport');
    await open.getByLabel(/^Number/).fill(doc);
    await open.getByLabel(/^Issuing country/).fill('PH');
    await open.getByLabel(/^Country/).fill('MM');
    await open.getByLabel(/^Site/).first().fill('KK Park');
    await open.getByRole('group', { name: 'Source' }).getByLabel(/^Type/).selectOption('family_report');
    await open.getByLabel(/^Consulate/).selectOption(consulateId);
    await expectAccessible(page, 'open a case');
    await open.getByRole('button', { name: 'Open the case' }).click();
    const nationality = open.getByLabel(/^Nationality/);
    await open.locator('.field-error').first().waitFor();
    expect(await nationality.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await nationality.getAttribute('aria-describedby'))!;
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toMatch(/./);
    await expectAccessible(page, 'open a case with field errors');

    await nationality.fill('PH');
    await open.getByRole('button', { name: 'Open the case' }).click();
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
    const caseId = page.url().split('/').pop()!;
    await stageBadge(page).waitFor();
    expect(await stageBadge(page).textContent()).toBe('Locating');
    const reference = (await page.getByRole('heading', { level: 1 }).textContent())!.split(' · ')[0]!;
    expect(reference).toMatch(/^HW-\d{4}-\d{6}$/);

    // The same passport again: refused as a duplicate, with a link to the case that has it.
    await page.goto('/cases/new');
    const again = page.getByRole('form', { name: 'Open a case' });
    await again.getByRole('textbox', { name: 'Full name', exact: true }).fill('Amihan D. Cruz');
    await again.getByLabel(/^Nationality/).fill('PH');
    await again.getByRole('group', { name: 'Identity documents' }).getByLabel(/^Type/).selectOption('passport');
    await again.getByLabel(/^Number/).fill(doc);
    await again.getByLabel(/^Issuing country/).fill('PH');
    await again.getByLabel(/^Consulate/).selectOption(consulateId);
    await again.getByRole('button', { name: 'Open the case' }).click();
    const existing = page.getByRole('alert').getByRole('link', { name: 'Open the existing case' });
    await existing.waitFor();
    expect(await existing.getAttribute('href')).toBe(`/cases/${caseId}`);
    await existing.click();
    await page.waitForURL(`**/cases/${caseId}`);

    // locating → extraction → consular_contact
    await stageBadge(page).waitFor();
    await act(page, 'Confirm location', async (f) => {
      await f.getByLabel(/^Country/).fill('MM');
      await f.getByLabel(/^Region/).fill('Kayin');
      await f.getByLabel(/^Site/).fill('KK Park');
    }, 'Extraction');
    await act(page, 'Record extraction', async (f) => {
      await f.getByLabel(/^Extracted at/).fill('2026-10-20T11:00');
      await f.getByLabel(/^Handed over to/).fill('Tak immigration');
      await f.getByLabel('Injured').check();
    }, 'Consular contact');
    await page.getByRole('heading', { name: 'Open tasks' }).waitFor();
    await page.getByText('Verify nationality').first().waitFor();
    await expectAccessible(page, 'case page');
    await screenshot(page, 'case');

    // A change by someone else between opening a form and sending it: 412, explained.
    await page.getByRole('button', { name: 'Add a note', exact: true }).click();
    const note = page.getByRole('form', { name: 'Add a note' });
    await note.getByLabel(/^Text/).fill('called the family');
    const colleague = await h.token('caseworker', { office, sub: 'cw-bo' });
    const moved = await h.http.post(`/v1/cases/${caseId}/actions`).set(bearer(colleague)).send({ type: 'set_priority', priority: 'critical', reason: 'minor suspected' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await note.getByRole('button', { name: 'Record' }).click();
    const conflict = page.locator('.conflict');
    await conflict.getByText('Someone changed this case while you were working on it').waitFor();
    await conflict.getByRole('rowheader', { name: 'Priority' }).waitFor();
    expect(await conflict.getByRole('row', { name: /Priority/ }).textContent()).toContain('critical');
    await conflict.getByText('Set priority').first().waitFor();
    await expectAccessible(page, 'case page with a conflict');
    await conflict.getByRole('button', { name: 'Review and try again' }).click();
    const retry = page.getByRole('form', { name: 'Add a note' });
    await retry.getByLabel(/^Text/).fill('called the family');
    await retry.getByRole('button', { name: 'Record' }).click();
    await retry.waitFor({ state: 'detached' });
    await page.getByRole('region', { name: 'Timeline' }).getByText('Add a note').waitFor();

    // --- The consulate works its inbox -------------------------------------------------------
    const consul = await signedIn(browser, baseUrl, { role: 'agency_officer', agency: consulateId, sub: 'consul-chen' });
    const inbox = consul.page;
    expect(new URL(inbox.url()).pathname).toBe('/inbox');
    const cards = inbox.locator('li.task', { hasText: reference });
    await cards.first().waitFor();
    expect((await cards.allTextContents()).length).toBe(3); // nationality, travel document, medical check (injured)
    // Need-to-know: the identity to verify, never the case's whereabouts.
    const verifyCard = cards.filter({ hasText: 'Verify nationality' });
    expect(await verifyCard.textContent()).toContain('Amihan Dela Cruz');
    expect(await verifyCard.textContent()).not.toContain('KK Park');
    await expectAccessible(inbox, 'consulate inbox');
    await screenshot(inbox, 'inbox');
    await completeTask(inbox, reference, 'Verify nationality', async (f) => {
      await f.getByLabel('Verified').check();
    });
    await completeTask(inbox, reference, 'Issue travel document', async (f) => {
      await f.getByLabel(/^Document type/).selectOption('emergency_travel_document');
      await f.getByLabel(/^Number/).fill('ETD-55120');
      await f.getByLabel(/^Valid until/).fill('2027-01-31');
    });
    await completeTask(inbox, reference, 'Arrange medical check', async (f) => {
      await f.getByLabel('Fit to travel').check();
    });
    expect(pageProblems(inbox)).toEqual([]);
    await consul.context.close();

    // --- The return ---------------------------------------------------------------------------
    await untilStage(page, 'Return');
    await act(page, 'Book return', async (f) => {
      await f.getByLabel(/^Departure at/).fill('2026-11-02T14:00');
      await f.getByLabel(/^Arrival port/).fill('MNL');
      await f.getByLabel(/^Flight number/).fill('PR731');
    });
    await act(page, 'Record departure', async (f) => {
      await f.getByLabel(/^Departed at/).fill('2026-11-02T14:10');
    });
    await act(page, 'Record arrival', async (f) => {
      await f.getByLabel(/^Arrived at/).fill('2026-11-02T18:00');
      await f.getByLabel(/^Port/).fill('MNL');
      await f.getByLabel(/^Received by/).fill('IACAT desk');
    }, 'Exit restriction check');

    // --- Immigration decides from its inbox ---------------------------------------------------
    const nia = await signedIn(browser, baseUrl, { role: 'agency_officer', agency: 'immigration', sub: 'nia-dara' });
    await nia.page.locator('li.task', { hasText: reference }).waitFor();
    await expectAccessible(nia.page, 'immigration inbox');
    await completeTask(nia.page, reference, 'Exit restriction review', async (f) => {
      await f.getByLabel(/^Decision/).selectOption('restricted');
      await f.getByLabel(/^Basis/).fill('Exit and Entry Administration Law art. 12');
      await f.getByLabel(/^From/).fill('2026-11-03');
      await f.getByLabel(/^Until/).fill('2029-11-03');
    });
    await nia.context.close();

    // --- Employment assistance, then the closure is requested ----------------------------------
    await untilStage(page, 'Employment assistance');
    await act(page, 'Record assessment', async (f) => {
      await f.getByLabel(/^Skills/).fill('sewing, cooking');
      await f.getByLabel(/^Education/).fill('secondary');
      await f.getByLabel(/^Preferred region/).fill('NCR');
      await f.getByLabel(/^Needs/).fill('counselling');
    });
    await act(page, 'Record placement', async (f) => {
      await f.getByLabel(/^Employer/).fill('Manila Garments');
      await f.getByLabel(/^Position/).fill('seamstress');
      await f.getByLabel(/^Start date/).fill('2026-12-01');
    });
    await act(page, 'Request closure', async (f) => {
      await f.getByLabel(/^Reason/).selectOption('reintegrated');
      await f.getByLabel(/^Comment/).fill('working, stable housing');
    });
    await page.getByRole('heading', { name: 'Pending approvals' }).waitFor();
    expect(pageProblems(page)).toEqual([]);

    // --- The supervisor approves the closure -------------------------------------------------
    const sup = await signedIn(browser, baseUrl, { role: 'supervisor', office, sub: 'sup-ben' });
    expect(new URL(sup.page.url()).pathname).toBe('/dashboard');
    await sup.page.getByRole('heading', { name: 'Cases by stage' }).waitFor();
    await expectAccessible(sup.page, 'dashboard');
    await screenshot(sup.page, 'dashboard');
    await sup.page.getByRole('link', { name: 'Approvals' }).click();
    const approval = sup.page.locator('li', { hasText: reference }).filter({ hasText: 'reintegrated' });
    await approval.waitFor();
    await expectAccessible(sup.page, 'approvals');
    await screenshot(sup.page, 'approvals');
    await approval.getByLabel('Comment').fill('well done');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await approval.waitFor({ state: 'detached' });
    await sup.page.getByRole('link', { name: 'Overdue' }).click();
    await sup.page.getByRole('heading', { name: 'Tasks past their due time' }).waitFor();
    await expectAccessible(sup.page, 'overdue');
    await sup.page.getByRole('link', { name: 'Office cases' }).click();
    await sup.page.getByRole('link', { name: reference }).waitFor();
    await expectAccessible(sup.page, 'office cases');
    await screenshot(sup.page, 'cases');
    expect(pageProblems(sup.page)).toEqual([]);
    await sup.context.close();

    await untilStage(page, 'Closed');
    expect(await page.getByText('Closed: reintegrated').count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Actions allowed now' }).count()).toBe(0);
    await cw.context.close();

    const closed = await h.http.get(`/v1/cases/${caseId}`).set(bearer(await h.token('caseworker', { office })));
    expect(closed.body).toMatchObject({ status: 'closed', closure: { reason: 'reintegrated', approvedBy: 'sup-ben' } });
  }, 240_000);

  it.skipIf(!haveChromium)('when a caseworker reads a case in Chinese, then the page, its stages, actions and times are in Chinese with the time zone named, and it passes axe', async () => {
    const token = await h.token('caseworker', { office: h.office, sub: 'cw-li' });
    const opened = await h.http.post('/v1/cases').set(bearer(token)).send({
      person: { fullName: '李明', nationality: 'CN', documents: [{ type: 'passport', number: uniqueDocNumber('E'), issuingCountry: 'CN' }] },
      consulateId,
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const { context, page } = await signedIn(browser, baseUrl, { role: 'caseworker', office: h.office, sub: 'cw-li' }, { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await page.goto(`/cases/${opened.body.id}`);
    await stageBadge(page).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    expect(await stageBadge(page).textContent()).toBe('寻找下落');
    await page.getByRole('heading', { name: '当前可执行的操作' }).waitFor();
    await page.getByRole('button', { name: '确认位置', exact: true }).waitFor();
    await page.getByRole('heading', { name: '时间线' }).waitFor();
    expect(await page.getByText('时区：Asia/Shanghai').count()).toBe(1);
    // The timeline's time carries the zone (China Standard Time is written GMT+8 in Chinese).
    expect(await page.locator('ol.timeline time').first().textContent()).toMatch(/GMT\+8|CST/);
    await expectAccessible(page, 'case page in Chinese');
    await screenshot(page, 'case-zh-CN');
    // The switcher takes the page back to English at once.
    await page.getByLabel('语言').selectOption('en');
    await page.getByRole('heading', { name: 'Actions allowed now' }).waitFor();
    expect(pageProblems(page)).toEqual([]);
    await context.close();
  });

  it.skipIf(!haveChromium)('when a supervisor uploads a raid as a CSV file, then the progress bar fills as the cases open, a bulk note reaches the chosen cases, and a bulk action the stage refuses lists each case with a link', async () => {
    const { context, page } = await signedIn(browser, baseUrl, { role: 'supervisor', office: h.office, sub: 'sup-raid' });
    await page.getByRole('link', { name: 'Raids' }).click();
    await page.getByRole('heading', { name: 'Register a raid' }).waitFor();
    await expectAccessible(page, 'raids');
    await page.getByLabel('Name of the operation').fill('Myawaddy handover');
    await page.getByLabel('Country (two letters)').fill('MM');
    await page.getByLabel('Date').fill('2026-03-01');
    await page.getByLabel('Consulate').selectOption(consulateId);
    const csv = ['fullName,nationality,sex,documentType,documentNumber,documentCountry,riskFlags', `Rosa Lim,PH,female,passport,${uniqueDocNumber()},PH,injured`, `"Tan, Wei",CN,male,passport,${uniqueDocNumber('E')},CN,`, `Ana Reyes,PH,female,passport,${uniqueDocNumber()},PH,minor;abused`].join('\n');
    await page.getByLabel('List of persons (CSV or JSON)').setInputFiles({ name: 'raid.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText('3 persons read from the file.').waitFor();
    await page.getByRole('button', { name: 'Open the cases' }).click();
    await page.waitForURL(/\/raids\/[0-9a-f-]{36}$/);
    await page.getByText('3 of 3 persons handled').waitFor({ timeout: 60_000 });
    const bar = page.locator('progress');
    expect(await bar.getAttribute('value')).toBe('3');
    expect(await bar.getAttribute('max')).toBe('3');
    await expectAccessible(page, 'raid progress');
    await screenshot(page, 'raid');
    const raidUrl = page.url();
    const operationId = raidUrl.split('/').pop()!;

    // Bulk: a note on two chosen cases of the raid.
    const bulk = page.getByRole('region', { name: 'Act on the cases of this raid' });
    await bulk.getByLabel('Action', { exact: true }).selectOption({ label: 'Add a note' });
    const choices = bulk.getByRole('group', { name: /^Cases/ }).getByRole('checkbox');
    await choices.nth(2).waitFor();
    expect(await choices.count()).toBe(3);
    await choices.nth(0).check();
    await choices.nth(1).check();
    const noteForm = bulk.getByRole('form', { name: 'Add a note' });
    await noteForm.getByLabel(/^Text/).fill('handed over at the Friendship Bridge');
    await expectAccessible(page, 'raid bulk action form');
    await noteForm.getByRole('button', { name: 'Apply to 2 cases' }).click();
    await page.waitForURL(new RegExp(`/raids/${operationId}/actions/[0-9a-f-]{36}$`));
    await page.getByText('2 of 2 cases done').waitFor({ timeout: 60_000 });
    const noted = await h.http.get(`/v1/cases?operationId=${operationId}&limit=10`).set(bearer(await h.token('supervisor', { office: h.office })));
    const notes = await Promise.all(
      (noted.body.items as Array<{ id: string }>).map(async (c) => {
        const tl = await h.http.get(`/v1/cases/${c.id}/timeline`).set(bearer(await h.token('supervisor', { office: h.office })));
        return (tl.body.items as Array<{ type: string }>).filter((e) => e.type === 'add_note').length;
      }),
    );
    expect(notes.sort()).toEqual([0, 1, 1]);

    // Bulk on every open case: an action the stage refuses is listed per case, with a link to it.
    await page.getByRole('link', { name: 'Another action on this raid' }).click();
    await bulk.getByLabel('Action', { exact: true }).selectOption({ label: 'Record departure' });
    const departure = bulk.getByRole('form', { name: 'Record departure' });
    await departure.getByLabel(/^Departed at/).fill('2026-03-02T08:00');
    await departure.getByRole('button', { name: 'Apply to every open case' }).click();
    await page.getByText('3 of 3 cases done').waitFor({ timeout: 60_000 });
    const failures = page.getByRole('table', { name: 'Cases that refused the action' });
    await failures.getByRole('link', { name: /^HW-/ }).nth(2).waitFor();
    expect(await failures.getByRole('row').count()).toBe(4);
    expect(await failures.textContent()).toContain("This action is not allowed in the case's current stage.");
    await expectAccessible(page, 'raid bulk action progress');
    await screenshot(page, 'raid-bulk');
    await failures.getByRole('link', { name: /^HW-/ }).first().click();
    await stageBadge(page).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/cases\/[0-9a-f-]{36}$/);

    // The raid is in the office's list of raids.
    await page.getByRole('link', { name: 'Raids' }).click();
    await page.getByRole('table', { name: 'Raids of your office' }).getByRole('link', { name: 'Myawaddy handover' }).click();
    await page.waitForURL(`**/raids/${operationId}`);
    await page.getByRole('link', { name: 'The cases of this raid' }).click();
    await page.getByRole('link', { name: /^HW-/ }).nth(2).waitFor();
    expect(await page.getByRole('link', { name: /^HW-/ }).count()).toBe(3);
    expect(pageProblems(page)).toEqual([]);
    await context.close();
  }, 180_000);

  it.skipIf(!haveChromium)('when a caseworker adds identity documents to the form and removes one, then the case opens with the documents left, in their order', async () => {
    const { context, page } = await signedIn(browser, baseUrl, { role: 'caseworker', office: h.office, sub: 'cw-docs' });
    await page.goto('/cases/new');
    const open = page.getByRole('form', { name: 'Open a case' });
    await open.getByRole('textbox', { name: 'Full name', exact: true }).fill('Mayumi Santos');
    await open.getByLabel(/^Nationality/).fill('PH');
    await open.getByLabel(/^Consulate/).selectOption(consulateId);
    const docs = open.getByRole('group', { name: 'Identity documents' });
    const [passport, national, third] = [uniqueDocNumber(), uniqueDocNumber('N'), uniqueDocNumber('X')];
    const add = docs.getByRole('button', { name: 'Add another (Identity documents)' });
    await add.click();
    await add.click();
    const entry = (n: number) => docs.getByRole('group', { name: `Entry ${n}` });
    await entry(1).getByLabel(/^Type/).selectOption('passport');
    await entry(1).getByLabel(/^Number/).fill(passport);
    await entry(1).getByLabel(/^Issuing country/).fill('PH');
    await entry(2).getByLabel(/^Type/).selectOption('passport');
    await entry(2).getByLabel(/^Number/).fill(third);
    await entry(2).getByLabel(/^Issuing country/).fill('PH');
    await entry(3).getByLabel(/^Type/).selectOption('national_id');
    await entry(3).getByLabel(/^Number/).fill(national);
    await entry(3).getByLabel(/^Issuing country/).fill('PH');
    await expectAccessible(page, 'open a case with three documents');
    await docs.getByRole('button', { name: 'Remove entry 2' }).click();
    expect(await docs.getByRole('group', { name: /^Entry/ }).count()).toBe(2);
    expect(await entry(2).getByLabel(/^Number/).inputValue()).toBe(national);
    await open.getByRole('button', { name: 'Open the case' }).click();
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
    const got = await h.http.get(`/v1/cases/${page.url().split('/').pop()}`).set(bearer(await h.token('caseworker', { office: h.office })));
    expect(got.body.person.documents.map((d: { type: string; number: string }) => [d.type, d.number])).toEqual([
      ['passport', passport],
      ['national_id', national],
    ]);
    expect(pageProblems(page)).toEqual([]);
    await context.close();
  });

  it.skipIf(!haveChromium)('when someone signs in with the keyboard only, then the skip link, every control and the focus ring are reachable and they land on their inbox', async () => {
    const context = await browser.newContext({ baseURL: baseUrl, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByRole('heading', { name: 'Development sign-in' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    // The focused control shows a visible outline.
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');
    // Tab through the header (language switcher) to the form: role, office, name, submit.
    const focusedLabel = () => page.evaluate<string>("document.activeElement?.labels?.[0]?.textContent ?? document.activeElement?.textContent ?? ''");
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    for (let i = 0; i < 10 && (await focusedLabel()) !== 'Role'; i++) await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('Role');
    await page.keyboard.press('ArrowDown'); // caseworker → agency officer
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('Agency');
    await page.keyboard.type(consulateId);
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toBe('Your name (user id)');
    await page.keyboard.type('consul-kbd');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/inbox');
    await page.getByRole('heading', { name: `Inbox of ${consulateId}` }).waitFor();
    await context.close();
  });

  it.skipIf(!haveChromium)('when the built console is served, then its page runs no inline script and the API sends a CSP that allows only its own scripts', async () => {
    const html = readFileSync(path.resolve('web/dist/index.html'), 'utf8');
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? []).toEqual([]);
    const res = await fetch(`${baseUrl}/cases/anything`, { headers: { Accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(html);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
