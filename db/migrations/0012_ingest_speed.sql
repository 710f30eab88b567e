-- 0012_ingest_speed: page ingest without per-row foreign-key checks on the
-- per-issue tables (issue 16, item 3, "ingest at the speed of the store").
--
-- A backfill page inserts ~7 status transitions and a few sprint
-- memberships per issue; each row ran the RI triggers of its references to
-- issues and to tenants (SPI queries, planned again for every row under
-- the pool's plan_cache_mode = force_custom_plan): two thirds of the
-- database's time of a page (docs/performance.md, "Ingest at the speed of
-- the store"). The store never inserts into these tables but through
-- statements that join the live issue (src/store/ingest.c,
-- src/store/ingest_extras.c: `JOIN (SELECT ... FROM issues ... FOR KEY
-- SHARE)`, or only for issues the same statement sequence has just
-- written and therefore holds locked), which is the check the foreign key
-- made, once per page instead of once per row, and with the same lock (a
-- concurrent delete of the issue waits for the writer, and a writer waits
-- for a deleting transaction and then finds no issue).
--
-- What ON DELETE CASCADE did, the store now does itself, in the
-- transaction that deletes issues (biq_store_issue_delete,
-- biq_store_issue_restrict, biq_store_reconcile_ids: one statement right
-- after the DELETE FROM issues, src/store/ingest.c ISSUE_CHILDREN_DELETE).
-- The reference to tenants stays (ON DELETE CASCADE): the security
-- posture promises that an uninstall drops the whole tenant graph by
-- cascading deletes in one transaction, and these tables are part of it.
-- Its per-row check is an index probe of the one tenants row; the issues
-- reference was the costly one (its check locks and re-plans per row).

-- changelog_pages keeps its reference: one row per changelog page, never
-- a bulk insert. Keys are unchanged (every key leads with tenant_id).

ALTER TABLE status_transitions DROP CONSTRAINT status_transitions_tenant_id_issue_id_fkey;
ALTER TABLE issue_sprints DROP CONSTRAINT issue_sprints_tenant_id_issue_id_fkey;
ALTER TABLE flag_changes DROP CONSTRAINT flag_changes_tenant_id_issue_id_fkey;
ALTER TABLE block_links DROP CONSTRAINT block_links_tenant_id_issue_id_fkey;
ALTER TABLE sprint_changes DROP CONSTRAINT sprint_changes_tenant_id_issue_id_fkey;

-- Orphans cannot exist yet (the constraints held until now); nothing to
-- clean.
