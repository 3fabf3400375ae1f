ALTER TABLE "agency_tasks" RENAME TO "tasks";--> statement-breakpoint
ALTER TABLE "tasks" RENAME CONSTRAINT "agency_tasks_pkey" TO "tasks_pkey";--> statement-breakpoint
ALTER TABLE "tasks" RENAME CONSTRAINT "agency_tasks_case_id_cases_id_fk" TO "tasks_case_id_cases_id_fk";--> statement-breakpoint
ALTER INDEX "agency_tasks_agency_idx" RENAME TO "tasks_agency_idx";--> statement-breakpoint
ALTER INDEX "agency_tasks_office_idx" RENAME TO "tasks_office_idx";--> statement-breakpoint
ALTER INDEX "agency_tasks_case_idx" RENAME TO "tasks_case_idx";--> statement-breakpoint
ALTER INDEX "agency_tasks_open_due_idx" RENAME TO "tasks_open_due_idx";
