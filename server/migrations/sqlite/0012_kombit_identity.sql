-- People, roles and units from KOMBIT's privileges (OIO BPP): municipalities
-- are known by CVR number too; units by the UUID KOMBIT's org-unit
-- constraint names and their place in the hierarchy (a constraint covers a
-- unit's sub-units); each person has the roles and units of their newest
-- token (`token_iat`), re-read when a token says something new.
ALTER TABLE municipalities ADD COLUMN cvr TEXT;
CREATE UNIQUE INDEX municipalities_cvr ON municipalities (cvr);

ALTER TABLE units ADD COLUMN org_uuid TEXT;
ALTER TABLE units ADD COLUMN parent_id TEXT REFERENCES units (id);
CREATE UNIQUE INDEX units_org_uuid ON units (org_uuid);

ALTER TABLE people ADD COLUMN is_orderer BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE people ADD COLUMN token_iat INTEGER;
-- What the newest token said (a hash of its identity claims): a token that
-- says the same is not read again.
ALTER TABLE people ADD COLUMN token_fingerprint TEXT;
-- Whoever could order before (administrators, staff of ordering units) keeps
-- it until their next token says otherwise.
UPDATE people SET is_orderer = TRUE
 WHERE is_admin OR unit_id IN (SELECT id FROM units WHERE may_order_substitutes);

-- The units a person's privileges cover (sub-units included).
CREATE TABLE person_units (
    person_id INTEGER NOT NULL REFERENCES people (id),
    unit_id   TEXT NOT NULL REFERENCES units (id),
    PRIMARY KEY (person_id, unit_id)
);
INSERT INTO person_units (person_id, unit_id)
    SELECT id, unit_id FROM people WHERE unit_id IS NOT NULL;
