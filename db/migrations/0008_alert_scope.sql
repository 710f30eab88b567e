-- Alert rules for one project, and ids that say nothing about other sites
-- (issue "Authorization by caller").
--
-- A rule with a project_key is its project's: the project's admins manage
-- it from the project settings page and it is evaluated for that project
-- only. A rule without one is site-wide, managed by site admins.
ALTER TABLE alert_rules
    ADD COLUMN project_key text
        CHECK (project_key IS NULL OR (project_key ~ '^[A-Z][A-Z0-9_]*$'
                                       AND length(project_key) <= 255));

CREATE INDEX alert_rules_project ON alert_rules (tenant_id, project_key);

-- Identity columns count across every tenant: an id told one site how many
-- rules and destinations all the others had made. Random ids below 2^53
-- (exact in JavaScript) instead; the primary key (tenant_id, id) refuses
-- the rare repeat within a tenant, which the API reports as a retryable
-- error.
ALTER TABLE alert_rules ALTER COLUMN rule_id DROP IDENTITY;
ALTER TABLE alert_rules
    ALTER COLUMN rule_id SET DEFAULT (floor(random() * 9007199254740990))::bigint + 1;
ALTER TABLE alert_destinations ALTER COLUMN destination_id DROP IDENTITY;
ALTER TABLE alert_destinations
    ALTER COLUMN destination_id SET DEFAULT (floor(random() * 9007199254740990))::bigint + 1;
