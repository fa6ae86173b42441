-- Substitute user IDs are unique per municipality, not across them: each
-- municipality has its own directory, so one can neither claim names
-- another needs nor learn which exist. The inventory, the orders that
-- reference it and the dev directory are keyed by (municipality, user ID).
-- Tables are rebuilt parent first, then child against the new parent, so no
-- foreign key is ever left dangling.
CREATE TABLE substitute_ids_new (
    user_id           TEXT NOT NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    state             TEXT NOT NULL DEFAULT 'free'
                      CHECK (state IN ('free', 'reserved', 'in_use', 'archived')),
    reserved_by       INTEGER REFERENCES people (id),
    reserved_until    INTEGER,
    added_at          INTEGER NOT NULL,
    PRIMARY KEY (municipality_code, user_id)
);
INSERT INTO substitute_ids_new (user_id, municipality_code, state, reserved_by, reserved_until, added_at)
    SELECT user_id, municipality_code, state, reserved_by, reserved_until, added_at FROM substitute_ids;

CREATE TABLE substitute_accesses_new (
    id                  TEXT PRIMARY KEY NOT NULL,
    orderer_id          INTEGER NOT NULL REFERENCES people (id),
    unit_id             TEXT REFERENCES units (id),
    municipality_code   TEXT NOT NULL REFERENCES municipalities (code),
    user_id             TEXT NOT NULL,
    substitute_name     TEXT NOT NULL,
    cpr_sealed          BLOB NOT NULL,
    cpr_search          TEXT NOT NULL,
    id_document         TEXT NOT NULL,
    declaration_version TEXT NOT NULL,
    signature_png       BLOB NOT NULL,
    starts_at           INTEGER NOT NULL,
    ends_at             INTEGER NOT NULL,
    ended_at            INTEGER,
    created_at          INTEGER NOT NULL,
    declaration_pdf     BLOB,
    declaration_sha256  TEXT,
    completed_at        INTEGER,
    cpr_key_id          TEXT,
    FOREIGN KEY (municipality_code, user_id)
        REFERENCES substitute_ids_new (municipality_code, user_id)
);
INSERT INTO substitute_accesses_new (id, orderer_id, unit_id, municipality_code, user_id,
        substitute_name, cpr_sealed, cpr_search, id_document, declaration_version,
        signature_png, starts_at, ends_at, ended_at, created_at, declaration_pdf,
        declaration_sha256, completed_at, cpr_key_id)
    SELECT id, orderer_id, unit_id, municipality_code, user_id,
        substitute_name, cpr_sealed, cpr_search, id_document, declaration_version,
        signature_png, starts_at, ends_at, ended_at, created_at, declaration_pdf,
        declaration_sha256, completed_at, cpr_key_id
    FROM substitute_accesses;

DROP TABLE substitute_accesses;
DROP TABLE substitute_ids;
ALTER TABLE substitute_ids_new RENAME TO substitute_ids;
ALTER TABLE substitute_accesses_new RENAME TO substitute_accesses;
CREATE INDEX substitute_ids_free ON substitute_ids (municipality_code, state, user_id);
CREATE INDEX substitute_ids_reserved_by ON substitute_ids (reserved_by) WHERE state = 'reserved';
CREATE INDEX substitute_accesses_orderer ON substitute_accesses (orderer_id);
CREATE INDEX substitute_accesses_cpr ON substitute_accesses (cpr_search);
CREATE INDEX substitute_accesses_open ON substitute_accesses (ends_at) WHERE ended_at IS NULL;
CREATE INDEX substitute_accesses_cpr_key ON substitute_accesses (cpr_key_id);

-- The dev directory stands in for every municipality's own AD.
CREATE TABLE directory_accounts_new (
    municipality_code TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    display_name      TEXT NOT NULL,
    enabled           BOOLEAN NOT NULL,
    password_hash     TEXT NOT NULL,
    must_change       BOOLEAN NOT NULL DEFAULT TRUE,
    expires_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (municipality_code, user_id)
);
INSERT INTO directory_accounts_new (municipality_code, user_id, display_name, enabled,
        password_hash, must_change, expires_at, updated_at)
    SELECT COALESCE((SELECT s.municipality_code FROM substitute_ids s WHERE s.user_id = d.user_id), ''),
        d.user_id, d.display_name, d.enabled, d.password_hash, d.must_change, d.expires_at, d.updated_at
    FROM directory_accounts d;
DROP TABLE directory_accounts;
ALTER TABLE directory_accounts_new RENAME TO directory_accounts;
