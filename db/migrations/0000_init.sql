CREATE SEQUENCE "public"."case_reference_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "agencies" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"country" text,
	"city" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"reference" text NOT NULL,
	"status" text NOT NULL,
	"stage" text NOT NULL,
	"on_hold" boolean DEFAULT false NOT NULL,
	"priority" text NOT NULL,
	"priority_rank" smallint NOT NULL,
	"version" integer NOT NULL,
	"office" text NOT NULL,
	"assignee" text,
	"consulate_id" text NOT NULL,
	"nationality" text NOT NULL,
	"country" text,
	"screening" text NOT NULL,
	"source_type" text NOT NULL,
	"operation_id" uuid,
	"closure_reason" text,
	"next_deadline_at" timestamp with time zone,
	"next_deadline_kind" text,
	"snapshot" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"stage_entered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "cases_reference_unique" UNIQUE("reference")
);
--> statement-breakpoint
CREATE TABLE "identity_documents" (
	"case_id" uuid NOT NULL,
	"document_hash" text NOT NULL,
	"number_hash" text NOT NULL,
	"open" boolean DEFAULT true NOT NULL,
	CONSTRAINT "identity_documents_case_id_document_hash_pk" PRIMARY KEY("case_id","document_hash")
);
--> statement-breakpoint
CREATE TABLE "agency_tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"case_reference" text NOT NULL,
	"office" text NOT NULL,
	"agency_id" text,
	"audience" text NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"priority" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"escalation_level" smallint DEFAULT 0 NOT NULL,
	"claimed_by" text,
	"claimed_at" timestamp with time zone,
	"input" jsonb NOT NULL,
	"result" jsonb,
	"reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"rev" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"case_reference" text NOT NULL,
	"office" text NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"comment" text,
	"requested_by" jsonb NOT NULL,
	"status" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"escalation_level" smallint DEFAULT 0 NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"decision_comment" text,
	"created_at" timestamp with time zone NOT NULL,
	"rev" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_events" (
	"case_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"actor_sub" text NOT NULL,
	"actor_role" text NOT NULL,
	"stage" text NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "case_events_case_id_seq_pk" PRIMARY KEY("case_id","seq")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"subject" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_subject_key_pk" PRIMARY KEY("subject","key")
);
--> statement-breakpoint
ALTER TABLE "identity_documents" ADD CONSTRAINT "identity_documents_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agency_tasks" ADD CONSTRAINT "agency_tasks_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_events" ADD CONSTRAINT "case_events_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cases_office_created_idx" ON "cases" USING btree ("office","created_at","id");--> statement-breakpoint
CREATE INDEX "cases_created_idx" ON "cases" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "cases_stage_created_idx" ON "cases" USING btree ("stage","created_at","id");--> statement-breakpoint
CREATE INDEX "cases_priority_created_idx" ON "cases" USING btree ("priority_rank","created_at","id");--> statement-breakpoint
CREATE INDEX "cases_consulate_created_idx" ON "cases" USING btree ("consulate_id","created_at","id");--> statement-breakpoint
CREATE INDEX "cases_assignee_idx" ON "cases" USING btree ("assignee");--> statement-breakpoint
CREATE INDEX "cases_operation_idx" ON "cases" USING btree ("operation_id") WHERE "cases"."operation_id" is not null;--> statement-breakpoint
CREATE INDEX "cases_deadline_idx" ON "cases" USING btree ("next_deadline_at") WHERE "cases"."status" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "identity_documents_open_unique" ON "identity_documents" USING btree ("document_hash") WHERE "identity_documents"."open";--> statement-breakpoint
CREATE INDEX "identity_documents_number_idx" ON "identity_documents" USING btree ("number_hash");--> statement-breakpoint
CREATE INDEX "agency_tasks_agency_idx" ON "agency_tasks" USING btree ("agency_id","status","due_at");--> statement-breakpoint
CREATE INDEX "agency_tasks_office_idx" ON "agency_tasks" USING btree ("office","status","due_at");--> statement-breakpoint
CREATE INDEX "agency_tasks_case_idx" ON "agency_tasks" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "agency_tasks_open_due_idx" ON "agency_tasks" USING btree ("due_at") WHERE "agency_tasks"."status" in ('open', 'claimed');--> statement-breakpoint
CREATE INDEX "approvals_office_status_idx" ON "approvals" USING btree ("office","status","due_at");--> statement-breakpoint
CREATE INDEX "approvals_case_idx" ON "approvals" USING btree ("case_id");