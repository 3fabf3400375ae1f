-- Each count split over shard rows (db/schema/stats-counters.ts): existing counts stay in shard 0.
ALTER TABLE "stats_counters" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_counters" DROP CONSTRAINT "stats_counters_office_metric_key_pk";--> statement-breakpoint
ALTER TABLE "stats_counters" ADD CONSTRAINT "stats_counters_office_metric_key_shard_pk" PRIMARY KEY("office","metric","key","shard");
