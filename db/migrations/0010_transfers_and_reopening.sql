ALTER TABLE "cases" ADD COLUMN "previous_case_id" uuid;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "transfer_from" text;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "transfer_to" text;--> statement-breakpoint
CREATE UNIQUE INDEX "cases_previous_case_unique" ON "cases" USING btree ("previous_case_id") WHERE "cases"."previous_case_id" is not null;--> statement-breakpoint
CREATE INDEX "approvals_transfer_to_idx" ON "approvals" USING btree ("transfer_to","status","due_at") WHERE "approvals"."transfer_to" is not null;