// Temporary diagnosis aid (deleted after use).
import { performance } from 'node:perf_hooks';
import { benchServers } from './servers.js';
import { startStack } from './stack.js';
import { personBody } from '../../test/support/harness.js';

const servers = await benchServers('diag', {});
const stack = await startStack({ databaseUrl: servers.databaseUrl, temporalAddress: servers.temporalAddress, namespace: servers.namespace });
const consulateId = await stack.createConsulate();
const cw = await stack.token('caseworker', { office: stack.office, sub: 'cw' });
const ids: string[] = [];
for (let i = 0; i < 64; i++) ids.push((await stack.request<{ id: string }>('POST', '/v1/cases', cw, { person: personBody(), source: { type: 'hotline', reference: 'x' }, consulateId }, 201)).body.id);
const body = (k: number) => JSON.stringify(k % 2 ? { type: 'add_note', text: `n${k}` } : { type: 'set_priority', priority: (k >> 1) % 2 ? 'high' : 'normal', reason: 'r' });
async function run(c: number, n: number) {
  const t0 = performance.now();
  let k = 0;
  await Promise.all(Array.from({ length: c }, async (_, i) => {
    for (let r = 0; r < n / c; r++) {
      const res = await fetch(`${stack.baseUrl}/v1/cases/${ids[(i + r * c) % 64]}/actions`, { method: 'POST', headers: { authorization: `Bearer ${cw}`, 'content-type': 'application/json' }, body: body(k++) });
      await res.text();
    }
  }));
  return (n / ((performance.now() - t0) / 1000)).toFixed(0);
}
await run(16, 160);
const cpu0 = process.cpuUsage();
console.log(`c=16: ${await run(16, 800)}/s`);
const cpu = process.cpuUsage(cpu0);
console.log(`cpu per action: ${((cpu.user + cpu.system) / 1000 / 800).toFixed(1)} ms`);
await stack.stop();
await servers.stop();
