CREATE TABLE "bulk_actions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"operation_id" uuid NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"total" integer NOT NULL,
	"requested_by" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "bulk_action_results" (
	"bulk_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"outcome" text,
	"error_code" text,
	"error_message" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "bulk_action_results_bulk_id_case_id_pk" PRIMARY KEY("bulk_id","case_id")
);
--> statement-breakpoint
ALTER TABLE "bulk_actions" ADD CONSTRAINT "bulk_actions_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_action_results" ADD CONSTRAINT "bulk_action_results_bulk_id_bulk_actions_id_fk" FOREIGN KEY ("bulk_id") REFERENCES "public"."bulk_actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bulk_actions_operation_idx" ON "bulk_actions" USING btree ("operation_id","created_at");--> statement-breakpoint
CREATE INDEX "bulk_action_results_pending_idx" ON "bulk_action_results" USING btree ("bulk_id","case_id") WHERE "bulk_action_results"."outcome" is null;--> statement-breakpoint
CREATE INDEX "bulk_action_results_failed_idx" ON "bulk_action_results" USING btree ("bulk_id","case_id") WHERE "bulk_action_results"."outcome" = 'failed';