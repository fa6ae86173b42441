-- An archived user ID is free again after a quarantine
-- (OMSORG_ID_QUARANTINE_DAYS, default 30), so a municipality's inventory
-- does not run dry. IDs archived before this count from now.
ALTER TABLE substitute_ids ADD COLUMN archived_at INTEGER;
UPDATE substitute_ids SET archived_at = CAST(strftime('%s', 'now') AS INTEGER) WHERE state = 'archived';
