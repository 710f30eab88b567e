-- 0004_alerts: alert rules, where alerts go, and what fired.
--
-- alert_rules: tenant-wide; `params` holds the kind's own fields, already
--   validated by the API (src/alerts/validate.c), e.g. {"statusId": 3,
--   "thresholdHours": 24}.
-- alert_destinations: `target` is the e-mail address or webhook URL. It is
--   write-only through the API (shown by `target_last4` only) because a
--   webhook URL is a bearer credential.
-- alert_rule_destinations: a rule with bindings goes to them instead of the
--   tenant defaults.
-- alert_cooldowns: when a (rule, destination) pair was last sent to.
-- alert_events: fired alerts. The unique key (tenant, rule, issue, UTC day)
--   makes "at most once per ticket per UTC day" a database fact, whatever
--   evaluations run concurrently. issue_id 0 stands for a rule-wide alert
--   (WIP breach, trend), which has no ticket.

CREATE TABLE alert_rules (
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    rule_id     bigint GENERATED ALWAYS AS IDENTITY,
    kind        text NOT NULL CHECK (kind IN ('stuck_in_status', 'cycle_time_exceeded',
                                              'no_activity', 'trend_worsening', 'wip_breach')),
    name        text NOT NULL CHECK (name <> '' AND length(name) <= 120),
    enabled     boolean NOT NULL DEFAULT true,
    params      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
    cooldown_minutes integer NOT NULL DEFAULT 60 CHECK (cooldown_minutes >= 5),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, rule_id)
);

CREATE TABLE alert_destinations (
    tenant_id      text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    destination_id bigint GENERATED ALWAYS AS IDENTITY,
    kind           text NOT NULL CHECK (kind IN ('email', 'slack', 'teams')),
    name           text NOT NULL CHECK (name <> '' AND length(name) <= 120),
    target         text NOT NULL CHECK (target <> '' AND length(target) <= 2048),
    is_default     boolean NOT NULL DEFAULT false,
    state          text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused')),
    consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    last_test_at   timestamptz,
    last_test_ok   boolean,
    last_test_detail text CHECK (length(last_test_detail) <= 200),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, destination_id)
);

CREATE TABLE alert_rule_destinations (
    tenant_id      text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    rule_id        bigint NOT NULL,
    destination_id bigint NOT NULL,
    PRIMARY KEY (tenant_id, rule_id, destination_id),
    FOREIGN KEY (tenant_id, rule_id) REFERENCES alert_rules (tenant_id, rule_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, destination_id)
        REFERENCES alert_destinations (tenant_id, destination_id) ON DELETE CASCADE
);

CREATE TABLE alert_cooldowns (
    tenant_id      text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    rule_id        bigint NOT NULL,
    destination_id bigint NOT NULL,
    last_sent_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, rule_id, destination_id),
    FOREIGN KEY (tenant_id, rule_id) REFERENCES alert_rules (tenant_id, rule_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, destination_id)
        REFERENCES alert_destinations (tenant_id, destination_id) ON DELETE CASCADE
);

CREATE TABLE alert_events (
    tenant_id    text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    event_id     bigint GENERATED ALWAYS AS IDENTITY,
    rule_id      bigint NOT NULL,
    issue_id     bigint NOT NULL CHECK (issue_id >= 0),
    utc_day      integer NOT NULL,
    project_key  text NOT NULL CHECK (project_key <> '' AND length(project_key) <= 64),
    status_id    bigint,
    value_ms     bigint NOT NULL DEFAULT 0,
    fired_at     timestamptz NOT NULL DEFAULT now(),
    delivered    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, event_id),
    UNIQUE (tenant_id, rule_id, issue_id, utc_day),
    FOREIGN KEY (tenant_id, rule_id) REFERENCES alert_rules (tenant_id, rule_id) ON DELETE CASCADE
);
CREATE INDEX alert_events_recent ON alert_events (tenant_id, project_key, fired_at DESC);
