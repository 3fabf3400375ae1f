// Maintained statistics (GET /v1/stats): counts per office and dimension, kept exact by every write
// of a case row in the same transaction (db/stats-counters.ts), so national figures are read from a
// few thousand rows instead of counted over a million cases. A dimension is a `metric` and its `key`:
//   open         `<stage>|<priority>|<0|1 on hold>`   open cases
//   closed       `<closure reason>`                   closed cases
//   opened       `YYYY-MM` of opening                  every case
//   returned     `YYYY-MM` of arrival home             cases that arrived home
//   closed_month `YYYY-MM` of closure                  closed cases
//   return_days  whole days from opening to arrival    cases that arrived home (a histogram, for the median)
//   entered      `<stage>|YYYY-MM` of entering it      open cases (locates the median time in stage)
// Months are UTC. A count may fall to 0; its row stays.
// Each count is split over a few `shard` rows, summed when read: every write of an office's cases
// adds to the same counters, and with one row each, concurrent steps of one office (a raid, a busy
// morning) queued on its row locks until each commit.
import { bigint, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';

export const statsCounters = pgTable(
  'stats_counters',
  {
    office: text('office').notNull(),
    metric: text('metric').notNull(),
    key: text('key').notNull(),
    shard: smallint('shard').notNull().default(0),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.office, t.metric, t.key, t.shard] })],
);
