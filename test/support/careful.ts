// A careful client, as the console or an integration should be written, and what fault tests check
// afterwards. The client sends every write with an Idempotency-Key and state-changing actions with
// If-Match; when it gets no answer (a 503, a timeout, a refused connection) it waits and sends the
// very same request again with the same key, until it gets an answer that settles it. Each action
// carries a unique marker in its data, so the timeline shows whether it was applied, and how often.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { expect } from 'vitest';
import type { Config } from '../../config/index.js';
import type { Db } from '../../db/client.js';
import { type FieldCipher, aad, fieldCipher, openSnapshot } from '../../db/at-rest.js';
import { caseWorkflowId } from '../../domain/ids.js';
import { caseQuery } from '../../workflows/definitions.js';
import { waitFor } from './drive.js';
import type { Harness } from './harness.js';
import { allRuns, replayFailures, workflowTaskFailures } from './histories.js';

type Http = Harness['http'];

export interface Attempt {
  sentAt: number;
  answeredAt: number;
  /** 0: no answer at all (connection refused or reset, or the client's own timeout). */
  status: number;
  code?: string;
}

export interface Sent {
  what: string;
  caseId?: string;
  /** Unique text in the action's data: how the timeline shows it was applied. */
  marker?: string;
  key: string;
  attempts: Attempt[];
  /** The answer that settled it, or the last one when the client gave up (then 0 or 503). */
  status: number;
  body: unknown;
}

export interface CarefulOptions {
  /** The client stops retrying after this moment (ms since the epoch); the request then counts as unanswered. */
  giveUpAt: () => number;
  /** Retry-After is honoured up to this long, so tests do not sleep 5 s at a time. */
  maxBackoffMs?: number;
  /** The client's own patience for one attempt; the API answers 503 sooner than this. */
  attemptTimeoutMs?: number;
}

const NO_ANSWER = new Set([0, 502, 503, 504]);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every request any careful client sent, so a test can check them all at the end. */
export class Journal {
  readonly sent: Sent[] = [];
  /** Attempts answered between `from` and `to` (both ms since the epoch) that were sent after `from`. */
  attemptsWithin(from: number, to: number): Array<Attempt & { what: string }> {
    return this.sent.flatMap((s) => s.attempts.filter((a) => a.sentAt >= from && a.answeredAt <= to).map((a) => ({ ...a, what: s.what })));
  }
  serverErrors(): Array<Attempt & { what: string }> {
    return this.sent.flatMap((s) => s.attempts.filter((a) => a.status >= 500 && a.status !== 503).map((a) => ({ ...a, what: s.what })));
  }
  /** How many actions on each case were answered 2xx so far. */
  appliedPerCase(): Map<string, number> {
    const n = new Map<string, number>();
    for (const s of this.sent) if (s.caseId && s.status >= 200 && s.status < 300) n.set(s.caseId, (n.get(s.caseId) ?? 0) + 1);
    return n;
  }
  unanswered(): Sent[] {
    return this.sent.filter((s) => NO_ANSWER.has(s.status));
  }
}

export function carefulClient(http: () => Http, token: string, journal: Journal, opts: CarefulOptions) {
  const maxBackoffMs = opts.maxBackoffMs ?? 1_000;
  const attemptTimeoutMs = opts.attemptTimeoutMs ?? 30_000;

  async function send(entry: Omit<Sent, 'attempts' | 'status' | 'body'>, path: string, body: unknown, ifMatch?: number): Promise<Sent> {
    const sent: Sent = { ...entry, attempts: [], status: 0, body: undefined };
    journal.sent.push(sent);
    for (;;) {
      const sentAt = Date.now();
      let status = 0;
      let resBody: unknown;
      let retryAfter = 1;
      try {
        let req = http().post(path).set('Authorization', `Bearer ${token}`).set('Idempotency-Key', entry.key).timeout({ response: attemptTimeoutMs });
        if (ifMatch !== undefined) req = req.set('If-Match', String(ifMatch));
        const res = await req.send(body as object);
        status = res.status;
        resBody = res.body;
        retryAfter = Number(res.headers['retry-after'] ?? 1);
      } catch {
        // No answer: the API is down or did not answer in time. Same request, same key, later.
      }
      sent.attempts.push({ sentAt, answeredAt: Date.now(), status, code: (resBody as { error?: { code?: string } })?.error?.code });
      sent.status = status;
      sent.body = resBody;
      if (!NO_ANSWER.has(status) && status !== 429) return sent;
      if (Date.now() > opts.giveUpAt()) return sent;
      await sleep(Math.min(maxBackoffMs, Math.max(100, retryAfter * 1000)));
    }
  }

  return {
    /** POST /v1/cases with a key; a retry after a lost answer gets the same case. */
    open(body: Record<string, unknown>) {
      return send({ what: 'open', key: `open-${randomUUID()}` }, '/v1/cases', body);
    },
    /** A case action carrying `marker` in its data; `ifMatch` for actions that depend on what the caller saw. */
    act(caseId: string, action: Record<string, unknown> & { type: string }, marker: string, ifMatch?: number) {
      return send({ what: action.type, caseId, marker, key: `act-${randomUUID()}` }, `/v1/cases/${caseId}/actions`, action, ifMatch);
    },
  };
}
export type CarefulClient = ReturnType<typeof carefulClient>;

/** Actions that every open, not-held case in its first stages allows, each with a marker in its data. */
export function markedAction(i: number): { action: Record<string, unknown> & { type: string }; marker: string; needsIfMatch: boolean } {
  const marker = `m-${randomUUID()}`;
  switch (i % 4) {
    case 0:
      return { action: { type: 'add_note', text: marker }, marker, needsIfMatch: false };
    case 1:
      return { action: { type: 'set_priority', priority: (['high', 'normal', 'critical'] as const)[i % 3], reason: marker }, marker, needsIfMatch: true };
    case 2:
      return { action: { type: 'record_screening', outcome: i % 8 === 2 ? 'victim' : 'undetermined', basis: marker }, marker, needsIfMatch: true };
    default:
      return { action: { type: 'record_sighting', location: { country: 'MM', region: 'Kayin' }, observedAt: '2026-10-20T00:00:00Z', source: marker }, marker, needsIfMatch: false };
  }
}

/**
 * One caseworker working their case until `until()` says stop: actions one after another, each with
 * If-Match when it needs it; a 412 means someone else moved the case first, so they look again.
 */
export async function workCase(client: CarefulClient, caseId: string, version: number, until: () => boolean, start = 0): Promise<number> {
  let seen = version;
  for (let i = start; !until(); i++) {
    const { action, marker, needsIfMatch } = markedAction(i);
    const res = await client.act(caseId, action, marker, needsIfMatch ? seen : undefined);
    const body = res.body as { version?: number; error?: { details?: { version?: number } } } | undefined;
    if (res.status === 200 && typeof body?.version === 'number') seen = Math.max(seen, body.version);
    if (res.status === 412 && typeof body?.error?.details?.version === 'number') seen = body.error.details.version;
  }
  return seen;
}

/**
 * A busy day: each caseworker opens a case, records three things at once right away (the opening step
 * and the first updates meet in the workflow), then works it step after step; the supervisors add
 * notes to every open case meanwhile (concurrent actions on one case). Each `moreCases` promise that
 * resolves makes every caseworker open and work one more case. `stop()` ends the day: everyone
 * finishes the request they are on (retrying until `giveUpAt`) and stops.
 */
export function busyDay(opts: {
  http: () => Http;
  caseworkers: string[];
  /** The first one also ends the day with the last note on every case (`stuckCases`). */
  supervisors: string[];
  consulateId: string;
  journal: Journal;
  client: CarefulOptions;
  moreCases?: Array<Promise<void>>;
  person: () => Record<string, unknown>;
}) {
  let stopping = false;
  const until = () => stopping;
  const caseIds: string[] = [];
  const supervisors = opts.supervisors.map((token) => carefulClient(opts.http, token, opts.journal, opts.client));

  const caseworker = async (token: string, i: number) => {
    const client = carefulClient(opts.http, token, opts.journal, opts.client);
    const work = async (delayMs: number) => {
      await sleep(delayMs);
      if (stopping) return;
      const opened = await client.open({ person: opts.person(), consulateId: opts.consulateId });
      if (opened.status !== 201) return;
      const { id, version } = opened.body as { id: string; version: number };
      caseIds.push(id);
      const first = [markedAction(0), markedAction(1), markedAction(3)];
      await Promise.all(first.map((a) => client.act(id, a.action, a.marker, a.needsIfMatch ? version : undefined)));
      await workCase(client, id, version, until, i);
    };
    await Promise.all([work(i * 150), ...(opts.moreCases ?? []).map((p) => p.then(() => work(i * 150)))]);
  };
  const supervising = async (supervisor: CarefulClient) => {
    for (let i = 0; !stopping; i++) {
      await Promise.all(
        caseIds.slice().map((id) => {
          const marker = `m-${randomUUID()}`;
          return supervisor.act(id, { type: 'add_note', text: marker }, marker);
        }),
      );
      await sleep(250);
    }
  };
  const day = Promise.all([...opts.caseworkers.map(caseworker), ...supervisors.map(supervising)]);
  return {
    caseIds,
    supervisor: supervisors[0]!,
    async stop() {
      stopping = true;
      await day;
    },
  };
}

/** Resolves once `cases` holds at least `minCases` cases and each has answered `n` actions 2xx. */
export function untilEveryCaseAnswered(journal: Journal, cases: string[], minCases: number, n: number): Promise<true> {
  return waitFor(
    `${n} answered actions on each of ${minCases} cases`,
    async () => cases.length >= minCases && cases.every((id) => (journal.appliedPerCase().get(id) ?? 0) >= n),
    90_000,
    50,
  );
}

// ---- what must hold afterwards ----

export interface TimelineReport {
  /** Answered 2xx but not in the timeline. */
  lost: string[];
  /** In the timeline more than once. */
  doubled: string[];
  /** Refused (4xx) yet in the timeline. */
  refusedButApplied: string[];
  /** Cases whose timeline has gaps or repeats in its sequence numbers. */
  gaps: string[];
}

/** The statuses a request got, run-length encoded: "0×8,503,200". */
export function answers(s: Sent): string {
  const out: string[] = [];
  for (let i = 0; i < s.attempts.length; ) {
    let j = i;
    while (j + 1 < s.attempts.length && s.attempts[j + 1]!.status === s.attempts[i]!.status) j++;
    out.push(j > i ? `${s.attempts[i]!.status}×${j - i + 1}` : String(s.attempts[i]!.status));
    i = j + 1;
  }
  return out.join(',');
}

/** 1,2,3,5,6 → "1-3,5-6". */
function ranges(seqs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < seqs.length; ) {
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j++;
    out.push(i === j ? `${seqs[i]}` : `${seqs[i]}-${seqs[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** Checks every marked request of `journal` against the timelines in the read model. */
export async function checkTimelines(db: Db, cipher: FieldCipher, journal: Journal): Promise<TimelineReport> {
  const report: TimelineReport = { lost: [], doubled: [], refusedButApplied: [], gaps: [] };
  const caseIds = [...new Set(journal.sent.flatMap((s) => (s.caseId ? [s.caseId] : [])))];
  for (const caseId of caseIds) {
    // Timeline data is sealed at rest: opened here as the API would, then searched as text.
    const { rows: sealed } = await db.$client.query<{ seq: number; data: unknown }>('select seq, data from case_events where case_id = $1 order by seq', [caseId]);
    const rows = sealed.map((r) => ({ seq: r.seq, data: JSON.stringify(cipher.open(r.data, aad.eventData(caseId, r.seq))) }));
    if (rows.some((r, i) => r.seq !== i + 1)) report.gaps.push(`${caseId}: seqs ${ranges(rows.map((r) => r.seq))}`);
    for (const s of journal.sent.filter((x) => x.caseId === caseId && x.marker)) {
      const n = rows.filter((r) => r.data.includes(s.marker!)).length;
      const label = `${s.what} ${s.marker} on ${caseId} (answered ${answers(s)})`;
      if (n > 1) report.doubled.push(label);
      if (s.status >= 200 && s.status < 300 && n === 0) report.lost.push(label);
      if (s.status >= 400 && s.status < 500 && n > 0) report.refusedButApplied.push(label);
    }
  }
  return report;
}

const queryCase = (temporal: Client, id: string) => temporal.workflow.getHandle(caseWorkflowId(id)).query(caseQuery);

/** The read model of each case (its row and snapshot) against what its workflow says now. */
export async function readModelMismatches(db: Db, cipher: FieldCipher, temporal: Client, caseIds: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of caseIds) {
    let view: Awaited<ReturnType<typeof queryCase>>;
    try {
      view = await queryCase(temporal, id);
    } catch (err) {
      out.push(`${id}: the workflow does not answer: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
      continue;
    }
    const { rows } = await db.$client.query<{ version: number; stage: string; status: string; snapshot: unknown }>(
      'select version, stage, status, snapshot from cases where id = $1',
      [id],
    );
    const row = rows[0];
    if (!row) {
      out.push(`${id}: no row`);
      continue;
    }
    try {
      expect(openSnapshot(cipher, { id, snapshot: row.snapshot })).toEqual(JSON.parse(JSON.stringify(view)));
      expect({ version: row.version, stage: row.stage, status: row.status }).toEqual({ version: view.version, stage: view.stage, status: view.status });
    } catch (err) {
      out.push(`${id}: read model at version ${row.version}, workflow at ${view.version}: ${(err as Error).message.slice(0, 300)}`);
    }
  }
  return out;
}

/** Workflow tasks that failed in any run of these cases, and runs that do not replay on today's code. */
export async function historyProblems(temporal: Client, config: Pick<Config, 'payloadKeys' | 'activePayloadKeyId'>, caseIds: string[]) {
  const taskFailures: string[] = [];
  const runs = [];
  for (const id of caseIds) {
    for (const run of await allRuns(temporal, caseWorkflowId(id))) {
      runs.push(run);
      taskFailures.push(...workflowTaskFailures(run.history).map((f) => `${id} run ${run.runId}: ${f}`));
    }
  }
  return { taskFailures, replayFailures: await replayFailures(runs, config), runs: runs.length };
}

/**
 * Everything that must be empty after a fault, in one object, so a failure shows every kind of
 * damage at once: 5xx other than 503, requests never answered, cases that no longer act, timeline
 * damage, read model against workflow, failed workflow tasks and histories that do not replay.
 */
export async function faultReport(
  h: Pick<Harness, 'db' | 'temporal' | 'config' | 'office'>,
  journal: Journal,
  day: { caseIds: string[]; supervisor: CarefulClient },
  expectedCases: number,
) {
  const opened = await h.db.$client.query<{ n: number }>('select count(*)::int as n from cases where office = $1', [h.office]);
  const casesOpened = [day.caseIds.length, opened.rows[0]!.n].filter((n) => n !== expectedCases).map((n) => `${n} cases, expected ${expectedCases}`);
  const serverErrors = journal.serverErrors().map((a) => `${a.what}: ${a.status} ${a.code ?? ''}`);
  const unanswered = journal.unanswered().map((s) => `${s.what} ${s.caseId ?? ''}: ${answers(s)}`);
  const stuck = await stuckCases(day.supervisor, day.caseIds);
  const cipher = fieldCipher(h.config);
  const timeline = await checkTimelines(h.db, cipher, journal);
  // Deadlines may still be firing (a fast clock): the two must meet within a few seconds.
  let readModel = await readModelMismatches(h.db, cipher, h.temporal, day.caseIds);
  for (const until = Date.now() + 15_000; readModel.length > 0 && Date.now() < until; ) {
    await sleep(500);
    readModel = await readModelMismatches(h.db, cipher, h.temporal, day.caseIds);
  }
  const histories = await historyProblems(h.temporal, h.config, day.caseIds);
  return { casesOpened, serverErrors, unanswered, stuck, ...timeline, readModel, taskFailures: histories.taskFailures, replayFailures: histories.replayFailures };
}

export const NO_DAMAGE = {
  casesOpened: [],
  serverErrors: [],
  unanswered: [],
  stuck: [],
  lost: [],
  doubled: [],
  refusedButApplied: [],
  gaps: [],
  readModel: [],
  taskFailures: [],
  replayFailures: [],
};

/** A last note on every case, retried carefully: a case that cannot take it in time is stuck. */
export async function stuckCases(client: CarefulClient, caseIds: string[]): Promise<string[]> {
  const results = await Promise.all(
    caseIds.map((id) => {
      const marker = `after-${randomUUID()}`;
      return client.act(id, { type: 'add_note', text: marker }, marker);
    }),
  );
  return results.filter((r) => r.status !== 200).map((r) => `${r.caseId}: ${answers(r)} ${JSON.stringify(r.body).slice(0, 160)}`);
}

/** The people of a busy office: `n` caseworkers and two supervisors, as tokens. */
export async function officeStaff(h: Pick<Harness, 'token' | 'office'>, n: number): Promise<{ caseworkers: string[]; supervisors: string[] }> {
  return {
    caseworkers: await Promise.all(Array.from({ length: n }, (_, i) => h.token('caseworker', { office: h.office, sub: `cw-${i}` }))),
    supervisors: await Promise.all(['sup-ben', 'sup-lin'].map((sub) => h.token('supervisor', { office: h.office, sub }))),
  };
}
