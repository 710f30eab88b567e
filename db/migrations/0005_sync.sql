-- 0005_sync: what the Forge side's scheduled functions read and record.
--
-- backfill_requests: a (new) backfill asked for in the UI; the Forge side
--   polls them and starting that project's backfill clears the request.
-- reconciles: when the daily reconcile last succeeded, so the next one
--   re-reads what was updated since then (not since the last event).

CREATE TABLE backfill_requests (
    tenant_id     text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    project_key   text NOT NULL CHECK (project_key <> '' AND length(project_key) <= 64),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    requested_by  text CHECK (length(requested_by) <= 128),
    PRIMARY KEY (tenant_id, project_key)
);

CREATE TABLE reconciles (
    tenant_id        text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    last_success_at  timestamptz NOT NULL,
    finished_at      timestamptz NOT NULL,
    projects         integer NOT NULL DEFAULT 0 CHECK (projects >= 0),
    issues           integer NOT NULL DEFAULT 0 CHECK (issues >= 0),
    PRIMARY KEY (tenant_id)
);
