-- 0001_init: tenants and the Jira data the flow metrics are computed from.
--
-- Rules every tenanted table follows (security.md section 2):
--   * tenant_id text NOT NULL, non-empty, leading the primary key;
--   * a foreign key to tenants ON DELETE CASCADE (uninstall removes all);
--   * references between tenant tables are composite (tenant_id, x), so a
--     row can never point into another tenant;
--   * RLS enabled and forced with the fail-closed policy created at the end.
-- Jira ids are numeric strings on the wire and bigint here.

CREATE TABLE tenants (
    tenant_id        text PRIMARY KEY CHECK (tenant_id <> '' AND length(tenant_id) <= 128),
    cloud_id         text CHECK (length(cloud_id) <= 64),
    site_url         text CHECK (length(site_url) <= 256),
    api_base_url     text CHECK (length(api_base_url) <= 256),
    environment      text CHECK (length(environment) <= 64),
    installed_at     timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    project_id  bigint NOT NULL CHECK (project_id > 0),
    key         text NOT NULL CHECK (key <> '' AND length(key) <= 64),
    name        text CHECK (length(name) <= 255),
    PRIMARY KEY (tenant_id, project_id)
);
-- Not unique: a project key can move to another project; the newest wins.
CREATE INDEX projects_key ON projects (tenant_id, key);

CREATE TABLE statuses (
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    status_id   bigint NOT NULL CHECK (status_id > 0),
    name        text NOT NULL CHECK (length(name) <= 255),
    category    text NOT NULL DEFAULT 'undefined'
                CHECK (category IN ('new', 'indeterminate', 'done', 'undefined')),
    -- Where name and category came from: 'infinity' for the status
    -- catalogue (authoritative), else the `updated` of the issue that
    -- showed them (the newest such issue wins).
    seen_at     timestamptz NOT NULL DEFAULT 'infinity',
    PRIMARY KEY (tenant_id, status_id)
);

CREATE TABLE issues (
    tenant_id           text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    issue_id            bigint NOT NULL CHECK (issue_id > 0),
    key                 text NOT NULL CHECK (key <> '' AND length(key) <= 64),
    project_id          bigint,
    project_key         text NOT NULL CHECK (project_key <> '' AND length(project_key) <= 64),
    summary             text CHECK (length(summary) <= 1024),
    status_id           bigint NOT NULL,
    issue_type          text CHECK (length(issue_type) <= 255),
    priority            text CHECK (length(priority) <= 255),
    assignee            text CHECK (length(assignee) <= 255),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    resolution_at       timestamptz,
    story_points        double precision,
    changelog_total     integer NOT NULL DEFAULT 0 CHECK (changelog_total >= 0),
    changelog_complete  boolean NOT NULL DEFAULT true,
    PRIMARY KEY (tenant_id, issue_id)
);
-- Keys are not unique: a moved issue changes key, and events arrive in any
-- order; lookups by key take the most recently updated row.
CREATE INDEX issues_key ON issues (tenant_id, key);
CREATE INDEX issues_project ON issues (tenant_id, project_key);

CREATE TABLE status_transitions (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    issue_id     bigint NOT NULL,
    history_id   bigint NOT NULL CHECK (history_id > 0),
    item_index   integer NOT NULL CHECK (item_index >= 0),
    at           timestamptz NOT NULL,
    from_status  bigint,
    to_status    bigint NOT NULL,
    PRIMARY KEY (tenant_id, issue_id, history_id, item_index),
    FOREIGN KEY (tenant_id, issue_id)
        REFERENCES issues (tenant_id, issue_id) ON DELETE CASCADE
);

CREATE TABLE sprints (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    sprint_id    bigint NOT NULL CHECK (sprint_id > 0),
    name         text NOT NULL CHECK (length(name) <= 255),
    state        text CHECK (state IN ('future', 'active', 'closed')),
    start_at     timestamptz,
    end_at       timestamptz,
    complete_at  timestamptz,
    board_id     bigint,
    PRIMARY KEY (tenant_id, sprint_id)
);

CREATE TABLE issue_sprints (
    tenant_id  text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    issue_id   bigint NOT NULL,
    sprint_id  bigint NOT NULL,
    PRIMARY KEY (tenant_id, issue_id, sprint_id),
    FOREIGN KEY (tenant_id, issue_id)
        REFERENCES issues (tenant_id, issue_id) ON DELETE CASCADE
);

CREATE TABLE backfills (
    tenant_id          text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    project_key        text NOT NULL CHECK (project_key <> '' AND length(project_key) <= 64),
    state              text NOT NULL DEFAULT 'queued'
                       CHECK (state IN ('queued', 'running', 'complete', 'capped', 'failed')),
    total              integer NOT NULL DEFAULT 0 CHECK (total >= 0),
    received           integer NOT NULL DEFAULT 0 CHECK (received >= 0),
    pages              integer NOT NULL DEFAULT 0 CHECK (pages >= 0),
    incomplete         integer NOT NULL DEFAULT 0 CHECK (incomplete >= 0),
    story_points_field text CHECK (length(story_points_field) <= 64),
    sprint_field       text CHECK (length(sprint_field) <= 64),
    started_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz,
    PRIMARY KEY (tenant_id, project_key)
);

-- RLS, the tenant policy and the application role's grants are not written
-- here: `biq migrate` applies them after every run to every table that has a
-- tenant_id column (src/store/migrate.c), so no later migration can forget.
