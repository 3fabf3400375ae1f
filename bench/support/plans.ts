// Reading PostgreSQL's EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) for the benchmarks: which scans a
// query's plan uses, and whether any of them reads the whole cases table.

export interface PlanSummary {
  seqScanOnCases: boolean;
  /** Scan nodes, e.g. "Index Only Scan using cases_open_deadline_idx on cases". */
  scans: string[];
  executionMs: number;
  sharedHit: number;
  sharedRead: number;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

export function summarisePlan(explained: Array<{ Plan: PlanNode & { 'Shared Hit Blocks'?: number; 'Shared Read Blocks'?: number }; 'Execution Time': number }>): PlanSummary {
  const top = explained[0]!;
  const scans: string[] = [];
  let seqScanOnCases = false;
  const walk = (node: PlanNode) => {
    if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'cases') seqScanOnCases = true;
    if (node['Relation Name'] || node['Index Name']) {
      scans.push(`${node['Node Type']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}`);
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(top.Plan);
  return {
    seqScanOnCases,
    scans,
    executionMs: Math.round(top['Execution Time'] * 1000) / 1000,
    sharedHit: top.Plan['Shared Hit Blocks'] ?? 0,
    sharedRead: top.Plan['Shared Read Blocks'] ?? 0,
  };
}
