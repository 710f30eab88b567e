-- 0011_backfill_claims: a backfill request is handed to one caller at a
-- time (issue 16, "run exactly once across instances").
--
-- GET /forge/backfill/requests lists the requests nobody holds and claims
-- them in the same statement: two Forge invocations served by two
-- instances at once each get a request at most once between them, so a
-- backfill asked for in the UI starts once. The claim is a row state, not
-- a session lock (PgBouncer's transaction pooling would not keep one).
--
-- claimed_at: when the last caller took the request; NULL: never handed
--   out (or handed out by a server before this migration).
-- claim_expires_at: until then no other caller gets it. A claim past this
--   (the invocation died before starting the backfill) is handed out
--   again; the server sets it to claimed_at + BIQ_BACKFILL_CLAIM_SECONDS
--   (src/store/sync.h). Starting the project's backfill deletes the
--   request, claim and all.
-- claims: how many times it was handed out, for operators: more than one
--   means an earlier taker never started the backfill.
-- No key changes: the primary key (tenant_id, project_key) stays.

ALTER TABLE backfill_requests
    ADD COLUMN claimed_at timestamptz,
    ADD COLUMN claim_expires_at timestamptz,
    ADD COLUMN claims integer NOT NULL DEFAULT 0 CHECK (claims >= 0),
    ADD CONSTRAINT backfill_requests_claim_window
        CHECK ((claimed_at IS NULL) = (claim_expires_at IS NULL)
               AND (claim_expires_at IS NULL OR claim_expires_at > claimed_at));
