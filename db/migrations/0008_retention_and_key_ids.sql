ALTER TABLE "cases" ADD COLUMN "retain_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "legal_hold" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "legal_hold_reason" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "legal_hold_by" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "legal_hold_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "anonymised_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "anonymised_reason" text;--> statement-breakpoint
ALTER TABLE "identity_documents" ADD COLUMN "hash_key_id" text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "case_id" uuid;--> statement-breakpoint
CREATE INDEX "cases_retention_due_idx" ON "cases" USING btree ("retain_until") WHERE "cases"."status" = 'closed' and "cases"."anonymised_at" is null and not "cases"."legal_hold";--> statement-breakpoint
CREATE INDEX "idempotency_keys_case_idx" ON "idempotency_keys" USING btree ("case_id") WHERE "idempotency_keys"."case_id" is not null;--> statement-breakpoint
-- Cases closed before retention existed: due five years (HOMEWARD_RETENTION_DAYS' default) after their closure. Their snapshots are still plain JSON here (sealing comes with this release).
UPDATE "cases" SET "retain_until" = ("snapshot" #>> '{closure,closedAt}')::timestamptz + interval '1826 days'
  WHERE "status" = 'closed' AND jsonb_typeof("snapshot") = 'object' AND ("snapshot" #>> '{closure,closedAt}') IS NOT NULL;--> statement-breakpoint
-- Stored answers about a case (an opened case, a claimed task), so erasing the person reaches them.
UPDATE "idempotency_keys" SET "case_id" = (CASE WHEN "response" ? 'person' THEN "response" ->> 'id' ELSE "response" ->> 'caseId' END)::uuid
  WHERE jsonb_typeof("response") = 'object'
    AND (CASE WHEN "response" ? 'person' THEN "response" ->> 'id' ELSE "response" ->> 'caseId' END) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
