CREATE TABLE "operations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"country" text NOT NULL,
	"site" text,
	"date" text NOT NULL,
	"consulate_id" text NOT NULL,
	"office" text NOT NULL,
	"status" text NOT NULL,
	"total" integer NOT NULL,
	"created_by" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "operation_persons" (
	"operation_id" uuid NOT NULL,
	"idx" integer NOT NULL,
	"person" jsonb NOT NULL,
	"risk_flags" jsonb NOT NULL,
	"location" jsonb,
	"duplicate_of" integer,
	"outcome" text,
	"case_id" uuid,
	"error" text,
	CONSTRAINT "operation_persons_operation_id_idx_pk" PRIMARY KEY("operation_id","idx")
);
--> statement-breakpoint
ALTER TABLE "operation_persons" ADD CONSTRAINT "operation_persons_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "operations_office_idx" ON "operations" USING btree ("office","created_at");--> statement-breakpoint
CREATE INDEX "operation_persons_pending_idx" ON "operation_persons" USING btree ("operation_id","idx") WHERE "operation_persons"."outcome" is null;