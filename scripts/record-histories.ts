// Records the histories of representative cases into test/fixtures/histories, for the replay tests
// that keep workflow changes from breaking running cases. Starts its own in-memory Temporal dev
// servers (one with a low continue-as-new threshold) and uses the database of DATABASE_URL.
//   npm run record:histories            record every scenario
//   npm run record:histories -- hold    record the scenarios whose name contains "hold"
// Existing fixture files are never overwritten: old histories must keep replaying as they were.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { loadConfig } from '../config/index.js';
import { migrateDatabase } from '../db/migrate.js';
import { bulkActionWorkflowId, caseWorkflowId, exitRestrictionWorkflowId, operationWorkflowId } from '../domain/ids.js';
import { ensureSearchAttributes, startTemporalDevServer } from './temporal-server.js';
import { type Harness, createConsulate, quietRuntime, startHarness } from '../test/support/harness.js';
import * as drive from '../test/support/drive.js';
import { chaosSession } from '../test/support/chaos.js';
import { allRuns, replayFailures } from '../test/support/histories.js';
import { NativeConnection, createCaseWorker } from '../worker/worker.js';

// Binary protobuf (base64): historyToJSON trips over the two protobufjs copies under native ESM.
const { History } = proto.temporal.api.history.v1;

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'histories');
const DAY = 86_400;

interface Scenario {
  name: string;
  timeScale?: number;
  lowContinueAsNew?: boolean;
  maxMessagesPerRun?: number;
  /** The scenario starts the worker itself (to open cases while none polls). */
  workerAway?: boolean;
  run(
    h: Harness,
    p: drive.People,
    consulateId: string,
    withWorker: <T>(fn: () => Promise<T>) => Promise<T>,
  ): Promise<{ caseId?: string; caseIds?: string[]; extraWorkflowIds?: string[]; stillOpen?: boolean }>;
}

const scenarios: Scenario[] = [
  {
    name: 'every-stage-to-closed',
    async run(h, p, consulateId) {
      const c = await drive.openCase(h.http, p.caseworker, consulateId, { riskFlags: ['abused'] });
      await drive.act(h.http, p.caseworker, c.id, { type: 'record_sighting', location: { country: 'MM' }, observedAt: '2026-10-01T08:00:00Z', source: 'family' });
      await drive.toEmployment(h.http, p, c.id);
      await drive.act(h.http, p.caseworker, c.id, { type: 'record_assessment', skills: ['sewing'], education: 'secondary', preferredRegion: 'NCR', needs: [] });
      const placed = await drive.act(h.http, p.caseworker, c.id, { type: 'record_placement', employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false });
      for (const t of placed.openTasks.filter((x) => x.type === 'follow_up')) {
        await drive.act(h.http, p.caseworker, c.id, { type: 'record_follow_up', taskId: t.id, outcome: 'employed' });
      }
      await drive.approveClosure(h.http, p, c.id);
      return { caseId: c.id };
    },
  },
  {
    name: 'follow-ups-on-schedule',
    // 180 days pass in about 4 seconds.
    timeScale: 4 / (180 * DAY),
    async run(h, p, consulateId) {
      const c = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toEmployment(h.http, p, c.id);
      await drive.act(h.http, p.caseworker, c.id, { type: 'record_placement', employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false });
      for (let done = 0; done < 3; done++) {
        const [task] = await drive.waitFor('a follow-up', async () => {
          const open = await drive.openTasksOf(h.http, p.caseworker, c.id, 'follow_up');
          return open.length > 0 ? open : undefined;
        });
        await drive.act(h.http, p.caseworker, c.id, { type: 'record_follow_up', taskId: task!.id, outcome: 'employed' });
      }
      await drive.approveClosure(h.http, p, c.id);
      return { caseId: c.id };
    },
  },
  {
    name: 'every-stage-local-persist',
    async run(h, p, consulateId) {
      const c = await drive.openCase(h.http, p.caseworker, consulateId, { riskFlags: ['abused'] });
      await drive.toEmployment(h.http, p, c.id);
      await drive.act(h.http, p.caseworker, c.id, { type: 'record_placement', employer: 'Manila Garments', position: 'seamstress', startDate: '2026-12-01', abroad: false });
      await drive.act(h.http, p.caseworker, c.id, { type: 'request_closure', reason: 'reintegrated' });
      await drive.approveClosure(h.http, p, c.id);
      return { caseId: c.id };
    },
  },
  {
    name: 'hold-and-resume',
    async run(h, p, consulateId) {
      const c = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toConsularContact(h.http, p, c.id);
      await drive.act(h.http, p.caseworker, c.id, { type: 'hold', reason: 'person in hospital' });
      await drive.act(h.http, p.caseworker, c.id, { type: 'add_note', text: 'visited' });
      await drive.act(h.http, p.caseworker, c.id, { type: 'resume' });
      await drive.act(h.http, p.caseworker, c.id, { type: 'request_closure', reason: 'transferred' });
      await drive.approveClosure(h.http, p, c.id);
      return { caseId: c.id };
    },
  },
  {
    name: 'consular-task-escalation',
    // A day lasts about 40 ms: the shelter task's whole ladder passes in a fraction of a second.
    timeScale: 0.5 / DAY,
    async run(h, p, consulateId) {
      const c = await drive.openCase(h.http, p.caseworker, consulateId, { riskFlags: ['abused'] });
      await drive.toConsularContact(h.http, p, c.id);
      await drive.waitFor('second escalation', async () =>
        (await drive.openTasksOf(h.http, p.consul, c.id, 'arrange_shelter')).find((t) => t.escalationLevel === 2),
      );
      await drive.act(h.http, p.caseworker, c.id, { type: 'request_closure', reason: 'transferred' });
      await drive.approveClosure(h.http, p, c.id);
      return { caseId: c.id };
    },
  },
  {
    name: 'continue-as-new',
    lowContinueAsNew: true,
    async run(h, p, consulateId) {
      const c = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toConsularContact(h.http, p, c.id);
      for (let i = 0; i < 12; i++) await drive.act(h.http, p.caseworker, c.id, { type: 'add_note', text: `note ${i}` });
      await drive.act(h.http, p.caseworker, c.id, { type: 'request_closure', reason: 'lost_contact' });
      await drive.approveClosure(h.http, p, c.id);
      return { caseId: c.id, allRuns: true };
    },
  },
  // Opened while no worker polls, then bursts of concurrent requests from everyone, a day in under
  // two seconds so deadlines fire meanwhile, continue-as-new every 8 messages. The "legacy" one was
  // recorded on the workflow code before steps were serialised (d2060fd), keeping only the cases
  // that code could replay itself: today's code must replay them as they are.
  ...['concurrent-steps', 'concurrent-steps-2', 'concurrent-steps-legacy'].map(
    (name, i): Scenario => ({
      name,
      timeScale: 0.00002,
      maxMessagesPerRun: 8,
      // The legacy code could not replay an opening shared with updates at all: open with a worker there.
      workerAway: name !== 'concurrent-steps-legacy',
      async run(h, p, consulateId, withWorker) {
        const rounds = Array.from({ length: 6 }, (_, k) => ({ seed: 1000 * i + k, burst: 2 + (k % 3), pauseMs: k % 2 === 0 ? 0 : 700 }));
        const { caseIds } = await chaosSession(h, p, consulateId, {
          openSeed: 42 + i,
          rounds,
          withWorker,
          openCase: (extra) => drive.openCase(h.http, p.caseworker, consulateId, extra),
        });
        return { caseIds, stillOpen: true };
      },
    }),
  ),
  {
    // A supervisor asks for a closure; their own decision is refused (four eyes, issue #8) and
    // another supervisor decides it: the decision is taken behind the 'four-eyes' patch marker.
    name: 'four-eyes',
    async run(h, p, consulateId) {
      const c = await drive.openCase(h.http, p.caseworker, consulateId);
      const closing = await drive.act(h.http, p.supervisor, c.id, { type: 'request_closure', reason: 'duplicate' });
      const approvalId = (closing.pendingApprovals as Array<{ id: string }>)[0]!.id;
      const own = await h.http.post(`/v1/approvals/${approvalId}/decision`).set('Authorization', `Bearer ${p.supervisor}`).send({ decision: 'approved' });
      if (own.status !== 403) throw new Error(`the requester's own decision was not refused: ${own.status}`);
      const colleague = await h.token('supervisor', { office: h.office, sub: 'sup-cruz' });
      const decided = await h.http.post(`/v1/approvals/${approvalId}/decision`).set('Authorization', `Bearer ${colleague}`).send({ decision: 'approved' });
      if (decided.status !== 200) throw new Error(`approve: ${decided.status} ${JSON.stringify(decided.body)}`);
      return { caseId: c.id };
    },
  },
  {
    // Recorded on the code before the four-eyes rule (ea4b957): a supervisor requested a closure and
    // approved it alone. Today's code must replay it as it ran (the handler's check is behind the
    // 'four-eyes' patch); on today's code this scenario can no longer be recorded.
    name: 'self-approval-before-four-eyes',
    async run(h, p, consulateId) {
      const c = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.act(h.http, p.supervisor, c.id, { type: 'request_closure', reason: 'duplicate' });
      await drive.approveClosure(h.http, p, c.id);
      return { caseId: c.id };
    },
  },
  {
    // A raid of three taken in by an operation, then two bulk actions: the extraction of everyone
    // (each case gets an update with a bulk-derived id), and a booking that two cases refuse. The
    // operation and bulk action workflows are recorded with the cases.
    name: 'bulk-action-on-a-raid',
    async run(h, p, consulateId) {
      const { bulkDone, raid, EXTRACTION, flight } = await import('../test/support/bulk.js');
      const r = await raid(h, p.caseworker, consulateId, 3);
      const extracted = await bulkDone(h.http, p.caseworker, r.id, EXTRACTION);
      const booked = await bulkDone(h.http, p.caseworker, r.id, { ...flight('M-1'), caseIds: r.caseIds.slice(0, 2) });
      if (booked.failedCount !== 2) throw new Error(`expected two refusals, got ${JSON.stringify(booked)}`);
      return {
        caseIds: r.caseIds,
        stillOpen: true,
        extraWorkflowIds: [operationWorkflowId(r.id), bulkActionWorkflowId(extracted.id), bulkActionWorkflowId(booked.id)],
      };
    },
  },
  {
    // A raid whose cases are opened by their batch (issue 12): each workflow starts from the opened
    // state the batch wrote, then gets a bulk extraction and, at the same time, notes from people
    // acting on half of the cases one by one, so updates of both kinds share workflow tasks.
    name: 'raid-opened-by-its-batch',
    async run(h, p, consulateId) {
      const { postBulk, raid, waitBulk, EXTRACTION } = await import('../test/support/bulk.js');
      const r = await raid(h, p.caseworker, consulateId, 8);
      const bulk = await postBulk(h.http, p.caseworker, r.id, EXTRACTION);
      if (bulk.status !== 202) throw new Error(`bulk extraction: ${bulk.status}`);
      await Promise.all(r.caseIds.slice(0, 4).map((id) => drive.act(h.http, p.caseworker, id, { type: 'add_note', text: 'seen at the handover' })));
      const done = await waitBulk(h.http, p.caseworker, r.id, bulk.body.id as string);
      if (done.failedCount !== 0) throw new Error(`bulk extraction refused: ${JSON.stringify(done)}`);
      await Promise.all(r.caseIds.map((id) => drive.act(h.http, p.caseworker, id, { type: 'set_priority', priority: 'high', reason: 'minor among them' })));
      return { caseIds: r.caseIds, stillOpen: true, extraWorkflowIds: [operationWorkflowId(r.id), bulkActionWorkflowId(bulk.body.id as string)] };
    },
  },
  {
    // A child's case (issue #9): the travel document joins the person's documents behind the
    // 'travel-document-joins-person' marker; the person is corrected and the guardian recorded; the
    // guardian's consent and the booking are taken behind 'minor-safeguards', after a refused booking.
    name: 'minor-safeguards-and-travel-document',
    async run(h, p, consulateId) {
      const c = await drive.openCase(h.http, p.caseworker, consulateId, { riskFlags: ['minor'] });
      await drive.act(h.http, p.caseworker, c.id, { type: 'update_person', nativeName: 'Maria Santos', nationalities: ['ES'], reason: 'as her mother spells it' });
      await drive.toReturn(h.http, p, c.id);
      const booking = { type: 'book_return', departureAt: '2026-11-02T06:00:00Z', arrivalPort: 'MNL' };
      const refused = await h.http.post(`/v1/cases/${c.id}/actions`).set('Authorization', `Bearer ${p.caseworker}`).send(booking);
      if (refused.status !== 409) throw new Error(`a minor's return was booked without the safeguards: ${refused.status}`);
      await drive.act(h.http, p.caseworker, c.id, { type: 'update_person', guardian: { fullName: 'Rosa Santos', relationship: 'parent' }, reason: 'mother found' });
      await drive.act(h.http, p.caseworker, c.id, { type: 'record_consent', dataSharing: 'granted', givenBy: 'guardian' });
      await drive.act(h.http, p.caseworker, c.id, { type: 'record_best_interests', determination: 'return_in_best_interests', decidedBy: 'DSWD social worker' });
      await drive.act(h.http, p.caseworker, c.id, booking);
      await drive.act(h.http, p.caseworker, c.id, { type: 'add_risk_flag', flag: 'abused', reason: 'told the social worker' });
      await drive.act(h.http, p.caseworker, c.id, { type: 'remove_risk_flag', flag: 'minor', reason: 'turned 18 on the journey' });
      await drive.act(h.http, p.caseworker, c.id, { type: 'request_closure', reason: 'transferred' });
      await drive.approveClosure(h.http, p, c.id);
      return { caseId: c.id };
    },
  },
  {
    // Recorded on the code before issue #9's fixes (eae31ea): the three dead ends as they ran there.
    // Data sharing withdrawn during consular contact, the review reissued (another review) and then
    // decided proceed (nothing happens); the authority's review rejected, decided proceed in one case
    // and wait in another (nothing happens); a medical check unfit, the return booked all the same.
    // Today's code must replay them as they ran; on it this scenario can no longer be recorded.
    name: 'dead-ends-before-fixes',
    async run(h, p, consulateId) {
      const decide = async (caseId: string, topic: string, decision: string) => {
        const review = await drive.reviewOf(h.http, p, caseId, topic);
        const res = await h.http.post(`/v1/tasks/${review.id}/complete`).set('Authorization', `Bearer ${p.supervisor}`).send({ result: { decision } });
        if (res.status !== 200) throw new Error(`decide ${topic} ${decision}: ${res.status} ${JSON.stringify(res.body)}`);
      };
      const withdrawn = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toConsularContact(h.http, p, withdrawn.id);
      await drive.act(h.http, p.caseworker, withdrawn.id, { type: 'record_consent', dataSharing: 'withdrawn' });
      await decide(withdrawn.id, 'data_sharing_withdrawn', 'reissue');
      await decide(withdrawn.id, 'data_sharing_withdrawn', 'proceed');

      const rejected: string[] = [];
      for (const decision of ['proceed', 'wait']) {
        const c = await drive.openCase(h.http, p.caseworker, consulateId);
        await drive.toExitRestrictionCheck(h.http, p, c.id);
        const [review] = await drive.openTasksOf(h.http, p.immigration, c.id, 'exit_restriction_review');
        await h.http.post(`/v1/tasks/${review!.id}/reject`).set('Authorization', `Bearer ${p.immigration}`).send({ reason: 'no record of this person' });
        await decide(c.id, 'task_rejected', decision);
        rejected.push(c.id);
      }

      const unfit = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toConsularContact(h.http, p, unfit.id, { injured: true });
      for (const t of await drive.openTasksOf(h.http, p.consul, unfit.id)) {
        await drive.completeTask(h.http, p.consul, t.id, t.type === 'arrange_medical_check' ? { fitToTravel: false } : drive.CONSULAR_RESULTS[t.type]!);
      }
      await drive.act(h.http, p.caseworker, unfit.id, { type: 'book_return', departureAt: '2026-12-02T06:00:00Z', arrivalPort: 'MNL' });
      return { caseIds: [withdrawn.id, ...rejected, unfit.id], stillOpen: true };
    },
  },
  {
    // The same situations after issue #9's fixes, behind their patch markers: data sharing withdrawn,
    // the review decided wait (asked again when the wait ends) and then proceed (the case moves on to
    // its return); the authority's review rejected, decided wait (sent again), rejected again and
    // decided proceed (employment assistance without a decision); a medical check unfit, the booking
    // refused until record_medical says fit.
    name: 'no-dead-ends',
    // A week passes in about 150 ms: supervisors' waits end while the scenario runs.
    timeScale: 4 / (180 * DAY),
    async run(h, p, consulateId) {
      const decide = async (caseId: string, topic: string, decision: string, taskType?: string) => {
        const review = await drive.reviewOf(h.http, p, caseId, topic, taskType);
        const res = await h.http.post(`/v1/tasks/${review.id}/complete`).set('Authorization', `Bearer ${p.supervisor}`).send({ result: { decision } });
        if (res.status !== 200) throw new Error(`decide ${topic} ${decision}: ${res.status} ${JSON.stringify(res.body)}`);
        return review.id;
      };
      const withdrawn = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toConsularContact(h.http, p, withdrawn.id);
      await drive.act(h.http, p.caseworker, withdrawn.id, { type: 'record_consent', dataSharing: 'withdrawn' });
      const first = await decide(withdrawn.id, 'data_sharing_withdrawn', 'wait');
      await drive.waitFor('the review asked again', async () => (await drive.reviewOf(h.http, p, withdrawn.id, 'data_sharing_withdrawn')).id !== first);
      await decide(withdrawn.id, 'data_sharing_withdrawn', 'proceed');

      const rejected = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toExitRestrictionCheck(h.http, p, rejected.id);
      const reject = async () => {
        const review = await drive.waitFor('the exit restriction review', async () => (await drive.openTasksOf(h.http, p.immigration, rejected.id, 'exit_restriction_review'))[0]);
        const res = await h.http.post(`/v1/tasks/${review.id}/reject`).set('Authorization', `Bearer ${p.immigration}`).send({ reason: 'no record of this person' });
        if (res.status !== 200) throw new Error(`reject: ${res.status} ${JSON.stringify(res.body)}`);
      };
      await reject();
      await decide(rejected.id, 'task_rejected', 'wait', 'exit_restriction_review');
      await reject();
      await decide(rejected.id, 'task_rejected', 'proceed', 'exit_restriction_review');

      const unfit = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toConsularContact(h.http, p, unfit.id, { injured: true });
      for (const t of await drive.openTasksOf(h.http, p.consul, unfit.id)) {
        await drive.completeTask(h.http, p.consul, t.id, t.type === 'arrange_medical_check' ? { fitToTravel: false } : drive.CONSULAR_RESULTS[t.type]!);
      }
      const book = { type: 'book_return', departureAt: '2026-12-02T06:00:00Z', arrivalPort: 'MNL' };
      const refused = await h.http.post(`/v1/cases/${unfit.id}/actions`).set('Authorization', `Bearer ${p.caseworker}`).send(book);
      if (refused.status !== 409) throw new Error(`book_return for a person unfit to travel: ${refused.status}`);
      await drive.act(h.http, p.caseworker, unfit.id, { type: 'record_medical', fitToTravel: true });
      await drive.act(h.http, p.caseworker, unfit.id, book);
      return { caseIds: [withdrawn.id, rejected.id, unfit.id], stillOpen: true };
    },
  },
  {
    name: 'exit-restriction-outlives-case',
    // One year of restriction passes in about 3 seconds.
    timeScale: 3 / (365 * DAY),
    async run(h, p, consulateId) {
      const c = await drive.openCase(h.http, p.caseworker, consulateId);
      const until = new Date(Date.now() + 365 * DAY * 1000).toISOString().slice(0, 10);
      const from = new Date().toISOString().slice(0, 10);
      await drive.toEmployment(h.http, p, c.id, { decision: 'restricted', basis: 'Exit and Entry Administration Law art. 12', from, until });
      await drive.act(h.http, p.caseworker, c.id, { type: 'request_closure', reason: 'transferred' });
      await drive.approveClosure(h.http, p, c.id);
      const wid = exitRestrictionWorkflowId(c.id);
      await h.temporal.workflow.getHandle(wid).result();
      return { caseId: c.id, extraWorkflowIds: [wid] };
    },
  },
  {
    // Issue #9: a case moves to another office on that office's approval (its office search attribute
    // is upserted), is referred to the police with the person's consent, is closed there and reopened;
    // the new case opens with its link to the closed one and is closed in turn.
    name: 'transfer-referral-reopen',
    async run(h, p, consulateId) {
      const decide = async (token: string, approvalId: string) => {
        const res = await h.http.post(`/v1/approvals/${approvalId}/decision`).set('Authorization', `Bearer ${token}`).send({ decision: 'approved' });
        if (res.status !== 200) throw new Error(`approve: ${res.status} ${JSON.stringify(res.body)}`);
      };
      const pendingId = (view: Record<string, unknown>) => (view.pendingApprovals as Array<{ id: string }>)[0]!.id;
      const cebu = `${h.office}-cebu`;
      const cwCebu = await h.token('caseworker', { office: cebu, sub: 'cw-cebu' });
      const supCebu = await h.token('supervisor', { office: cebu, sub: 'sup-cebu' });

      const c = await drive.openCase(h.http, p.caseworker, consulateId);
      await drive.toConsularContact(h.http, p, c.id);
      await drive.act(h.http, p.caseworker, c.id, { type: 'record_consent', policeReferral: 'granted' });
      await drive.act(h.http, p.caseworker, c.id, { type: 'refer_to_police', agency: 'Philippine National Police', reference: 'PNP-1' });
      await decide(supCebu, pendingId(await drive.act(h.http, p.caseworker, c.id, { type: 'transfer_office', office: cebu, reason: 'moved to Cebu' })));
      await decide(supCebu, pendingId(await drive.act(h.http, cwCebu, c.id, { type: 'request_closure', reason: 'lost_contact' })));
      await h.temporal.workflow.getHandle(caseWorkflowId(c.id)).result();

      const reopened = await h.http.post(`/v1/cases/${c.id}/reopen`).set('Authorization', `Bearer ${supCebu}`).send({ reason: 'found again' });
      if (reopened.status !== 201) throw new Error(`reopen: ${reopened.status} ${JSON.stringify(reopened.body)}`);
      const again = reopened.body as { id: string };
      await decide(supCebu, pendingId(await drive.act(h.http, cwCebu, again.id, { type: 'request_closure', reason: 'duplicate' })));
      return { caseIds: [c.id, again.id] };
    },
  },
];

async function main() {
  const filter = process.argv[2];
  const config = loadConfig();
  // Without DATABASE_URL, a database of its own on the default server: recording never mixes with `npm start`'s cases.
  const fixtures = new URL(config.databaseUrl);
  if (!config.databaseUrlFromEnv) fixtures.pathname = '/homeward_fixtures';
  const databaseUrl = fixtures.toString();
  await migrateDatabase(databaseUrl);
  // Before the dev servers: they bring up the SDK's runtime, which cannot be configured afterwards.
  quietRuntime();
  mkdirSync(OUT, { recursive: true });
  const normal = await startTemporalDevServer({ port: 0, uiPort: false, dbFile: null });
  const low = await startTemporalDevServer({ port: 0, uiPort: false, dbFile: null, dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 } });
  try {
    for (const server of [normal, low]) await ensureSearchAttributes(server.address, 'default');
    for (const s of scenarios) {
      if (filter && !s.name.includes(filter)) continue;
      const file = path.join(OUT, `${s.name}.json`);
      if (existsSync(file)) {
        console.log(`keep ${s.name} (exists)`);
        continue;
      }
      const server = s.lowContinueAsNew ? low : normal;
      const h = await startHarness({
        worker: !s.workerAway,
        config: {
          DATABASE_URL: databaseUrl,
          TEMPORAL_ADDRESS: server.address,
          HOMEWARD_TIME_SCALE: String(s.timeScale ?? 1),
          ...(s.maxMessagesPerRun ? { HOMEWARD_MAX_MESSAGES_PER_RUN: String(s.maxMessagesPerRun) } : {}),
        },
      });
      const connection = await NativeConnection.connect({ address: server.address });
      const withWorker = async <T>(fn: () => Promise<T>): Promise<T> => {
        if (!s.workerAway) return fn();
        const worker = await createCaseWorker({ config: h.config, connection, db: h.db, hasher: h.hasher, temporal: h.temporal });
        const running = worker.run();
        try {
          return await fn();
        } finally {
          worker.shutdown();
          await running;
        }
      };
      try {
        const consulateId = await createConsulate(h);
        const p = await drive.people(h, consulateId);
        const out = await s.run(h, p, consulateId, withWorker);
        const caseIds = out.caseIds ?? [out.caseId!];
        if (!out.stillOpen) for (const id of caseIds) await h.temporal.workflow.getHandle(caseWorkflowId(id)).result();
        const histories: Array<{ workflowId: string; runId: string; events: number; historyBase64: string }> = [];
        for (const workflowId of [...caseIds.map(caseWorkflowId), ...(out.extraWorkflowIds ?? [])]) {
          const runs = await allRuns(h.temporal, workflowId);
          // A fixture must replay on the code that recorded it; anything else is not a fixture but a bug report.
          const failures = await replayFailures(runs, h.config);
          if (failures.length > 0) {
            console.log(`skip ${workflowId}: it does not replay on the code that recorded it\n  ${failures.join('\n  ')}`);
            continue;
          }
          for (const run of runs) {
            histories.push({
              workflowId,
              runId: run.runId,
              events: run.history.events?.length ?? 0,
              historyBase64: Buffer.from(History.encode(run.history).finish()).toString('base64'),
            });
          }
        }
        writeFileSync(file, JSON.stringify({ scenario: s.name, recordedAt: new Date().toISOString(), histories }, null, 1));
        console.log(`recorded ${s.name}: ${histories.map((x) => x.events).join('+')} events`);
      } finally {
        await connection.close();
        await h.stop();
      }
    }
  } finally {
    await normal.stop();
    await low.stop();
  }
}

await main();
