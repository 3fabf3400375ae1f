// People acting on cases at random, at the same time, as they would on a busy day: whatever the
// case allows now (and sometimes what it does not), agencies completing or rejecting their tasks,
// supervisors deciding reviews and closures. Used to record messy histories and to fuzz replay.
import { randomUUID } from 'node:crypto';
import type { Harness } from './harness.js';
import type { People } from './drive.js';
import { CONSULAR_RESULTS } from './drive.js';

type Http = Harness['http'];

/** A small deterministic PRNG (mulberry32), so a failing seed reproduces the same choices. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (p: number) => next() < p,
  };
}
export type Rand = ReturnType<typeof prng>;

export interface Outcome {
  caseId: string;
  what: string;
  status: number;
  /** For notes: the unique text, to find it in the timeline afterwards. */
  note?: string;
}

interface CaseLike {
  id: string;
  version: number;
  allowedActions: string[];
  openTasks: Array<{ id: string; type: string; audience: string }>;
  pendingApprovals: Array<{ id: string }>;
}

const at = (days: number) => new Date(Date.UTC(2026, 9, 20) + days * 86_400_000).toISOString();

const ACTION_BODIES: Record<string, (r: Rand, c: CaseLike) => Record<string, unknown> | undefined> = {
  add_note: () => ({ text: `note ${randomUUID()}` }),
  assign: (r) => ({ assignee: r.pick(['cw-ana', 'cw-bo', null]) }),
  set_priority: (r) => ({ priority: r.pick(['critical', 'high', 'normal', 'low']), reason: 'triage' }),
  hold: () => ({ reason: 'waiting for family' }),
  resume: () => ({}),
  record_consent: (r) =>
    r.chance(0.5) ? { consularNotification: r.pick(['granted', 'granted', 'refused']) } : { dataSharing: r.pick(['granted', 'granted', 'withdrawn']) },
  record_screening: (r) => ({ outcome: r.pick(['victim', 'suspect', 'both', 'undetermined']), basis: 'interview' }),
  record_sighting: () => ({ location: { country: 'MM', region: 'Kayin' }, observedAt: at(0), source: 'family' }),
  confirm_location: () => ({ location: { country: 'MM', region: 'Kayin', site: 'KK Park' } }),
  request_extraction: () => ({ partner: 'Royal Thai Police', reference: `RTP-${randomUUID().slice(0, 4)}` }),
  record_extraction: (r) => ({ extractedAt: at(1), handedOverTo: 'Tak immigration', injured: r.chance(0.3) }),
  record_extraction_failed: () => ({ reason: 'the compound was moved' }),
  book_return: () => ({ departureAt: at(12), arrivalPort: 'MNL', manifestId: 'M-17' }),
  record_departure: () => ({ departedAt: at(12) }),
  record_arrival: () => ({ arrivedAt: at(13), port: 'MNL', receivedBy: 'IACAT desk' }),
  record_assessment: () => ({ skills: ['sewing'], education: 'secondary', preferredRegion: 'NCR', needs: [] }),
  record_referral: (r) => ({ kind: r.pick(['job', 'training']), organisation: 'TESDA', description: 'garment course' }),
  record_placement: (r) => ({ employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: r.chance(0.2) }),
  record_follow_up: (r, c) => {
    const task = c.openTasks.find((t) => t.type === 'follow_up');
    return task ? { taskId: task.id, outcome: r.pick(['employed', 'employed', 'unreachable']) } : undefined;
  },
  decline_assistance: () => ({ reason: 'going home to family' }),
  request_closure: (r) => ({ reason: r.pick(['lost_contact', 'reintegrated', 'duplicate']) }),
  // Corrections re-index the person in the same step; flags may add consular work or hold a minor's return.
  update_person: (r) =>
    r.chance(0.5)
      ? { fullName: `Maria ${r.pick(['Santos', 'Cruz', 'Reyes'])} ${randomUUID().slice(0, 4)}`, reason: 'spelling' }
      : { documents: [{ type: 'national_id', number: `NID-${randomUUID().slice(0, 8)}`, issuingCountry: 'PH' }], guardian: { fullName: 'Rosa Santos', relationship: 'parent' }, reason: 'papers found' },
  add_risk_flag: (r) => ({ flag: r.pick(['injured', 'minor', 'abused']), reason: 'interview' }),
  remove_risk_flag: (r) => ({ flag: r.pick(['injured', 'minor', 'abused']), reason: 'assessed again' }),
  record_best_interests: () => ({ determination: 'return_in_best_interests', decidedBy: 'social worker' }),
  record_medical: (r) => ({ fitToTravel: r.chance(0.7) }),
};
// Closing for good ends the fun early: rarer than the rest.
const RARE = new Set(['decline_assistance', 'request_closure', 'record_extraction_failed']);

function taskResult(r: Rand, type: string): Record<string, unknown> | undefined {
  if (type === 'arrange_medical_check' && r.chance(0.3)) return { fitToTravel: false };
  if (CONSULAR_RESULTS[type]) return type === 'verify_nationality' && r.chance(0.2) ? { verified: false } : CONSULAR_RESULTS[type];
  if (type === 'exit_restriction_review') {
    return r.chance(0.5) ? { decision: 'not_restricted' } : { decision: 'restricted', basis: 'art. 12', from: '2026-11-01', until: '2026-11-03' };
  }
  if (type === 'supervisor_review') return { decision: r.pick(['proceed', 'reissue', 'wait']) };
  return undefined;
}

/**
 * One request someone might send about this case now, as a thunk that sends it and reports how it
 * went. `key` makes a write idempotent (Idempotency-Key), as a careful client would.
 */
export function randomRequest(http: Http, p: People, c: CaseLike, r: Rand): () => Promise<Outcome> {
  const roll = r.next();
  const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
  const outcome = (what: string, status: number, note?: string): Outcome => ({ caseId: c.id, what, status, ...(note ? { note } : {}) });

  const task = c.openTasks.length > 0 && roll < 0.35 ? r.pick(c.openTasks) : undefined;
  if (task) {
    const result = taskResult(r, task.type);
    const token = task.audience === 'supervisor' ? p.supervisor : task.type === 'exit_restriction_review' ? p.immigration : p.consul;
    if (task.audience === 'agency' && r.chance(0.15)) {
      return async () => outcome(`reject ${task.type}`, (await http.post(`/v1/tasks/${task.id}/reject`).set(bearer(token)).send({ reason: 'no record of this person' })).status);
    }
    if (result) {
      return async () => {
        if (task.audience === 'agency') await http.post(`/v1/tasks/${task.id}/claim`).set(bearer(token));
        return outcome(`complete ${task.type}`, (await http.post(`/v1/tasks/${task.id}/complete`).set(bearer(token)).send({ result })).status);
      };
    }
  }
  const approval = c.pendingApprovals[0];
  if (approval && roll > 0.85) {
    const decision = r.chance(0.6) ? 'rejected' : 'approved';
    return async () => outcome(`decide ${decision}`, (await http.post(`/v1/approvals/${approval.id}/decision`).set(bearer(p.supervisor)).send({ decision })).status);
  }
  // Mostly what is allowed now; now and then something that is not (a 409 that must leave no trace).
  const candidates = r.chance(0.9) ? c.allowedActions.filter((a) => !RARE.has(a) || r.chance(0.15)) : Object.keys(ACTION_BODIES);
  const type = candidates.length > 0 ? r.pick(candidates) : 'add_note';
  const built = ACTION_BODIES[type]?.(r, c);
  const full: Record<string, unknown> = built ? { type, ...built } : { type: 'add_note', text: `note ${randomUUID()}` };
  const ifMatch = r.chance(0.3) ? String(c.version) : undefined;
  const key = r.chance(0.5) ? `chaos-${randomUUID()}` : undefined;
  return async () => {
    let req = http.post(`/v1/cases/${c.id}/actions`).set(bearer(p.caseworker));
    if (ifMatch) req = req.set('If-Match', ifMatch);
    if (key) req = req.set('Idempotency-Key', key);
    const res = await req.send(full);
    return outcome(String(full.type), res.status, full.type === 'add_note' && res.status === 200 ? String(full.text) : undefined);
  };
}

/** The case as its caseworker sees it now. */
export async function caseNow(http: Http, token: string, id: string): Promise<CaseLike & { status: string; stage: string }> {
  const res = await http.get(`/v1/cases/${id}`).set('Authorization', `Bearer ${token}`);
  if (res.status !== 200) throw new Error(`GET case ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface ChaosRound {
  seed: number;
  burst: number;
  pauseMs: number;
}

/**
 * A busy day on three cases: opened while no worker polls (so the opening step and the first
 * updates share one workflow task), then rounds of concurrent requests from everyone involved,
 * with pauses for deadlines to fire. `withWorker` brings the worker up for the rounds.
 */
export async function chaosSession(
  h: Harness,
  p: People,
  consulateId: string,
  opts: { openSeed: number; rounds: ChaosRound[]; withWorker: <T>(fn: () => Promise<T>) => Promise<T>; openCase: (extra: Record<string, unknown>) => Promise<{ id: string; version: number }> },
): Promise<{ caseIds: string[]; outcomes: Outcome[] }> {
  const outcomes: Outcome[] = [];
  const r = prng(opts.openSeed);
  const cases = await Promise.all([0, 1, 2].map(() => opts.openCase(r.chance(0.5) ? { riskFlags: ['injured'] } : {})));
  const early = cases.flatMap((c) =>
    [0, 1, 2].map(() =>
      randomRequest(h.http, p, { ...c, allowedActions: ['add_note', 'assign', 'set_priority', 'record_sighting', 'confirm_location'], openTasks: [], pendingApprovals: [] }, r)(),
    ),
  );
  await opts.withWorker(async () => {
    outcomes.push(...(await Promise.all(early)));
    for (const { seed, burst, pauseMs } of opts.rounds) {
      const rr = prng(seed);
      const sends = await Promise.all(
        cases.map(async (c) => {
          const now = await caseNow(h.http, p.caseworker, c.id);
          return Array.from({ length: burst }, () => randomRequest(h.http, p, now, rr));
        }),
      );
      outcomes.push(...(await Promise.all(sends.flat().map((send) => send()))));
      await new Promise((done) => setTimeout(done, pauseMs));
    }
    // Every case still acts, or says precisely that it is closed.
    for (const c of cases) {
      const text = `final ${randomUUID()}`;
      const res = await h.http.post(`/v1/cases/${c.id}/actions`).set('Authorization', `Bearer ${p.caseworker}`).send({ type: 'add_note', text });
      outcomes.push({ caseId: c.id, what: 'final add_note', status: res.status, ...(res.status === 200 ? { note: text } : {}) });
      if (res.status !== 200 && !(res.status === 409 && res.body.error?.details?.stage === 'closed')) {
        throw new Error(`case ${c.id} no longer acts: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
  });
  return { caseIds: cases.map((c) => c.id), outcomes };
}
