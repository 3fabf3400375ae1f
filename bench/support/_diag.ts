// Temporary diagnosis aid (deleted after use).
import { performance } from 'node:perf_hooks';
import { benchServers } from './servers.js';
import { startStack } from './stack.js';
import { eventTypeName } from './history.js';
import { raidPersons } from '../../test/support/raid.js';
import { operationWorkflowId } from '../../domain/ids.js';

const persons = Number(process.argv[2] ?? 500);
const servers = await benchServers('diag', {});
const stack = await startStack({ databaseUrl: servers.databaseUrl, temporalAddress: servers.temporalAddress, namespace: servers.namespace, env: { DATABASE_POOL_SIZE: process.env.POOL ?? '10' } });
const consulateId = await stack.createConsulate();
const cw = await stack.token('caseworker', { office: stack.office });
async function op(n: number) {
  const t0 = performance.now();
  const res = await stack.request<{ id: string }>('POST', '/v1/operations', cw, { name: 'diag', country: 'MM', date: '2026-11-20', consulateId, persons: raidPersons(n) }, 202);
  const id = res.body.id;
  for (;;) {
    const r = await stack.observerDb.$client.query(`select count(*)::int n from case_events e join cases c on c.id=e.case_id where c.operation_id=$1 and e.type='case_opened'`, [id]);
    if (r.rows[0].n === n) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(`op ${n}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return id;
}
await op(20);
const cpu0 = process.cpuUsage();
const id = await op(persons);
const cpu = process.cpuUsage(cpu0);
console.log(`bench process cpu: user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s`);
const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds) * 1000 + (t?.nanos ?? 0) / 1e6;
// The operation workflow's batches.
const oh = await stack.apiTemporal.workflow.getHandle(operationWorkflowId(id)).fetchHistory();
let sched = 0, started = 0;
for (const e of oh.events ?? []) {
  const t = ms(e.eventTime);
  const type = eventTypeName(e.eventType);
  if (type === 'ACTIVITY_TASK_SCHEDULED') sched = t;
  if (type === 'ACTIVITY_TASK_STARTED') started = t;
  if (type === 'ACTIVITY_TASK_COMPLETED') console.log(`batch: queued ${(started - sched).toFixed(0)} ms, ran ${(t - started).toFixed(0)} ms`);
}
// A sample of case workflows: their first workflow task.
const ids = (await stack.observerDb.$client.query(`select id from cases where operation_id=$1 order by reference`, [id])).rows.map((r) => r.id as string);
const rows: string[] = [];
for (const cid of ids.filter((_, i) => i % Math.ceil(ids.length / 25) === 0)) {
  const h = await stack.apiTemporal.workflow.getHandle(`case-${cid}`).fetchHistory();
  const ev = (h.events ?? []).map((e) => ({ t: ms(e.eventTime), type: eventTypeName(e.eventType) }));
  const t0 = ev[0]!.t;
  rows.push(ev.slice(0, 9).map((e) => `${e.type.replace('WORKFLOW_TASK_', 'WFT_').replace('WORKFLOW_EXECUTION_', '')}+${(e.t - t0).toFixed(0)}`).join(' '));
}
console.log(rows.join('\n'));
await stack.stop();
await servers.stop();
