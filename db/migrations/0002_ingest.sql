-- 0002_ingest: what the ingest needs beyond the Jira rows themselves.
--
-- issue_tombstones: Jira never reuses an issue id, so once an issue is
--   deleted no later (or late-delivered) event may bring it back: this is
--   what makes deletes order-independent. An issue that gained a security
--   level leaves one too, so that older unrestricted states arriving late
--   cannot store it again.
-- changelog_pages: which pages of an issue's full changelog have arrived;
--   a truncated history is complete when they cover its total.
-- data_versions: a counter per project that moves with every ingest
--   commit, so caches keyed by it can never serve data older than a
--   commit that was acknowledged.

CREATE TABLE issue_tombstones (
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    issue_id    bigint NOT NULL CHECK (issue_id > 0),
    -- deleted: final. restricted: the issue got a security level in the
    -- state Jira stamped `state_at`; only a newer state may bring it back.
    reason      text NOT NULL DEFAULT 'deleted' CHECK (reason IN ('deleted', 'restricted')),
    state_at    timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, issue_id)
);

CREATE TABLE changelog_pages (
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    issue_id    bigint NOT NULL,
    start_at    integer NOT NULL CHECK (start_at >= 0),
    count       integer NOT NULL CHECK (count >= 0),
    PRIMARY KEY (tenant_id, issue_id, start_at),
    FOREIGN KEY (tenant_id, issue_id)
        REFERENCES issues (tenant_id, issue_id) ON DELETE CASCADE
);

CREATE TABLE data_versions (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    project_key  text NOT NULL CHECK (project_key <> '' AND length(project_key) <= 64),
    version      bigint NOT NULL DEFAULT 1,
    last_sync_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, project_key)
);

-- Histories present in the embedded changelog when the issue was last
-- written from a page; with changelog_total it tells a truncated history.
ALTER TABLE issues ADD COLUMN changelog_present integer NOT NULL DEFAULT 0
    CHECK (changelog_present >= 0);

-- The pages a backfill has received, by a fingerprint of the issue ids on
-- them, so that a page delivered twice counts once.
CREATE TABLE backfill_pages (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    project_key  text NOT NULL,
    page_hash    text NOT NULL CHECK (length(page_hash) = 64),
    PRIMARY KEY (tenant_id, project_key, page_hash),
    FOREIGN KEY (tenant_id, project_key)
        REFERENCES backfills (tenant_id, project_key) ON DELETE CASCADE
);

-- How many issues a backfill run may bring at most (product.md: 50,000).
ALTER TABLE backfills ADD COLUMN cap integer NOT NULL DEFAULT 50000 CHECK (cap > 0);
