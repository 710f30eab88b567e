-- 0007_data_commits: the per-project data version without a hot row
-- (issue #7).
--
-- data_versions was one counter row per project that every ingest commit
-- updated, so concurrent commits of one project queued on its row lock
-- until the previous one had committed. Now each ingest commit appends one
-- row to data_commits and nothing is ever updated: writers never wait on
-- each other.
--
-- The version of a project is the sum of the weights of its visible rows.
-- On one PostgreSQL node commits become visible in one order, so the sets
-- of commits that snapshots see form a chain, and along it the sum grows
-- strictly (weights are positive): a snapshot that sees an acknowledged
-- commit reads a larger version than every snapshot that does not, which
-- is what the caches keyed by it rely on. max(id) would not do: a commit
-- holding a lower id can become visible after one holding a higher id.
--
-- Compaction (src/store/ingest.c) folds a project's visible rows into one
-- carrying their summed weight and newest `at`, in one statement: every
-- row is deleted by exactly one transaction, so the sum, and with it the
-- version, is unchanged for every reader.
--
-- data_versions stays as a view with the old name and columns, so its
-- readers are unchanged. It runs with the invoker's rights: the row-level
-- security of data_commits confines it to the reader's tenant.

CREATE TABLE data_commits (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    project_key  text NOT NULL CHECK (project_key <> '' AND length(project_key) <= 64),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    weight       bigint NOT NULL DEFAULT 1 CHECK (weight > 0),
    at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, project_key, id)
);

-- The migrating owner is subject to the forced row-level security of
-- data_versions (no tenant is set here): lift it so the copy sees every
-- tenant's row. The table is dropped below, in the same transaction.
ALTER TABLE data_versions NO FORCE ROW LEVEL SECURITY;

-- One commit of weight `version` per counter: the versions stay as they
-- were, so no cached result changes meaning.
INSERT INTO data_commits (tenant_id, project_key, weight, at)
SELECT tenant_id, project_key, version, last_sync_at FROM data_versions;

DROP TABLE data_versions;

CREATE VIEW data_versions WITH (security_invoker = true) AS
SELECT tenant_id, project_key, sum(weight)::bigint AS version, max(at) AS last_sync_at
  FROM data_commits
 GROUP BY tenant_id, project_key;

-- An insert into the view (set-up scripts and tests seeding a project)
-- records one commit of weight `version` (1 when not given). The
-- application role may only read the view (src/store/migrate.c).
CREATE FUNCTION data_versions_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_commits (tenant_id, project_key, weight, at)
    VALUES (NEW.tenant_id, NEW.project_key, coalesce(NEW.version, 1),
            coalesce(NEW.last_sync_at, now()));
    RETURN NEW;
END
$$;

CREATE TRIGGER data_versions_insert INSTEAD OF INSERT ON data_versions
    FOR EACH ROW EXECUTE FUNCTION data_versions_insert();
