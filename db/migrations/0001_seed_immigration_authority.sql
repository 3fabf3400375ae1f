-- The immigration authority receives every exit_restriction_review task; it must exist from day one.
INSERT INTO "agencies" ("id", "kind", "name", "country") VALUES ('immigration', 'immigration', 'National Immigration Administration', NULL) ON CONFLICT ("id") DO NOTHING;
