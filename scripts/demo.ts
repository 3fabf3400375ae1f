// `npm run demo`: fills a fresh Homeward with a believable caseload of INVENTED people, through the
// public HTTP API with development tokens, so every rule applies exactly as it does to real users:
// cases in every stage (some on hold, some with a closure waiting for a supervisor), consular and
// immigration tasks overdue and on time, closures approved by a supervisor, and a raid of 200 people
// registered in one POST /v1/operations. Every write carries an Idempotency-Key derived from the
// office, the person and the step, so a second run applies nothing twice.
//
// Overdue tasks need time to pass: the earlier half of the caseload is opened first, then the demo
// waits (at most --max-wait) for the first deadlines of those cases to pass before opening the rest.
// Deadlines run at the stack's HOMEWARD_TIME_SCALE; at 1 (real time) the first falls due after a day,
// so the demo says so instead of waiting. `HOMEWARD_TIME_SCALE=0.001 npm start` makes a day 86 s.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.js';
import { STAGES, type Stage } from '../domain/schemas.js';
import { mintToken } from './token.js';

export interface DemoOptions {
  /** Base URL of the API, e.g. http://localhost:3000. */
  api: string;
  /** How the API checks tokens (AUTH_JWT_SECRET, AUTH_ISSUER, AUTH_AUDIENCE). */
  auth: { secret: string; issuer?: string; audience?: string };
  /** Offices the caseload is spread over. */
  offices?: string[];
  /** People in the caseload besides the raid (at least 7 for every stage). */
  cases?: number;
  /** People freed in the raid. */
  raid?: number;
  /** How long the demo may wait for the first deadlines to pass. */
  maxWaitMs?: number;
  log?: (line: string) => void;
}

export interface DemoSummary {
  offices: string[];
  byStage: Record<Stage, number>;
  overdueTasks: number;
  onTimeTasks: number;
  pendingApprovals: number;
  raid: { id: string; status: string; total: number; opened: number; linkedExisting: number };
  /** Why there is no overdue task, when there is none. */
  note?: string;
}

type Json = Record<string, unknown>;
interface CaseView {
  id: string;
  reference: string;
  status: 'open' | 'closed';
  stage: Stage;
  openTasks: Array<{ id: string; type: string; status: string; dueAt: string }>;
  pendingApprovals: Array<{ id: string }>;
}

// ---- invented people (no real person is meant; names are common Filipino given names and surnames, paired at random) ----

const GIVEN_MALE = ['Jose', 'Mark', 'John Paul', 'Jerome', 'Ramon', 'Noel', 'Arnel', 'Rodel', 'Dennis', 'Ricardo', 'Christian', 'Jayson', 'Ariel', 'Romeo', 'Kevin'];
const GIVEN_FEMALE = ['Maria', 'Ana', 'Kristine', 'Rowena', 'Angelica', 'Liza', 'Grace', 'Jocelyn', 'Cherry', 'Mylene', 'Rhea', 'Joy', 'Marites', 'Lorna', 'Aileen'];
const SURNAMES = ['Dela Cruz', 'Santos', 'Reyes', 'Bautista', 'Ocampo', 'Garcia', 'Mendoza', 'Villanueva', 'Aquino', 'Ramos', 'Castillo', 'Navarro', 'Torres', 'Flores', 'Soriano', 'Manalo', 'Pascual', 'Salazar', 'Tolentino', 'Mercado', 'Dizon', 'Lacson', 'Galang', 'Cabrera'];
const LANGUAGES = [['fil', 'en'], ['ceb', 'en'], ['ilo', 'fil'], ['hil', 'en'], ['fil']];

/** Where people are held: places named in public reporting, never a person's own address. */
const PLACES = [
  { country: 'MM', region: 'Kayin', site: 'Myawaddy', consulate: 'ph-consulate-bkk', partner: 'Royal Thai Police', handedOverTo: 'Tak immigration, Mae Sot' },
  { country: 'MM', region: 'Kayin', site: 'Shwe Kokko', consulate: 'ph-consulate-bkk', partner: 'Royal Thai Police', handedOverTo: 'Tak immigration, Mae Sot' },
  { country: 'KH', region: 'Preah Sihanouk', site: 'Sihanoukville', consulate: 'ph-consulate-pnh', partner: 'Cambodian National Police', handedOverTo: 'General Department of Immigration, Phnom Penh' },
  { country: 'KH', region: 'Svay Rieng', site: 'Bavet', consulate: 'ph-consulate-pnh', partner: 'Cambodian National Police', handedOverTo: 'General Department of Immigration, Phnom Penh' },
  { country: 'LA', region: 'Bokeo', site: 'Golden Triangle SEZ', consulate: 'ph-consulate-vte', partner: 'Lao Ministry of Public Security', handedOverTo: 'Bokeo provincial police' },
] as const;
type Place = (typeof PLACES)[number];

const CONSULATES = [
  { id: 'ph-consulate-bkk', kind: 'consulate', name: 'Philippine Embassy Bangkok', country: 'TH', city: 'Bangkok' },
  { id: 'ph-consulate-pnh', kind: 'consulate', name: 'Philippine Embassy Phnom Penh', country: 'KH', city: 'Phnom Penh' },
  { id: 'ph-consulate-vte', kind: 'consulate', name: 'Philippine Embassy Vientiane', country: 'LA', city: 'Vientiane' },
];

/** The same stream of choices on every run, so every request body (and so every Idempotency-Key's request) repeats exactly. */
function randomFor(seed: string): () => number {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return () => {
    h = (h + 0x6d2b79f5) | 0;
    let t = Math.imul(h ^ (h >>> 15), 1 | h);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function invent(seed: string) {
  const rand = randomFor(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');
  const sex = rand() < 0.6 ? 'male' : 'female';
  const birth = `${1985 + Math.floor(rand() * 18)}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
  return {
    person: {
      fullName: `${pick(sex === 'male' ? GIVEN_MALE : GIVEN_FEMALE)} ${pick(SURNAMES)}`,
      dateOfBirth: birth,
      sex,
      nationality: 'PH',
      documents: [{ type: 'passport', number: `P${digits(7)}${'ABCDEFGHJK'[Math.floor(rand() * 10)]}`, issuingCountry: 'PH' }],
      languages: pick(LANGUAGES),
    },
    place: pick(PLACES),
    injured: rand() < 0.25,
    abused: rand() < 0.4,
    day: 1 + Math.floor(rand() * 27),
  };
}

// ---- what happens to each person: one plan per stage first, so a caseload of 7 covers every stage ----

const PLANS = [
  'consular_contact',
  'locating',
  'extraction',
  'return',
  'exit_restriction_check',
  'employment_assistance',
  'closed_reintegrated',
  'consular_contact_partly_done',
  'locating_on_hold',
  'closed_lost_contact',
  'return_closure_pending',
  'extraction_failed',
  'employment_restricted',
  'closed_declined',
] as const;
type Plan = (typeof PLANS)[number];

// ---- the API, as a client sees it ----

class Api {
  constructor(
    private readonly base: string,
    private readonly log: (line: string) => void,
  ) {}

  /** One request; 429 and 503 are retried after their Retry-After with the same Idempotency-Key, which is what makes that safe. */
  async call<T = Json>(method: string, path: string, token: string, opts: { body?: unknown; key?: string; ok?: number[] } = {}): Promise<{ status: number; body: T }> {
    const ok = opts.ok ?? [200, 201, 202];
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(new URL(path, this.base), {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(opts.key ? { 'Idempotency-Key': opts.key } : {}),
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const body = (await res.json().catch(() => ({}))) as T;
      if (ok.includes(res.status)) return { status: res.status, body };
      if ((res.status === 429 || res.status === 503) && attempt < 20) {
        const wait = Math.min(30, Number(res.headers.get('retry-after')) || 1);
        if (attempt === 1) this.log(`  ${method} ${path}: ${res.status}, retrying in ${wait} s with the same Idempotency-Key`);
        await sleep(wait * 1000);
        continue;
      }
      throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(body)}`);
    }
  }

  /** Every item of a keyset-paginated list. */
  async all<T>(path: string, token: string, query: Record<string, string>): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({ ...query, limit: '200', ...(cursor ? { cursor } : {}) });
      const page: { body: { items: T[]; nextCursor: string | null } } = await this.call(`GET`, `${path}?${params}`, token);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** Fills the install behind `opts.api`; see the top of this file. */
export async function runDemo(opts: DemoOptions): Promise<DemoSummary> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const offices = opts.offices ?? ['manila', 'cebu'];
  const total = opts.cases ?? 42;
  const raidSize = opts.raid ?? 200;
  const maxWaitMs = opts.maxWaitMs ?? 180_000;
  if (total < PLANS.indexOf('closed_reintegrated') + 1) throw new Error(`--cases must be at least ${PLANS.indexOf('closed_reintegrated') + 1}, so that every stage has a case`);
  const api = new Api(opts.api, log);
  const token = (role: string, sub: string, claims: { office?: string; agency?: string } = {}) =>
    mintToken(opts.auth.secret, { sub, role, ...claims }, 8 * 3600, { issuer: opts.auth.issuer, audience: opts.auth.audience });

  // Invented staff: one caseworker and one supervisor per office, an officer per agency.
  const admin = await token('admin', 'demo.admin');
  const staff = new Map<string, { caseworker: string; supervisor: string }>();
  for (const office of offices) {
    staff.set(office, { caseworker: await token('caseworker', `caseworker.${office}`, { office }), supervisor: await token('supervisor', `supervisor.${office}`, { office }) });
  }
  const officers = new Map<string, string>();
  for (const c of CONSULATES) officers.set(c.id, await token('agency_officer', `consul.${c.id}`, { agency: c.id }));

  log(`Homeward demo: ${total} people across ${offices.join(', ')} and a raid of ${raidSize}, through ${opts.api} (all of them invented)`);
  for (const agency of CONSULATES) await api.call('POST', '/v1/agencies', admin, { body: agency, ok: [201, 409] });
  const agencies = (await api.call<{ items: Array<{ id: string; kind: string }> }>('GET', '/v1/agencies', admin)).body.items;
  const immigrationId = agencies.find((a) => a.kind === 'immigration')?.id;
  if (!immigrationId) throw new Error('no immigration agency is registered (the migrations seed one)');
  const immigration = await token('agency_officer', `officer.${immigrationId}`, { agency: immigrationId });

  /** One person's case from their first report to where their plan ends. */
  async function story(i: number, plan: Plan): Promise<void> {
    const office = offices[i % offices.length]!;
    const { caseworker, supervisor } = staff.get(office)!;
    const who = invent(`${office}:${i}`);
    const place: Place = who.place;
    const key = (step: string) => `demo:${office}:${i}:${step}`;
    const consul = officers.get(place.consulate)!;
    const month = (m: number) => `2025-${String(m).padStart(2, '0')}-${String(who.day).padStart(2, '0')}`;
    const location = { country: place.country, region: place.region, site: place.site };

    const confirmedAtStart = plan.startsWith('extraction');
    const opened = await api.call<CaseView>('POST', '/v1/cases', caseworker, {
      key: key('open'),
      body: {
        person: who.person,
        ...(confirmedAtStart ? { location: { ...location, confirmed: true } } : {}),
        source: { type: i % 3 === 0 ? 'family_report' : i % 3 === 1 ? 'hotline' : 'ngo', reference: `demo-${office}-${String(i).padStart(4, '0')}` },
        // Shelter is the consulate's shortest deadline (a day): the first consular cases need it, so the wait for overdue tasks stays short.
        riskFlags: [...(who.abused || plan === 'consular_contact' ? ['abused'] : []), ...(who.injured ? ['injured'] : [])],
        consulateId: place.consulate,
      },
    });
    const id = opened.body.id;
    const view = async () => (await api.call<CaseView>('GET', `/v1/cases/${id}`, caseworker)).body;
    if ((await view()).status === 'closed') return;
    const act = async (step: string, body: Json) => (await api.call<CaseView>('POST', `/v1/cases/${id}/actions`, caseworker, { key: key(step), body })).body;
    const work = async (taskToken: string, task: { id: string; type: string }, result: Json | undefined) => {
      await api.call('POST', `/v1/tasks/${task.id}/claim`, taskToken, { key: key(`${task.type}:claim`) });
      if (result) await api.call('POST', `/v1/tasks/${task.id}/complete`, taskToken, { key: key(`${task.type}:complete`), body: { result } });
    };
    const approve = async (comment: string) => {
      for (const approval of (await view()).pendingApprovals) {
        await api.call('POST', `/v1/approvals/${approval.id}/decision`, supervisor, { key: key(`approval:${approval.id}`), body: { decision: 'approved', comment } });
      }
    };
    const consularResults: Record<string, Json> = {
      verify_nationality: { verified: true, notes: 'identity confirmed with the civil registry' },
      issue_travel_document: { documentType: 'emergency_travel_document', number: `ETD-${String(10_000 + i)}`, validUntil: '2026-03-31' },
      arrange_shelter: { shelterName: place.country === 'MM' ? 'Mae Sot transit shelter' : `${place.handedOverTo.split(',')[0]} shelter`, from: month(10) },
      arrange_medical_check: { fitToTravel: true, notes: 'treated on site; fit to fly' },
    };

    if (plan === 'locating' || plan === 'locating_on_hold' || plan === 'closed_lost_contact') {
      await act('sighting', { type: 'record_sighting', location, observedAt: `${month(9)}T09:00:00Z`, source: 'message from a fellow worker to the family' });
      if (plan === 'locating_on_hold') await act('hold', { type: 'hold', reason: 'the family asked to pause contact attempts while they travel' });
      if (plan === 'closed_lost_contact') {
        await act('closure', { type: 'request_closure', reason: 'lost_contact', comment: 'no sighting or contact for months; family informed' });
        await approve('agreed: reopen if the family hears from them');
      }
      return;
    }
    if (!confirmedAtStart) await act('confirm', { type: 'confirm_location', location });
    await act('extraction-request', { type: 'request_extraction', partner: place.partner, reference: `${place.country}-REQ-${String(4000 + i)}` });
    if (plan === 'extraction') return;
    if (plan === 'extraction_failed') {
      await act('extraction-failed', { type: 'record_extraction_failed', reason: 'moved to another compound before the operation' });
      return;
    }
    const extracted = await act('extraction', {
      type: 'record_extraction',
      extractedAt: `${month(10)}T03:00:00Z`,
      handedOverTo: place.handedOverTo,
      injured: who.injured,
      ...(who.injured ? { medicalNeeds: 'bruising and an untreated hand injury' } : {}),
    });
    await act('screening', { type: 'record_screening', outcome: 'victim', basis: 'interview on handover: recruited with a false job offer, passport taken', exploitationTypes: ['forced_criminality', 'forced_labour'] });
    const consularTasks = (extracted.openTasks.length > 0 ? extracted : await view()).openTasks.filter((t) => t.type in consularResults);
    if (plan === 'consular_contact') return;
    if (plan === 'consular_contact_partly_done') {
      // The consulate has verified the nationality and is working on the travel document.
      for (const t of consularTasks) if (t.type === 'verify_nationality' || t.type === 'issue_travel_document') await work(consul, t, t.type === 'verify_nationality' ? consularResults[t.type] : undefined);
      return;
    }
    if (plan === 'closed_declined') {
      await act('decline', { type: 'decline_assistance', reason: 'chose to stay with relatives abroad and declined repatriation' });
      await approve('the person was informed of the help still available');
      return;
    }
    for (const t of consularTasks) await work(consul, t, consularResults[t.type]);
    await act('booking', { type: 'book_return', departureAt: `${month(11)}T06:00:00Z`, arrivalPort: 'MNL', carrier: 'Philippine Airlines', flightNumber: 'PR 731', manifestId: `M-2025-${String(1 + (i % 5)).padStart(3, '0')}` });
    if (plan === 'return') return;
    if (plan === 'return_closure_pending') {
      await act('closure', { type: 'request_closure', reason: 'transferred', comment: 'family lives in Davao; the Davao office takes over' });
      return;
    }
    await act('departure', { type: 'record_departure', departedAt: `${month(11)}T06:20:00Z` });
    const arrived = await act('arrival', { type: 'record_arrival', arrivedAt: `${month(11)}T10:05:00Z`, port: 'NAIA Terminal 1', receivedBy: 'IACAT reception desk' });
    if (plan === 'exit_restriction_check') return;
    const review = (arrived.openTasks.length > 0 ? arrived : await view()).openTasks.find((t) => t.type === 'exit_restriction_review');
    if (review) {
      const restricted = plan === 'employment_restricted';
      await work(
        immigration,
        review,
        restricted
          ? { decision: 'restricted', basis: 'Exit and Entry Administration Law art. 12', from: month(11), until: '2027-11-30', noticeServedAt: month(11) }
          : { decision: 'not_restricted' },
      );
    }
    await act('assessment', { type: 'record_assessment', skills: ['customer service', 'spoken English', 'data entry'], education: 'college, 2 years', preferredRegion: 'Metro Manila', needs: ['counselling', 'help with documents'] });
    await act('referral', { type: 'record_referral', kind: 'job', organisation: 'Public Employment Service Office', description: 'job fair for contact-centre agents' });
    if (plan === 'employment_assistance' || plan === 'employment_restricted') return;
    await act('placement', { type: 'record_placement', employer: 'Northwind Contact Centre', position: 'customer service associate', startDate: `2025-12-${String(who.day).padStart(2, '0')}`, abroad: false });
    await act('closure', { type: 'request_closure', reason: 'reintegrated', comment: 'employed and living with family' });
    await approve('well done; closing');
  }

  const people = Array.from({ length: total }, (_, i) => i);
  const plan = (i: number) => PLANS[i % PLANS.length]!;
  const earlier = people.slice(0, Math.ceil(total / 2));
  const later = people.slice(earlier.length);
  const progress = async (group: number[], what: string) => {
    const started = Date.now();
    let done = 0;
    await inParallel(group, 4, async (i) => {
      await story(i, plan(i));
      if (++done % 10 === 0 || done === group.length) log(`  ${what}: ${done}/${group.length}`);
    });
    log(`  ${what} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };

  log('opening the earlier cases');
  await progress(earlier, 'earlier cases');

  // Overdue tasks need their due time to pass: wait for it when it is near, say so when it is not.
  const supervisors = offices.map((o) => staff.get(o)!.supervisor);
  const overdueCount = async () => {
    let n = 0;
    for (const s of supervisors) for (const status of ['open', 'claimed']) n += (await api.all('/v1/tasks', s, { status, overdue: 'true' })).length;
    return n;
  };
  let note: string | undefined;
  if ((await overdueCount()) === 0) {
    const due = (await Promise.all(supervisors.map((s) => api.all<{ dueAt: string }>('/v1/tasks', s, { status: 'open' })))).flat().map((t) => Date.parse(t.dueAt));
    const first = Math.min(...due);
    if (!Number.isFinite(first)) note = 'no open task to fall due';
    else if (first - Date.now() > maxWaitMs) {
      note = `the first deadline falls due at ${new Date(first).toISOString()}: deadlines run at this stack's HOMEWARD_TIME_SCALE (start it with HOMEWARD_TIME_SCALE=0.001 for a day of 86 s)`;
      log(`no task is overdue yet; ${note}`);
    } else {
      log(`waiting ${Math.max(0, Math.ceil((first - Date.now()) / 1000))} s for the first deadlines to pass, so that some tasks are overdue`);
      const deadline = Date.now() + maxWaitMs;
      while ((await overdueCount()) === 0 && Date.now() < deadline) await sleep(1_000);
    }
  }

  log('opening the later cases');
  await progress(later, 'later cases');

  // The raid: one request for everyone freed, two of whom the families had already reported.
  const raidOffice = offices[0]!;
  const { caseworker: raidCaseworker } = staff.get(raidOffice)!;
  const searchedFor: Plan[] = ['locating', 'locating_on_hold', 'extraction'];
  const alreadyReported = people.filter((i) => searchedFor.includes(plan(i)) && offices[i % offices.length] === raidOffice).slice(0, 2);
  const raidPeople = Array.from({ length: raidSize }, (_, n) => {
    const who = n < alreadyReported.length ? invent(`${raidOffice}:${alreadyReported[n]}`) : invent(`${raidOffice}:raid:${n}`);
    return {
      person: who.person,
      riskFlags: [...(who.abused ? ['abused'] : []), ...(who.injured ? ['injured'] : [])],
      location: { country: 'MM', region: 'Kayin', site: 'Myawaddy', confirmed: true },
    };
  });
  log(`registering the raid: ${raidSize} people handed over at Myawaddy`);
  const raid = await api.call<{ id: string }>('POST', '/v1/operations', raidCaseworker, {
    key: `demo:${raidOffice}:raid`,
    body: { name: 'Myawaddy handover, October 2025', country: 'MM', site: 'Myawaddy', date: '2025-10-22', consulateId: 'ph-consulate-bkk', persons: raidPeople },
  });
  type Progress = { id: string; status: string; total: number; opened: number; linkedExisting: number };
  let operation = (await api.call<Progress>('GET', `/v1/operations/${raid.body.id}`, raidCaseworker)).body;
  while (operation.status === 'running') {
    await sleep(1_000);
    operation = (await api.call<Progress>('GET', `/v1/operations/${raid.body.id}`, raidCaseworker)).body;
  }
  log(`  raid ${operation.status}: ${operation.opened} cases opened, ${operation.linkedExisting} linked to cases already open`);

  // What a supervisor now sees.
  const byStage = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  let overdueTasks = 0;
  let pendingApprovals = 0;
  for (const office of offices) {
    const s = staff.get(office)!.supervisor;
    const stats = (await api.call<{ byStage: Record<Stage, number>; overdueTasks: number }>('GET', `/v1/stats?office=${encodeURIComponent(office)}`, s)).body;
    for (const stage of STAGES) byStage[stage] += stats.byStage[stage] ?? 0;
    overdueTasks += stats.overdueTasks;
    pendingApprovals += (await api.all('/v1/approvals', s, { status: 'pending' })).length;
  }
  let onTimeTasks = 0;
  for (const s of supervisors) for (const status of ['open', 'claimed']) onTimeTasks += (await api.all('/v1/tasks', s, { status, overdue: 'false' })).length;
  log(`done: ${STAGES.map((s) => `${s} ${byStage[s]}`).join(', ')}; tasks overdue ${overdueTasks}, on time ${onTimeTasks}; approvals pending ${pendingApprovals}`);
  log(`look around: npm run token -- supervisor --office ${offices[0]}, then GET ${new URL('/v1/stats', opts.api)} or the Temporal UI`);
  return { offices, byStage, overdueTasks, onTimeTasks, pendingApprovals, raid: operation, ...(overdueTasks === 0 && note ? { note } : {}) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      api: { type: 'string' },
      cases: { type: 'string', default: '42' },
      raid: { type: 'string', default: '200' },
      offices: { type: 'string', default: 'manila,cebu' },
      'max-wait': { type: 'string', default: '180' },
    },
  });
  const config = loadConfig();
  if (!config.auth.jwtSecret) {
    console.error('AUTH_JWT_SECRET is not set: the demo signs development tokens with it, as `npm run token` does');
    process.exit(2);
  }
  runDemo({
    api: values.api ?? `http://localhost:${config.port}`,
    auth: { secret: config.auth.jwtSecret, issuer: config.auth.issuer, audience: config.auth.audience },
    offices: values.offices.split(',').map((o) => o.trim()).filter(Boolean),
    cases: Number(values.cases),
    raid: Number(values.raid),
    maxWaitMs: Number(values['max-wait']) * 1000,
  }).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
