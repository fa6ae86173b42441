-- Substitute access (SPEC C4): the orders, the development directory that
-- stands in for AD, idempotency keys, and the audit trail.

-- The development directory (production: AD through its own adapter). One
-- account per substitute user ID; the initial password is kept only as a hash.
CREATE TABLE directory_accounts (
    user_id       TEXT PRIMARY KEY NOT NULL,
    display_name  TEXT NOT NULL,
    enabled       BOOLEAN NOT NULL,
    password_hash TEXT NOT NULL,
    must_change   BOOLEAN NOT NULL DEFAULT TRUE,
    expires_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- An order. The CPR number is sealed (AES-256-GCM) and findable only through
-- a keyed hash of the exact number.
CREATE TABLE substitute_accesses (
    id                  TEXT PRIMARY KEY NOT NULL,
    orderer_id          INTEGER NOT NULL REFERENCES people (id),
    unit_id             TEXT REFERENCES units (id),
    municipality_code   TEXT NOT NULL REFERENCES municipalities (code),
    user_id             TEXT NOT NULL REFERENCES substitute_ids (user_id),
    substitute_name     TEXT NOT NULL,
    cpr_sealed          BLOB NOT NULL,
    cpr_search          TEXT NOT NULL,
    id_document         TEXT NOT NULL,
    declaration_version TEXT NOT NULL,
    signature_png       BLOB NOT NULL,
    starts_at           INTEGER NOT NULL,
    ends_at             INTEGER NOT NULL,
    ended_at            INTEGER,
    created_at          INTEGER NOT NULL
);
CREATE INDEX substitute_accesses_orderer ON substitute_accesses (orderer_id);
CREATE INDEX substitute_accesses_cpr ON substitute_accesses (cpr_search);
CREATE INDEX substitute_accesses_open ON substitute_accesses (ends_at) WHERE ended_at IS NULL;

-- A retried order replays its first answer. The receipt (with the one-time
-- password) is kept sealed, for retries only.
CREATE TABLE idempotency_keys (
    orderer_id     INTEGER NOT NULL REFERENCES people (id),
    key            TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    receipt_sealed BLOB,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (orderer_id, key)
);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor_id INTEGER REFERENCES people (id),
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL
);
