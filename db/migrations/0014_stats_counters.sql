CREATE TABLE "stats_counters" (
	"office" text NOT NULL,
	"metric" text NOT NULL,
	"key" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "stats_counters_office_metric_key_pk" PRIMARY KEY("office","metric","key")
);
--> statement-breakpoint
CREATE TABLE "stats_case_facts" (
	"case_id" uuid PRIMARY KEY NOT NULL,
	"office" text NOT NULL,
	"status" text NOT NULL,
	"stage" text NOT NULL,
	"priority" text NOT NULL,
	"on_hold" boolean NOT NULL,
	"closure_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"stage_entered_at" timestamp with time zone NOT NULL,
	"returned_at" timestamp with time zone,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "tasks_open_office_due_idx" ON "tasks" USING btree ("office","due_at") WHERE "tasks"."status" in ('open', 'claimed');