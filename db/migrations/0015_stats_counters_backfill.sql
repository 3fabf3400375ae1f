-- Recounts the maintained statistics from the cases table: the facts of every case, then the
-- counters as their sums. The same rules as db/stats-counters.ts dimensionsOf (a test holds them to
-- the same figures). Used here to count the cases that exist before this migration, and after bulk
-- loads that bypass the activities (scripts/generate-cases.ts).
-- Arrival home and closure times come from a plain (not yet sealed) snapshot when there is one;
-- otherwise from the timeline: the closure's approval, and for the arrival the time it was recorded
-- (the move into exit_restriction_check), which may differ from the arrival date the caseworker gave.
CREATE OR REPLACE FUNCTION rebuild_stats_counters() RETURNS void LANGUAGE sql AS $$
  TRUNCATE stats_case_facts, stats_counters;
  INSERT INTO stats_case_facts (case_id, office, status, stage, priority, on_hold, closure_reason, created_at, stage_entered_at, returned_at, closed_at)
  SELECT c.id, c.office, c.status, c.stage, c.priority, c.on_hold, c.closure_reason, c.created_at, c.stage_entered_at,
    CASE WHEN jsonb_typeof(c.snapshot) = 'object'
      THEN (c.snapshot -> 'returnTrip' ->> 'arrivedAt')::timestamptz
      ELSE (SELECT min(e.at) FROM case_events e WHERE e.case_id = c.id AND e.type = 'stage_changed' AND e.stage = 'exit_restriction_check') END,
    CASE WHEN c.status = 'closed' THEN coalesce(
      CASE WHEN jsonb_typeof(c.snapshot) = 'object' THEN (c.snapshot -> 'closure' ->> 'closedAt')::timestamptz END,
      (SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.type = 'closure_approved')) END
  FROM cases c;
  INSERT INTO stats_counters (office, metric, key, n)
  SELECT f.office, d.metric, d.key, count(*)
  FROM stats_case_facts f CROSS JOIN LATERAL (VALUES
    ('opened', to_char(f.created_at AT TIME ZONE 'UTC', 'YYYY-MM')),
    (CASE WHEN f.status = 'open' THEN 'open' END, f.stage || '|' || f.priority || '|' || CASE WHEN f.on_hold THEN '1' ELSE '0' END),
    (CASE WHEN f.status = 'open' THEN 'entered' END, f.stage || '|' || to_char(f.stage_entered_at AT TIME ZONE 'UTC', 'YYYY-MM')),
    (CASE WHEN f.status <> 'open' THEN 'closed' END, coalesce(f.closure_reason, '')),
    (CASE WHEN f.status <> 'open' AND f.closed_at IS NOT NULL THEN 'closed_month' END, to_char(f.closed_at AT TIME ZONE 'UTC', 'YYYY-MM')),
    (CASE WHEN f.returned_at IS NOT NULL THEN 'returned' END, to_char(f.returned_at AT TIME ZONE 'UTC', 'YYYY-MM')),
    (CASE WHEN f.returned_at IS NOT NULL THEN 'return_days' END,
      greatest(0, floor(extract(epoch FROM f.returned_at - f.created_at) / 86400))::bigint::text)
  ) AS d(metric, key)
  WHERE d.metric IS NOT NULL
  GROUP BY 1, 2, 3;
$$;
--> statement-breakpoint
SELECT rebuild_stats_counters();
