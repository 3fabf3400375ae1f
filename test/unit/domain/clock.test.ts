// The case's clock (domain/case/clock.ts): the reminder/escalation ladder, hold and resume.
import { describe, expect, it } from 'vitest';
import { nextWakeAt, openTasks } from '../../../domain/case.js';
import { DAY, T0, eventTypes, world } from './world.js';

describe('the clock', () => {
  it('when a case is held and resumed, then its clock stops and restarts with the time it had left', () => {
    const w = world({ riskFlags: ['abused'] });
    w.extract();
    const shelter = w.openTask('arrange_shelter')!;
    const dueBefore = Date.parse(shelter.dueAt);
    expect(nextWakeAt(w.state)).toBe(T0 + 12 * 3600_000); // reminder at half of one day

    w.advance(6 * 3600_000);
    w.act({ type: 'hold', reason: 'hospital' });
    expect(nextWakeAt(w.state)).toBeNull();
    w.advance(10 * DAY);
    expect(w.fire().events).toEqual([]);

    w.act({ type: 'resume' });
    expect(Date.parse(shelter.dueAt) - dueBefore).toBe(10 * DAY);
    expect(nextWakeAt(w.state)).toBe(w.now() + 6 * 3600_000);
    w.advance(6 * 3600_000);
    expect(eventTypes(w.fire())).toContain('task_reminder');
  });

  it('when a task passes its due time and then twice its time, then it escalates twice and the case priority rises', () => {
    const w = world({ riskFlags: ['abused'] });
    w.extract();
    expect(w.state.priority).toBe('high');
    w.advance(2 * DAY + 1);
    w.fire();
    const shelter = w.state.tasks.find((t) => t.type === 'arrange_shelter')!;
    expect(shelter.escalationLevel).toBe(2);
    expect(shelter.status).toBe('open');
    expect(w.state.priority).toBe('critical');
    expect(openTasks(w.state).some((t) => t.review?.topic === 'task_overdue' && t.review.taskId === shelter.id)).toBe(true);
  });

  it('when an approval waits, then it is reminded and escalated like a task', () => {
    const w = world();
    w.act({ type: 'request_closure', reason: 'transferred' });
    w.advance(1.5 * DAY);
    expect(eventTypes(w.fire())).toEqual(['approval_reminder']);
    w.advance(1.5 * DAY);
    expect(eventTypes(w.fire())).toContain('approval_escalated');
    expect(w.state.approvals[0]!.escalationLevel).toBe(1);
  });

  it('when nothing has fallen due, then firing changes nothing', () => {
    const w = world();
    expect(w.fire().events).toEqual([]);
    expect(nextWakeAt(w.state)).toBe(T0 + 30 * DAY);
  });
});
