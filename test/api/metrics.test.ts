// GET /metrics (docs/api.md "Platform"): request series by route pattern and status, the domain gauges
// counted in PostgreSQL, the worker's Temporal SDK metrics (a worker process with its exporter on,
// merged into the API's scrape), the Grafana dashboard against a real scrape, the cache of the
// domain gauges, and a scrape that still answers with PostgreSQL down. Each app counts only its
// own requests, and the gauges are read for offices of this file's own.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, createConsulate, startHarness } from '../support/harness.js';
import { type ChildHandle, freePort, startWorkerProcess } from '../support/processes.js';
import { CONSULAR_RESULTS, waitFor } from '../support/drive.js';
import { raidPersons } from '../support/raid.js';
import { type Sample, find, parsePrometheus, valueOf } from '../support/prometheus.js';
import { actOk, bearer, caseInConsularContact, openBody, openCase, tasksOf } from './support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const DURATION = 'homeward_http_request_duration_seconds';

/**
 * Metrics the dashboard shows that this test cannot make appear: the Temporal SDK exports a counter
 * only once it has counted something, and nothing here is meant to fail. Each is named in the SDK's metrics
 * reference (docs.temporal.io/references/sdk-metrics), with the Prometheus suffixes the worker turns
 * on (worker/main.ts workerMetrics: `_total` on counters).
 */
const SDK_METRICS_ONLY_ON_FAILURE = [
  'temporal_activity_execution_failed_total',
  'temporal_local_activity_execution_failed_total',
  'temporal_workflow_failed_total',
  'temporal_workflow_task_execution_failed_total',
];

async function scrape(h: Harness): Promise<{ text: string; samples: Sample[] }> {
  const res = await h.http.get('/metrics');
  expect(res.status, res.text).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: res.text, samples: parsePrometheus(res.text) };
}

const count = (samples: Sample[], labels: Record<string, string>) => valueOf(samples, `${DURATION}_count`, labels);

let h: Harness;
let idle: Harness;
let worker: ChildHandle | undefined;
let workerPort: number;

beforeAll(async () => {
  workerPort = await freePort();
  // The API appends the worker's metrics (HOMEWARD_METRICS_MERGE_URL); no cache, so each scrape
  // counts what the test just did.
  h = await startHarness({
    worker: false,
    config: { HOMEWARD_METRICS_MERGE_URL: `http://127.0.0.1:${workerPort}/metrics`, HOMEWARD_METRICS_CACHE_MS: '0' },
  });
  worker = await startWorkerProcess(h.config, { HOMEWARD_WORKER_METRICS_PORT: String(workerPort), HOMEWARD_WORKER_METRICS_HOST: '127.0.0.1' });
  // A task queue nobody polls: an operation registered there stays running.
  idle = await startHarness({ worker: false });
});
afterAll(async () => {
  await worker?.kill();
  await idle?.stop();
  await h?.stop();
});

describe('after a small lifecycle', () => {
  const seen: { caseIds: string[]; references: string[]; personal: string[] } = { caseIds: [], references: [], personal: [] };
  let consulateId: string;
  let raidOffice: string;
  let samples: Sample[];
  let text: string;

  beforeAll(async () => {
    consulateId = await createConsulate(h);
    const caseworker = await h.token('caseworker', { office: h.office });
    const supervisor = await h.token('supervisor', { office: h.office });
    const consul = await h.token('agency_officer', { agency: consulateId });
    const remember = (c: { id: string; reference?: string }, body?: { person: { fullName: string; documents: Array<{ number: string }> } }) => {
      seen.caseIds.push(c.id);
      if (c.reference) seen.references.push(c.reference);
      if (body) seen.personal.push(body.person.fullName, ...body.person.documents.map((d) => d.number));
    };

    // Two cases stay in locating; one of them asks for closure (a pending approval).
    for (let i = 0; i < 2; i++) {
      const body = openBody(consulateId);
      const opened = await openCase(h, caseworker, body);
      remember(opened, body);
      if (i === 1) await actOk(h, caseworker, opened.id, { type: 'request_closure', reason: 'lost_contact' });
    }
    // One goes on to consular contact; the consulate works one of its tasks.
    const consular = await caseInConsularContact(h, caseworker, consulateId);
    remember({ id: consular });
    const tasks = await tasksOf(h, consul, consular, { status: 'open' });
    expect(tasks.length).toBeGreaterThanOrEqual(2);
    expect((await h.http.post(`/v1/tasks/${tasks[0]!.id}/claim`).set(bearer(consul))).status).toBe(200);
    const done = await h.http.post(`/v1/tasks/${tasks[0]!.id}/complete`).set(bearer(consul)).send({ result: CONSULAR_RESULTS[tasks[0]!.type] });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    // Another one's deadline has passed: moved back in the read model rather than waiting days for it.
    await h.db.$client.query(`update tasks set due_at = now() - interval '1 hour' where id = $1`, [tasks[1]!.id]);

    // Answers with ids in the URL, and one no route matches.
    expect((await h.http.get(`/v1/cases/${randomUUID()}`).set(bearer(caseworker))).status).toBe(404);
    expect((await h.http.get(`/nowhere/${randomUUID()}`)).status).toBe(404);
    // A route of a router mounted under a path, refused inside it.
    expect((await h.http.post('/codec/decode').set(bearer(supervisor)).send({})).status).toBe(400);

    // A raid of one, worked to completion by the worker process (a workflow that completes), in an office of its own.
    raidOffice = `${h.office}-raid`;
    const raider = await h.token('caseworker', { office: raidOffice });
    const raid = await h.http.post('/v1/operations').set(bearer(raider)).send({ name: 'Raid', country: 'MM', date: '2026-11-20', consulateId, persons: raidPersons(1) });
    expect(raid.status, JSON.stringify(raid.body)).toBe(202);
    await waitFor('the raid to complete', async () => (await h.http.get(`/v1/operations/${raid.body.id}`).set(bearer(raider))).body.status === 'completed', 60_000, 200);
    // A raid of this office that no worker picks up: running.
    const running = await idle.http.post('/v1/operations').set(bearer(caseworker)).send({ name: 'Raid', country: 'MM', date: '2026-11-21', consulateId, persons: raidPersons(1) });
    expect(running.status, JSON.stringify(running.body)).toBe(202);

    // The SDK records a completed workflow when its last task completes: scrape until the worker's
    // series show it.
    ({ text, samples } = await waitFor(
      'the worker to report the completed operation workflow',
      async () => {
        const s = await scrape(h);
        return find(s.samples, 'temporal_workflow_completed_total', { workflow_type: 'operationWorkflow' }).length > 0 ? s : undefined;
      },
      30_000,
      200,
    ));
  });

  it('when /metrics is scraped without a token, then it has request series by route pattern and status, for the routes that were called', () => {
    expect(count(samples, { method: 'POST', route: '/v1/cases', status: '201' })).toBe(3);
    expect(count(samples, { method: 'POST', route: '/v1/cases/:id/actions', status: '200' })).toBe(3);
    expect(count(samples, { method: 'POST', route: '/v1/tasks/:id/claim', status: '200' })).toBe(1);
    expect(count(samples, { method: 'POST', route: '/v1/tasks/:id/complete', status: '200' })).toBe(1);
    expect(count(samples, { method: 'GET', route: '/v1/cases/:id', status: '404' })).toBe(1);
    expect(count(samples, { method: 'POST', route: '/codec/decode', status: '400' })).toBe(1);
    expect(count(samples, { method: 'POST', route: '/v1/operations', status: '202' })).toBe(1);
    // Every path no route matched, whatever it was, shares one label.
    expect(count(samples, { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // A histogram with its buckets, and the process metrics.
    expect(find(samples, `${DURATION}_bucket`, { route: '/v1/cases', le: '+Inf' })[0]?.value).toBe(3);
    expect(find(samples, 'process_cpu_user_seconds_total')).toHaveLength(1);
    expect(find(samples, 'nodejs_heap_size_used_bytes')).toHaveLength(1);
  });

  it('when /metrics is scraped, then no label carries an id, and nothing of a person or a case appears in it', () => {
    const routes = new Set(find(samples, `${DURATION}_count`).map((s) => s.labels.route!));
    for (const route of routes) expect(route === 'unmatched' || /^(\/([a-z0-9._-]+|:[a-zA-Z]+))+$/.test(route), route).toBe(true);
    // Test task queues are named test-<uuid>; production's is homeward-cases. Nothing else is an id.
    expect(text.replaceAll(h.config.temporal.taskQueue, 'the-task-queue')).not.toMatch(UUID);
    for (const value of [...seen.caseIds, ...seen.references, ...seen.personal]) expect(text).not.toContain(value);
    expect(seen.personal.length).toBeGreaterThanOrEqual(4);
  });

  it('when /metrics is scraped, then the domain gauges count the open cases by stage, the overdue task, the pending approval and the running raid of the office', () => {
    const office = h.office;
    expect(valueOf(samples, 'homeward_cases_open', { office, stage: 'locating' })).toBe(2);
    expect(valueOf(samples, 'homeward_cases_open', { office, stage: 'consular_contact' })).toBe(1);
    expect(valueOf(samples, 'homeward_cases_open', { office, stage: 'extraction' })).toBe(0);
    expect(find(samples, 'homeward_cases_open', { office })).toHaveLength(6);
    expect(find(samples, 'homeward_cases_open', { office: raidOffice }).reduce((n, s) => n + s.value, 0)).toBe(1);
    expect(valueOf(samples, 'homeward_tasks_overdue', { office, audience: 'agency', agency: consulateId })).toBe(1);
    expect(valueOf(samples, 'homeward_approvals_pending', { office })).toBe(1);
    expect(valueOf(samples, 'homeward_operations_running', { office })).toBe(1);
    // The completed raid is not running.
    expect(valueOf(samples, 'homeward_operations_running', { office: raidOffice })).toBeUndefined();
    expect(valueOf(samples, 'homeward_metrics_domain_up')).toBe(1);
  });

  it('when the worker exports its metrics, then the scrape carries its workflow and activity series for the task queue', async () => {
    const taskQueue = h.config.temporal.taskQueue;
    expect(valueOf(samples, 'homeward_metrics_merge_up')).toBe(1);
    expect(find(samples, 'temporal_workflow_task_execution_latency_seconds_count', { task_queue: taskQueue, workflow_type: 'caseWorkflow' })[0]?.value).toBeGreaterThan(0);
    expect(find(samples, 'temporal_workflow_task_schedule_to_start_latency_seconds_count', { task_queue: taskQueue })[0]?.value).toBeGreaterThan(0);
    expect(find(samples, 'temporal_workflow_completed_total', { task_queue: taskQueue, workflow_type: 'operationWorkflow' })[0]?.value).toBeGreaterThanOrEqual(1);
    // Prometheus may also scrape the worker itself (deploy/prometheus.yml): the same series are there.
    const direct = parsePrometheus(await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text());
    expect(find(direct, 'temporal_workflow_completed_total', { task_queue: taskQueue, workflow_type: 'operationWorkflow' })).toHaveLength(1);
    expect(find(direct, `${DURATION}_count`)).toEqual([]);
  });

  it('when the Grafana dashboard is loaded, then every metric its queries use is in this scrape, except the documented SDK failure counters', () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy', 'grafana', 'homeward.json'), 'utf8')) as Dashboard;
    const exprs = dashboardQueries(dashboard);
    const names = new Set(exprs.flatMap(metricNames));
    // The parse finds what the panels are about (it would find nothing if the expressions were not read).
    for (const expected of [`${DURATION}_bucket`, 'homeward_cases_open', 'homeward_tasks_overdue', 'temporal_workflow_task_schedule_to_start_latency_seconds_bucket', ...SDK_METRICS_ONLY_ON_FAILURE]) {
      expect(names, expected).toContain(expected);
    }
    const scraped = new Set(samples.map((s) => s.name));
    const missing = [...names].filter((n) => !scraped.has(n) && !SDK_METRICS_ONLY_ON_FAILURE.includes(n));
    expect(missing).toEqual([]);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
    }
  });
});

describe('the domain gauges', () => {
  it('when scraped again within the cache period, then PostgreSQL is not asked again: a case opened in between is not counted yet', async () => {
    const cached = await startHarness({ worker: false, config: { HOMEWARD_METRICS_CACHE_MS: '300000' } });
    const fresh = await startHarness({ worker: false, config: { HOMEWARD_METRICS_CACHE_MS: '0' } });
    try {
      const consulateId = await createConsulate(cached);
      const caseworker = await cached.token('caseworker', { office: cached.office });
      const first = await scrape(cached);
      expect(find(first.samples, 'homeward_cases_open', { office: cached.office })).toEqual([]);
      const opened = await cached.http.post('/v1/cases').set(bearer(caseworker)).send(openBody(consulateId));
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);

      const second = await scrape(cached);
      expect(find(second.samples, 'homeward_cases_open', { office: cached.office })).toEqual([]);
      // Uncached, the same database shows it.
      const third = await scrape(fresh);
      expect(valueOf(third.samples, 'homeward_cases_open', { office: cached.office, stage: 'locating' })).toBe(1);
    } finally {
      await cached.stop();
      await fresh.stop();
    }
  });

  it('when PostgreSQL does not answer, then /metrics still answers 200 with the request and process series, without the domain gauges, and says so', async () => {
    const deadPort = await freePort();
    const down = await startHarness({
      worker: false,
      config: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${deadPort}/nowhere`,
        HOMEWARD_METRICS_MERGE_URL: `http://127.0.0.1:${deadPort}/metrics`,
        HOMEWARD_METRICS_CACHE_MS: '0',
      },
    });
    try {
      expect((await down.http.get('/healthz')).status).toBe(200);
      const first = await scrape(down);
      const { samples } = await scrape(down);
      for (const family of ['homeward_cases_open', 'homeward_tasks_overdue', 'homeward_approvals_pending', 'homeward_operations_running']) {
        expect(first.text).not.toContain(family);
        expect(find(samples, family)).toEqual([]);
      }
      expect(valueOf(samples, 'homeward_metrics_domain_up')).toBe(0);
      expect(valueOf(samples, 'homeward_metrics_domain_errors_total')).toBe(2);
      expect(valueOf(samples, 'homeward_metrics_merge_up')).toBe(0);
      expect(count(samples, { method: 'GET', route: '/healthz', status: '200' })).toBe(1);
      expect(count(samples, { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
      expect(find(samples, 'process_resident_memory_bytes')).toHaveLength(1);
    } finally {
      await down.stop();
    }
  });
});

describe('a PostgreSQL that accepts connections and never answers', () => {
  let silent: net.Server;
  let port: number;
  beforeAll(async () => {
    silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    silent.close();
  });

  it('when the domain gauges are counted, then the scrape gives up on them and still answers', async () => {
    const hung = await startHarness({ worker: false, config: { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nowhere`, HOMEWARD_METRICS_CACHE_MS: '0' } });
    try {
      const { samples } = await scrape(hung);
      expect(find(samples, 'homeward_cases_open')).toEqual([]);
      expect(valueOf(samples, 'homeward_metrics_domain_up')).toBe(0);
      expect(valueOf(samples, 'homeward_metrics_domain_errors_total')).toBe(1);
    } finally {
      await hung.stop();
    }
  });
});

// ---- the dashboard's queries ----

interface Dashboard {
  panels: Array<{ type: string; title: string; datasource?: { uid?: string }; targets?: Array<{ expr?: string }> }>;
  templating: { list: Array<{ type: string; definition?: string }> };
}

/** Every PromQL expression of the panels, and the metric of every `label_values(metric, label)` variable. */
function dashboardQueries(d: Dashboard): string[] {
  const exprs = d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  const variables = d.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => /^label_values\(([^,]+),/.exec(v.definition ?? '')?.[1]?.trim() ?? `unreadable variable ${v.definition}`);
  return [...exprs, ...variables];
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'Inf', 'NaN']);

/** The metric names of a PromQL expression: identifiers that are not functions, keywords, labels or Grafana variables. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\w+/g, '');
  return [...bare.matchAll(/\b([a-zA-Z_][a-zA-Z0-9_]*)\b(?!\s*\()/g)].map((m) => m[1]!).filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w));
}
