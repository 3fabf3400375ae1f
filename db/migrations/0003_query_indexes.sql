DROP INDEX "cases_deadline_idx";--> statement-breakpoint
CREATE INDEX "cases_office_stage_created_idx" ON "cases" USING btree ("office","stage","created_at","id");--> statement-breakpoint
CREATE INDEX "cases_office_priority_created_idx" ON "cases" USING btree ("office","priority","created_at","id");--> statement-breakpoint
CREATE INDEX "cases_office_held_created_idx" ON "cases" USING btree ("office","created_at","id") WHERE "cases"."on_hold";--> statement-breakpoint
CREATE INDEX "cases_open_office_created_idx" ON "cases" USING btree ("office","created_at","id","next_deadline_at","priority","stage") WHERE "cases"."status" = 'open';--> statement-breakpoint
CREATE INDEX "cases_open_created_idx" ON "cases" USING btree ("created_at","id","next_deadline_at","priority","stage") WHERE "cases"."status" = 'open';--> statement-breakpoint
CREATE INDEX "cases_open_stage_idx" ON "cases" USING btree ("office","stage","stage_entered_at","priority","on_hold") WHERE "cases"."status" = 'open';--> statement-breakpoint
CREATE INDEX "cases_open_stage_entered_idx" ON "cases" USING btree ("stage","stage_entered_at") WHERE "cases"."status" = 'open';--> statement-breakpoint
CREATE INDEX "cases_closed_reason_idx" ON "cases" USING btree ("office","closure_reason") WHERE "cases"."status" = 'closed';