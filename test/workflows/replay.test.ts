// Replays every recorded history (test/fixtures/histories, made by `npm run record:histories`)
// against today's workflow code: a change that would break a running case fails here, not in
// production. Histories are replayed with the real codec, since their payloads are encrypted.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { dataConverter } from '../../temporal/client.js';
import { workflowBundle } from '../../worker/worker.js';

const { History } = proto.temporal.api.history.v1;
const { EventType } = proto.temporal.api.enums.v1;
const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'histories');

interface Fixture {
  scenario: string;
  histories: Array<{ workflowId: string; runId: string; events: number; historyBase64: string }>;
}

const fixtures: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Fixture);

const patchIds = (scenario: string) =>
  fixtures
    .find((f) => f.scenario === scenario)!
    .histories.flatMap((h) => History.decode(Buffer.from(h.historyBase64, 'base64')).events ?? [])
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .flatMap((e) => e.markerRecordedEventAttributes!.details!['patch-data']!.payloads!.map((p) => JSON.parse(Buffer.from(p.data!).toString()).id as string));

describe('recorded histories replay against the current workflow code', () => {
  it('when the fixtures are loaded, then there is one per representative case', () => {
    expect(fixtures.map((f) => f.scenario)).toEqual(
      expect.arrayContaining(['every-stage-to-closed', 'every-stage-local-persist', 'follow-ups-on-schedule', 'hold-and-resume', 'consular-task-escalation', 'continue-as-new', 'exit-restriction-outlives-case', 'concurrent-steps', 'concurrent-steps-2', 'concurrent-steps-legacy', 'four-eyes', 'self-approval-before-four-eyes', 'bulk-action-on-a-raid', 'transfer-referral-reopen', 'minor-safeguards-and-travel-document', 'dead-ends-before-fixes', 'no-dead-ends']),
    );
  });

  it('when the transfer fixture is read, then its case upserted the office search attribute on the move (a command no older history has)', () => {
    const upserted = fixtures
      .find((f) => f.scenario === 'transfer-referral-reopen')!
      .histories.flatMap((h) => History.decode(Buffer.from(h.historyBase64, 'base64')).events ?? [])
      .flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
    expect(upserted).toContain('HomewardOffice');
  });

  it('when the follow-up change is replayed both ways, then the old history has no patch marker and the new one has it', () => {
    // Recorded before the change: follow-ups created at placement, no marker; replays the old path.
    expect(patchIds('every-stage-to-closed')).toEqual([]);
    // Recorded after it: follow-ups on schedule, behind the patch.
    expect(patchIds('follow-ups-on-schedule')).toEqual(['follow-ups-on-schedule']);
    // Steps persisted by a local activity (one marker per step instead of an activity triple).
    expect(patchIds('every-stage-local-persist')).toContain('persist-as-local-activity');
  });

  it('when the four-eyes rule is replayed both ways, then only the decision recorded after it carries its patch marker', () => {
    // Decisions recorded before the rule replay without the check in the handler (no marker), even a
    // supervisor's approval of their own request, which the handler would refuse today.
    for (const scenario of ['self-approval-before-four-eyes', 'every-stage-to-closed', 'every-stage-local-persist', 'hold-and-resume', 'concurrent-steps']) {
      expect(patchIds(scenario), scenario).not.toContain('four-eyes');
    }
    expect(patchIds('four-eyes')).toContain('four-eyes');
  });

  it('when the minors\' safeguards and the travel document are replayed both ways, then only the history recorded after them carries their markers', () => {
    // Bookings, consents and travel documents recorded before (concurrent ones included) replay without
    // the rules: no marker, so the handler neither refuses the booking nor adds the document.
    for (const scenario of ['every-stage-to-closed', 'every-stage-local-persist', 'concurrent-steps', 'concurrent-steps-2', 'four-eyes']) {
      expect(patchIds(scenario), scenario).not.toContain('minor-safeguards');
      expect(patchIds(scenario), scenario).not.toContain('travel-document-joins-person');
    }
    expect(patchIds('minor-safeguards-and-travel-document')).toEqual(expect.arrayContaining(['minor-safeguards', 'travel-document-joins-person']));
  });

  it('when the dead ends of issue #9 are replayed both ways, then only the histories recorded after the fixes carry their patch markers', () => {
    // Recorded before the fixes: a withdrawal's review decided proceed did nothing, a rejected exit
    // review decided proceed or wait did nothing, an unfit medical check was ignored. They replay so.
    const fixes = ['consent-reviews-lead-on', 'review-decisions-lead-on', 'unfit-blocks-return'];
    for (const id of fixes) expect(patchIds('dead-ends-before-fixes')).not.toContain(id);
    expect(patchIds('no-dead-ends')).toEqual(expect.arrayContaining(fixes));
  });

  it('when the concurrent fixtures are read, then they hold workflow tasks with several updates each, before and after serialisation', () => {
    const tasksWithSeveralUpdates = (scenario: string) => {
      let count = 0;
      for (const h of fixtures.find((f) => f.scenario === scenario)!.histories) {
        let accepted = 0;
        for (const e of History.decode(Buffer.from(h.historyBase64, 'base64')).events ?? []) {
          if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) accepted++;
          if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
            if (accepted > 1) count++;
            accepted = 0;
          }
        }
      }
      return count;
    };
    for (const scenario of ['concurrent-steps', 'concurrent-steps-2', 'concurrent-steps-legacy']) expect(tasksWithSeveralUpdates(scenario), scenario).toBeGreaterThan(3);
    expect(patchIds('concurrent-steps')).toContain('serialised-steps');
    expect(patchIds('concurrent-steps-legacy')).not.toContain('serialised-steps');
  });

  for (const fixture of fixtures) {
    it(`when ${fixture.scenario} is replayed, then every run replays without nondeterminism`, async () => {
      const histories = fixture.histories.map((h) => ({
        workflowId: h.workflowId,
        history: History.decode(Buffer.from(h.historyBase64, 'base64')),
      }));
      const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
      const results = [];
      for await (const result of Worker.runReplayHistories(
        { workflowBundle: await workflowBundle(), dataConverter: dataConverter(config), replayName: fixture.scenario },
        histories,
      )) {
        results.push(result);
      }
      expect(results).toHaveLength(fixture.histories.length);
      for (const r of results) expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
    });
  }
});
