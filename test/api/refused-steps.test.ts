// The second wall, and the cap on what the workflow keeps: a step the read model refuses for good is not applied at all. The workflow's state,
// its version and the read model stay as they were, the caller gets a 4xx, and the case keeps acting.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { allRuns, replayFailures, workflowTaskFailures } from '../support/histories.js';
import { caseWorkflowId } from '../../domain/ids.js';
import { caseQuery } from '../../workflows/definitions.js';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec } from '../../temporal/codec.js';
import { STATE_LIMITS } from '../../domain/case.js';
import { act, actOk, bearer, caseInConsularContact, caseRowOf, countRows, expectError, expectValidation, openBody, openCase, tasksOf, timelineRows } from './support.js';

let h: Harness;
let consulateId: string;
let caseworker: string;
let supervisor: string;

beforeAll(async () => {
  h = await startHarness();
  consulateId = await createConsulate(h);
  caseworker = await h.token('caseworker', { office: h.office });
  supervisor = await h.token('supervisor', { office: h.office });
});
afterAll(async () => {
  await h?.stop();
});

async function expectNoFailedTasksAndReplays(caseId: string) {
  const runs = await allRuns(h.temporal, caseWorkflowId(caseId));
  expect(runs.flatMap((r) => workflowTaskFailures(r.history))).toEqual([]);
  expect(await replayFailures(runs, h.config)).toEqual([]);
}

describe('a step the read model refuses', () => {
  it('when PostgreSQL refuses a value for good, then 400, the case is unchanged in Temporal and in the read model, and its next step succeeds', async () => {
    const { id, version } = await openCase(h, caseworker, openBody(consulateId));
    const marker = `refuse-${randomUUID()}`;
    const fn = `refuse_${randomUUID().replace(/-/g, '')}`;
    // A value the domain accepts but the database will not store (as NUL once was): a trigger of this
    // test's own raises a data exception (SQLSTATE class 22) for this case's notes only (the note's
    // text is sealed at rest, so the trigger cannot read it).
    await h.db.$client.query(`
      create function ${fn}() returns trigger language plpgsql as $$
      begin
        if new.case_id = '${id}' and new.type = 'add_note' then raise exception 'refused by test' using errcode = '22023'; end if;
        return new;
      end $$;
      create trigger ${fn} before insert on case_events for each row execute function ${fn}();`);
    try {
      const refused = await act(h, caseworker, id, { type: 'add_note', text: marker });
      expectValidation(refused, ['(root)']);
      expect((await caseRowOf(h, id))!.version).toBe(version);
      const state = await h.temporal.workflow.getHandle(caseWorkflowId(id)).query(caseQuery);
      expect(state.version).toBe(version);
      expect((await timelineRows(h, id)).filter((e) => e.data.text === marker)).toEqual([]);
    } finally {
      await h.db.$client.query(`drop trigger ${fn} on case_events; drop function ${fn}();`);
    }
    const next = await actOk(h, caseworker, id, { type: 'add_note', text: 'the case still acts' });
    expect(next.version).toBe(version + 1);
    await expectNoFailedTasksAndReplays(id);
  });
});

describe('a supervisor sending work to another consulate', () => {
  async function reviewOfARejection() {
    const caseId = await caseInConsularContact(h, caseworker, consulateId);
    const officer = await h.token('agency_officer', { agency: consulateId });
    const verify = (await tasksOf(h, officer, caseId)).find((t) => t.type === 'verify_nationality')!;
    const rejected = await h.http.post(`/v1/tasks/${verify.id}/reject`).set(bearer(officer)).send({ reason: 'not our national' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const review = (await tasksOf(h, supervisor, caseId)).find((t) => t.type === 'supervisor_review' && t.status === 'open')!;
    return { caseId, review };
  }

  it.each([
    ['an agency that does not exist', () => `nowhere-${randomUUID().slice(0, 8)}`],
    ['the immigration authority', () => h.config.immigrationAgencyId],
  ])('when the consulate named is %s, then 400 on result.consulateId and the review stays open', async (_what, target) => {
    const { caseId, review } = await reviewOfARejection();
    const before = (await caseRowOf(h, caseId))!.version;
    const res = await h.http
      .post(`/v1/tasks/${review.id}/complete`)
      .set(bearer(supervisor))
      .send({ result: { decision: 'reissue', consulateId: target() } });
    expectValidation(res, ['result.consulateId']);
    expect((await caseRowOf(h, caseId))!.version).toBe(before);
    expect((await tasksOf(h, supervisor, caseId)).find((t) => t.id === review.id)!.status).toBe('open');
    const other = await createConsulate(h);
    const ok = await h.http.post(`/v1/tasks/${review.id}/complete`).set(bearer(supervisor)).send({ result: { decision: 'reissue', consulateId: other } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expectError(await act(h, caseworker, caseId, { type: 'add_note', text: 'x\u0000y' }), 400, 'validation_failed');
  });
});

describe('what a user can append', () => {
  let small: Harness;
  beforeAll(async () => {
    small = await startHarness({ config: { HOMEWARD_MAX_MESSAGES_PER_RUN: '10' } });
  });
  afterAll(async () => {
    await small?.stop();
  });

  it('when 60 sightings are recorded, then the timeline keeps all 60 and the state carried into the next run keeps the latest 20', async () => {
    const token = await small.token('caseworker', { office: small.office });
    const { id } = await openCase(small, token, openBody(await createConsulate(small)));
    for (let i = 0; i < 60; i++) {
      await actOk(small, token, id, { type: 'record_sighting', location: { country: 'MM', region: 'Kayin' }, observedAt: '2026-11-01T00:00:00Z', source: `sighting ${i}` });
    }
    expect(await countRows(small, `select count(*) as n from case_events where case_id = $1 and type = 'record_sighting'`, [id])).toBe(60);
    const runs = await allRuns(small.temporal, caseWorkflowId(id));
    expect(runs.length).toBeGreaterThan(1);
    const started = runs.at(-1)!.history.events![0]!.workflowExecutionStartedEventAttributes!;
    const codec = new AesGcmCodec(small.config.payloadKeys, small.config.activePayloadKeyId);
    const [input] = await codec.decode(started.input!.payloads!);
    const carried = defaultPayloadConverter.fromPayload<{ state: { sightings: Array<{ source: string }> } }>(input!);
    expect(carried.state.sightings.length).toBeLessThanOrEqual(STATE_LIMITS.sightings);
    expect(carried.state.sightings.at(-1)!.source).toMatch(/^sighting \d+$/);
    const after = await actOk(small, token, id, { type: 'add_note', text: 'still acts' });
    expect(after.stage).toBe('locating');
  });
});
