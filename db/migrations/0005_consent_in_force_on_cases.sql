ALTER TABLE "cases" ADD COLUMN "consular_notification" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "data_sharing" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
-- Cases opened before these columns: the consent in force is the one their snapshot shows.
UPDATE "cases" SET
	"consular_notification" = coalesce("snapshot"->'consent'->>'consularNotification', 'unknown'),
	"data_sharing" = coalesce("snapshot"->'consent'->>'dataSharing', 'unknown')
WHERE "snapshot" ? 'consent';
