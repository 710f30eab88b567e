-- 0006_alert_sweeps: per tenant, the state of its scheduled alert sweeps
-- (POST /forge/alerts/sweep, which each installation's Forge
-- scheduledTrigger calls every hour, and the in-process backup timer).
-- The process cannot list tenants (RLS), so this row, reached with the
-- tenant's own token, is what makes the daily cadence durable across
-- restarts and replicas.
--
-- daily_day: the last UTC day (days since 1970-01-01 at the flow clock, as
--   alert_events.utc_day) whose daily cadence completed; NULL: never. A
--   sweep runs the daily cadence when it is before today.
-- running_since: a sweep holds the tenant from then until it finishes, so
--   a second one meanwhile (a Forge retry or duplicate, another replica,
--   the backup timer) does not evaluate the same rules again. A hold older
--   than the server's lease (its holder died) may be taken over.
-- last_*: what the last completed sweep did, for operators.

CREATE TABLE alert_sweeps (
    tenant_id        text NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
    daily_day        integer CHECK (daily_day >= 0),
    running_since    timestamptz,
    last_finished_at timestamptz,
    last_cadence     text CHECK (last_cadence IN ('hourly', 'daily')),
    last_alerts      integer NOT NULL DEFAULT 0 CHECK (last_alerts >= 0),
    last_sent        integer NOT NULL DEFAULT 0 CHECK (last_sent >= 0),
    last_failed      integer NOT NULL DEFAULT 0 CHECK (last_failed >= 0),
    PRIMARY KEY (tenant_id)
);
