-- 0003_settings: tenant and project settings, and who changed them.
--
-- Settings are stored as their overrides only: `overrides` holds the
-- fields a user set, so a field absent from it shows (and follows) its
-- default, and resetting a field removes its key. The API validates every
-- field (src/api/settings.c) before it reaches this table.
-- `version` moves with every change: cached dashboards are keyed by it, so
-- none computed with old settings is served after a PUT is acknowledged.
-- settings_history: one row per PUT that changed something; `principal` is
-- the token's user id (security.md allows it in audit records), `changes`
-- maps each changed field to its old and new override.

CREATE TABLE tenant_settings (
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    overrides   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(overrides) = 'object'),
    version     bigint NOT NULL DEFAULT 1 CHECK (version > 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

CREATE TABLE project_settings (
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    project_key text NOT NULL CHECK (project_key <> '' AND length(project_key) <= 64),
    overrides   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(overrides) = 'object'),
    version     bigint NOT NULL DEFAULT 1 CHECK (version > 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, project_key)
);

CREATE TABLE settings_history (
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    change_id   bigint GENERATED ALWAYS AS IDENTITY,
    scope       text NOT NULL CHECK (scope IN ('tenant', 'project')),
    project_key text CHECK (length(project_key) <= 64),
    principal   text CHECK (length(principal) <= 64),
    changed_at  timestamptz NOT NULL DEFAULT now(),
    changes     jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'object'),
    PRIMARY KEY (tenant_id, change_id)
);

-- The status names a changelog item wrote (fromString / toString): a status
-- missing from the catalogue (deleted, or from another workflow) is shown
-- under the name the data gave it, as the offline report does, instead of
-- as a nameless id.
ALTER TABLE status_transitions
    ADD COLUMN from_name text CHECK (length(from_name) <= 1024),
    ADD COLUMN to_name   text CHECK (length(to_name) <= 1024);
