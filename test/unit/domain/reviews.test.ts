// Supervisor reviews (domain/case/reviews.ts): rejected tasks, reissue, proceed and wait.
import { describe, expect, it } from 'vitest';
import { openTasks, rejectTask, validateTaskRejection } from '../../../domain/case.js';
import { officer, rejection, supervisor, world } from './world.js';

describe('supervisor reviews', () => {
  it('when a consulate rejects a task, then a supervisor reviews it and can reissue it to another consulate', () => {
    const w = world();
    w.extract();
    const verify = w.openTask('verify_nationality')!;
    rejectTask(w.state, validateTaskRejection(w.state, verify.id), 'not our national', w.ctx(officer));
    const review = w.openTask('supervisor_review')!;
    expect(review.review).toEqual({ topic: 'task_rejected', taskId: verify.id });
    expect(review.input).toMatchObject({ topic: 'task_rejected', taskType: 'verify_nationality', reason: 'not our national' });
    const change = w.complete('supervisor_review', { decision: 'reissue', consulateId: 'ph-kul' }, supervisor);
    expect(change.events.map((e) => e.type)).toContain('consulate_changed');
    const reissued = w.openTask('verify_nationality')!;
    expect(reissued.id).not.toBe(verify.id);
    expect(reissued.agencyId).toBe('ph-kul');
    expect(w.state.consulateId).toBe('ph-kul');
  });

  it('when a review is decided "wait", then nothing else changes', () => {
    const w = world();
    w.extract();
    const verify = w.openTask('verify_nationality')!;
    rejectTask(w.state, verify, 'later', w.ctx(officer));
    const before = openTasks(w.state).map((t) => t.id).filter((id) => id !== w.openTask('supervisor_review')!.id);
    w.complete('supervisor_review', { decision: 'wait' }, supervisor);
    expect(openTasks(w.state).map((t) => t.id)).toEqual(before);
    expect(w.state.stage).toBe('consular_contact');
  });

  it('when someone rejects a review or a closed task, then it is refused', () => {
    const w = world();
    w.extract();
    rejectTask(w.state, w.openTask('verify_nationality')!, 'no', w.ctx(officer));
    expect(rejection(() => validateTaskRejection(w.state, w.openTask('supervisor_review')!.id)).code).toBe('conflict');
    expect(rejection(() => validateTaskRejection(w.state, w.state.tasks[0]!.id)).message).toBe('the task is already rejected');
    expect(rejection(() => validateTaskRejection(w.state, 'missing')).code).toBe('not_found');
  });
});
