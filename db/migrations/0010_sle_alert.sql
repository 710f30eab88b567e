-- The sle_at_risk alert kind (issue #14): a per-ticket rule that fires for
-- work in progress at risk of missing its project's service level
-- expectation (project settings "sle", "sleByIssueType"). Its params are
-- {}; the kind list of 0004 is widened, nothing else changes.
ALTER TABLE alert_rules DROP CONSTRAINT alert_rules_kind_check;
ALTER TABLE alert_rules
    ADD CONSTRAINT alert_rules_kind_check
        CHECK (kind IN ('stuck_in_status', 'cycle_time_exceeded', 'no_activity',
                        'trend_worsening', 'wip_breach', 'sle_at_risk'));
