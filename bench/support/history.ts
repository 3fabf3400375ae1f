// Reading what a workflow costs in Temporal: its history events (every run, when it continued as
// new) and the bytes of the payloads those events carry.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

type History = proto.temporal.api.history.v1.IHistory;
const EventType = proto.temporal.api.enums.v1.EventType;

/** Every run of a workflow, oldest first: from the latest run back along continuedExecutionRunId. */
export async function fetchAllRuns(client: Client, workflowId: string): Promise<History[]> {
  const runs: History[] = [];
  let runId: string | undefined;
  for (let guard = 0; guard < 1_000; guard++) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift(history);
    const prev = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!prev) break;
    runId = prev;
  }
  return runs;
}

export function eventTypeName(type: unknown): string {
  const name = typeof type === 'number' ? EventType[type] : String(type);
  return String(name ?? type).replace(/^EVENT_TYPE_/, '');
}

function isPayload(v: Record<string, unknown>): boolean {
  return v.data instanceof Uint8Array && 'metadata' in v;
}

/** Sums the `data` of every payload under a value; search attributes and headers kept apart. */
function walkPayloads(value: unknown, pathHint: string, into: { data: number; searchAttributes: number; headers: number }, depth = 0): void {
  if (value === null || value === undefined || typeof value !== 'object' || depth > 40) return;
  if (value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    for (const v of value) walkPayloads(v, pathHint, into, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  if (isPayload(obj)) {
    const n = (obj.data as Uint8Array).length;
    if (/searchAttributes|indexedFields/i.test(pathHint)) into.searchAttributes += n;
    else if (/header/i.test(pathHint)) into.headers += n;
    else into.data += n;
    return;
  }
  for (const [k, v] of Object.entries(obj)) walkPayloads(v, `${pathHint}.${k}`, into, depth + 1);
}

export interface HistoryCost {
  runs: number;
  events: number;
  /** Bytes of payload data: inputs, results, update arguments and outcomes, signals, markers. */
  payloadBytes: number;
  /** Bytes of search attribute values (upserts and the start's), counted apart. */
  searchAttributeBytes: number;
  headerBytes: number;
  byType: Record<string, { events: number; payloadBytes: number }>;
}

export function historyCost(runs: History[]): HistoryCost {
  const cost: HistoryCost = { runs: runs.length, events: 0, payloadBytes: 0, searchAttributeBytes: 0, headerBytes: 0, byType: {} };
  for (const run of runs) {
    for (const event of run.events ?? []) {
      const type = eventTypeName(event.eventType);
      const sums = { data: 0, searchAttributes: 0, headers: 0 };
      walkPayloads(event, '', sums);
      cost.events += 1;
      cost.payloadBytes += sums.data;
      cost.searchAttributeBytes += sums.searchAttributes;
      cost.headerBytes += sums.headers;
      const t = (cost.byType[type] ??= { events: 0, payloadBytes: 0 });
      t.events += 1;
      t.payloadBytes += sums.data;
    }
  }
  return cost;
}
