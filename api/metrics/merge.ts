// Appends another process's Prometheus text to the API's own, for one machine without service
// discovery (`npm start`): the worker's Temporal SDK metrics then show on the API's /metrics. With
// a Prometheus server, scrape every process instead (README "Metrics").
import { Gauge, type Registry } from 'prom-client';

/** A worker that does not answer within this costs the scrape no more than this. */
const FETCH_TIMEOUT_MS = 1_000;

export interface MergedSource {
  /** The source's text without the families `known` already has; '' if it did not answer. */
  text(known: Set<string>): Promise<string>;
}

export function mergedSource(url: string, registry: Registry): MergedSource {
  const up = new Gauge({
    name: 'homeward_metrics_merge_up',
    help: '1 if the metrics of HOMEWARD_METRICS_MERGE_URL (the worker) were fetched and appended to this scrape, 0 if not',
    registers: [registry],
  });
  return {
    async text(known) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { Accept: 'text/plain' } });
        if (!res.ok) throw new Error(`status ${res.status}`);
        const body = withoutFamilies(await res.text(), known);
        up.set(1);
        return body;
      } catch {
        up.set(0);
        return '';
      }
    },
  };
}

/**
 * Drops the families of `text` that `known` already declares: a family declared twice makes the
 * whole scrape invalid. A family runs from its `# HELP`/`# TYPE` line to the next family's.
 */
function withoutFamilies(text: string, known: Set<string>): string {
  const kept: string[] = [];
  let skipping = false;
  for (const line of text.split('\n')) {
    const header = /^# (?:HELP|TYPE) (\S+)/.exec(line);
    if (header) skipping = known.has(header[1]!);
    if (!skipping && line.trim() !== '') kept.push(line);
  }
  return kept.length ? `${kept.join('\n')}\n` : '';
}
