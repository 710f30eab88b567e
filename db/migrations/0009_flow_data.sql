-- 0009_flow_data: the data of issue #15 (flow as Jira users see it): what
-- filters, blocked time, flow efficiency, sprint reports and board order
-- are computed from. Rules of 0001: tenant_id leads every key, references
-- between tenant tables are composite, RLS is applied by `biq migrate`.
--
-- Histories (flag_changes, sprint_changes) are keyed like
-- status_transitions, by (issue, history id, item index): a history
-- delivered twice merges. The link set (block_links) is the issue's state:
-- replaced with the issue row, so "newest updated wins" holds for it too.

ALTER TABLE issues
    ADD COLUMN resolution  text CHECK (length(resolution) <= 1024),
    ADD COLUMN labels      text[] NOT NULL DEFAULT '{}' CHECK (cardinality(labels) <= 256),
    ADD COLUMN is_subtask  boolean NOT NULL DEFAULT false,
    ADD COLUMN parent_id   bigint CHECK (parent_id > 0),
    ADD COLUMN flagged     boolean NOT NULL DEFAULT false;

-- The Forge side's Flagged field id, sent with the backfill like the
-- story points and sprint ids.
ALTER TABLE backfills
    ADD COLUMN flagged_field text CHECK (length(flagged_field) <= 64);

CREATE TABLE flag_changes (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    issue_id     bigint NOT NULL,
    history_id   bigint NOT NULL CHECK (history_id > 0),
    item_index   integer NOT NULL CHECK (item_index >= 0),
    at           timestamptz NOT NULL,
    flagged      boolean NOT NULL,
    PRIMARY KEY (tenant_id, issue_id, history_id, item_index),
    FOREIGN KEY (tenant_id, issue_id)
        REFERENCES issues (tenant_id, issue_id) ON DELETE CASCADE
);

-- Only the other issue's id: never its key, summary or status.
CREATE TABLE block_links (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    issue_id     bigint NOT NULL,
    blocker_id   bigint NOT NULL CHECK (blocker_id > 0),
    linked_at    timestamptz,
    PRIMARY KEY (tenant_id, issue_id, blocker_id),
    FOREIGN KEY (tenant_id, issue_id)
        REFERENCES issues (tenant_id, issue_id) ON DELETE CASCADE
);

CREATE TABLE sprint_changes (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    issue_id     bigint NOT NULL,
    history_id   bigint NOT NULL CHECK (history_id > 0),
    item_index   integer NOT NULL CHECK (item_index >= 0),
    at           timestamptz NOT NULL,
    from_ids     bigint[] NOT NULL CHECK (cardinality(from_ids) <= 256),
    to_ids       bigint[] NOT NULL CHECK (cardinality(to_ids) <= 256),
    PRIMARY KEY (tenant_id, issue_id, history_id, item_index),
    FOREIGN KEY (tenant_id, issue_id)
        REFERENCES issues (tenant_id, issue_id) ON DELETE CASCADE
);

-- A project's boards as the Forge side read them (POST /forge/boards/KEY
-- replaces the set). columns: [{"name", "statuses": [ids], "min", "max"}]
-- left to right, -1 for an absent constraint.
CREATE TABLE project_boards (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    project_key  text NOT NULL CHECK (project_key <> '' AND length(project_key) <= 64),
    board_id     bigint NOT NULL CHECK (board_id > 0),
    name         text CHECK (length(name) <= 1024),
    columns      jsonb NOT NULL CHECK (jsonb_typeof(columns) = 'array'),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, project_key, board_id)
);
