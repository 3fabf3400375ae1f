CREATE TABLE "person_match_keys" (
	"case_id" uuid NOT NULL,
	"key_hash" text NOT NULL,
	"kind" text NOT NULL,
	"name_form" text NOT NULL,
	"dob_known" boolean NOT NULL,
	"hash_key_id" text NOT NULL,
	CONSTRAINT "person_match_keys_case_id_key_hash_pk" PRIMARY KEY("case_id","key_hash")
);
--> statement-breakpoint
ALTER TABLE "person_match_keys" ADD CONSTRAINT "person_match_keys_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "person_match_keys_hash_idx" ON "person_match_keys" USING btree ("key_hash");