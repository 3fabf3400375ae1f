// `npm run demo` (scripts/demo.ts) against the test stack, small: over real HTTP with development
// tokens, it leaves a case in every stage, tasks overdue and on time, a completed raid with people
// the families had already reported linked instead of duplicated; and a second run adds nothing.
// Deadlines run at HOMEWARD_TIME_SCALE=0.0002 (a day lasts 17 s), as the demo's own notes advise
// for a stack that should show overdue tasks.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../domain/schemas.js';
import { type DemoOptions, runDemo } from '../../scripts/demo.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
let server: Server;
let options: DemoOptions;

beforeAll(async () => {
  h = await startHarness({ config: { HOMEWARD_TIME_SCALE: '0.0002' } });
  server = h.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  options = {
    api: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    auth: { secret: h.config.auth.jwtSecret!, issuer: h.config.auth.issuer, audience: h.config.auth.audience },
    offices: [h.office],
    cases: 7,
    raid: 12,
    maxWaitMs: 120_000,
    log: () => {},
  };
});
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await h?.stop();
});

const casesOfOffice = async () => {
  const supervisor = await h.token('supervisor', { office: h.office });
  const res = await h.http.get('/v1/stats').query({ office: h.office }).set('Authorization', `Bearer ${supervisor}`);
  expect(res.status).toBe(200);
  const { byStage, byStatus } = res.body as { byStage: Record<string, number>; byStatus: { open: number; closed: number } };
  return { byStage, byStatus };
};

describe('npm run demo', () => {
  it('when run on a fresh install, then every stage has a case, tasks are overdue and on time, and the raid is in; when run again, then nothing is added', async () => {
    const first = await runDemo(options);
    for (const stage of STAGES) expect(first.byStage[stage], `stage ${stage}`).toBeGreaterThanOrEqual(1);
    expect(first.overdueTasks).toBeGreaterThanOrEqual(1);
    expect(first.onTimeTasks).toBeGreaterThanOrEqual(1);
    expect(first.raid).toMatchObject({ status: 'completed', total: 12, linkedExisting: 2, opened: 10 });
    // 7 people of the caseload, 10 more from the raid (the other 2 already had cases).
    const after = await casesOfOffice();
    expect(after.byStatus.open + after.byStatus.closed).toBe(17);
    expect(after.byStage).toEqual(first.byStage);

    const second = await runDemo(options);
    expect(second.raid.id).toBe(first.raid.id);
    expect(second.byStage).toEqual(first.byStage);
    expect(await casesOfOffice()).toEqual(after);
  }, 300_000);
});
