-- Whose audit row it is: the municipality of its actor, or of the device,
-- ID or person it is about when no person acted. Administrators read their
-- own municipality's rows (newest first, so the index is on both).
ALTER TABLE audit_log ADD COLUMN municipality_code TEXT;
UPDATE audit_log SET municipality_code =
    (SELECT p.municipality_code FROM people p WHERE p.id = audit_log.actor_id)
WHERE actor_id IS NOT NULL;
CREATE INDEX audit_log_municipality ON audit_log (municipality_code, id);
