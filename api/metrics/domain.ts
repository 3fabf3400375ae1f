// Domain gauges, counted in PostgreSQL when Prometheus scrapes: open cases by office and stage,
// overdue tasks by agency, pending approvals, running operations. One cheap round of queries (the
// partial indexes that serve GET /v1/stats), reused for a few seconds so that frequent scrapes from
// several Prometheus servers cost PostgreSQL one round per period. When PostgreSQL does not answer,
// the scrape still answers, without these gauges and with homeward_metrics_domain_up 0.
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Db } from '../../db/client.js';
import { STAGES } from '../../domain/schemas.js';
import type { Logger } from '../logger.js';

/** Bounded both here and in PostgreSQL (statement_timeout): a scrape must answer within Prometheus' scrape timeout. */
const QUERY_TIMEOUT_MS = 2_000;
const OPEN_STAGES = STAGES.filter((s) => s !== 'closed');

interface CountRow extends Record<string, unknown> {
  kind: 'cases' | 'tasks' | 'approvals' | 'operations';
  office: string;
  a: string;
  b: string;
  n: number;
}

// Offices, stages, audiences and agencies are small, closed sets: every label stays bounded. The
// counts carry no personal data.
const COUNTS = sql`
  select 'cases' as kind, office, stage as a, '' as b, count(*)::int as n
    from cases where status = 'open' group by office, stage
  union all
  select 'tasks', office, audience, coalesce(agency_id, ''), count(*)::int
    from tasks where status in ('open', 'claimed') and due_at < now() group by office, audience, agency_id
  union all
  select 'approvals', office, '', '', count(*)::int from approvals where status = 'pending' group by office
  union all
  select 'operations', office, '', '', count(*)::int from operations where status = 'running' group by office`;

export interface DomainMetrics {
  /** The names of the gauges. */
  families: string[];
  /** The gauges in Prometheus text, refreshed if older than the cache period; '' while PostgreSQL is down. */
  text(): Promise<string>;
}

export function domainMetrics(db: Db, registry: Registry, cacheMs: number, logger: Logger): DomainMetrics {
  // The gauges live in a registry of their own, so that a failed refresh leaves them out entirely
  // instead of serving stale counts as if they were current.
  const gauges = new Registry();
  const casesOpen = new Gauge({
    name: 'homeward_cases_open',
    help: 'Open cases by office and stage (every open stage of an office that has open cases)',
    labelNames: ['office', 'stage'] as const,
    registers: [gauges],
  });
  const tasksOverdue = new Gauge({
    name: 'homeward_tasks_overdue',
    help: 'Open or claimed tasks past their due time, by office of the case, audience and agency ("" for supervisor and caseworker tasks)',
    labelNames: ['office', 'audience', 'agency'] as const,
    registers: [gauges],
  });
  const approvalsPending = new Gauge({
    name: 'homeward_approvals_pending',
    help: 'Approvals waiting for a supervisor, by office',
    labelNames: ['office'] as const,
    registers: [gauges],
  });
  const operationsRunning = new Gauge({
    name: 'homeward_operations_running',
    help: 'Mass rescue operations still opening cases, by office',
    labelNames: ['office'] as const,
    registers: [gauges],
  });
  const up = new Gauge({
    name: 'homeward_metrics_domain_up',
    help: '1 if the domain gauges were counted in PostgreSQL at the last refresh, 0 if that failed (they are then left out)',
    registers: [registry],
  });
  const failures = new Counter({
    name: 'homeward_metrics_domain_errors_total',
    help: 'Refreshes of the domain gauges that failed (PostgreSQL down or too slow)',
    registers: [registry],
  });

  const refresh = async (): Promise<string> => {
    try {
      const rows = await withTimeout(
        db.transaction(async (tx) => {
          await tx.execute(sql.raw(`set local statement_timeout = ${QUERY_TIMEOUT_MS}`));
          return (await tx.execute<CountRow>(COUNTS)).rows;
        }),
        QUERY_TIMEOUT_MS + 500,
      );
      for (const g of [casesOpen, tasksOverdue, approvalsPending, operationsRunning]) g.reset();
      for (const office of new Set(rows.filter((r) => r.kind === 'cases').map((r) => r.office))) {
        for (const stage of OPEN_STAGES) casesOpen.set({ office, stage }, 0);
      }
      for (const r of rows) {
        const n = Number(r.n);
        if (r.kind === 'cases') casesOpen.set({ office: r.office, stage: r.a }, n);
        else if (r.kind === 'tasks') tasksOverdue.set({ office: r.office, audience: r.a, agency: r.b }, n);
        else if (r.kind === 'approvals') approvalsPending.set({ office: r.office }, n);
        else operationsRunning.set({ office: r.office }, n);
      }
      up.set(1);
      return await gauges.metrics();
    } catch (err) {
      up.set(0);
      failures.inc();
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'metrics: domain gauges could not be counted');
      return '';
    }
  };

  // One refresh at a time, shared by concurrent scrapes, and reused until it is cacheMs old.
  let current: { answer: Promise<string>; expiresAt: number } | undefined;
  return {
    families: gauges.getMetricsAsArray().map((m) => m.name),
    text() {
      if (current && Date.now() < current.expiresAt) return current.answer;
      const entry = { answer: refresh(), expiresAt: Number.POSITIVE_INFINITY };
      void entry.answer.then(() => {
        entry.expiresAt = Date.now() + cacheMs;
      });
      current = entry;
      return entry.answer;
    },
  };
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
