-- The schema in types both databases share (PostgreSQL's migrations begin
-- at 0014 with this schema). SQLite keeps booleans as integers whatever the
-- declared type, but the backend reads both databases through sqlx's Any
-- driver, which refuses a column declared BOOLEAN on SQLite: those columns
-- are declared INTEGER here (the stored 0/1 are unchanged). The per-device
-- failure rows get an ID of their own instead of SQLite's rowid.
--
-- SQLite cannot change a column's type, so each table is rebuilt as its
-- documentation prescribes (https://sqlite.org/lang_altertable.html, "other
-- kinds of table schema changes"): new table, copy, drop the old, rename.
-- `db::connect` migrates SQLite on a connection with foreign keys off, and
-- refuses to start if `PRAGMA foreign_key_check` then finds a violation.

CREATE TABLE municipalities_new (
    code          TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    hint          TEXT,
    login_enabled INTEGER NOT NULL DEFAULT FALSE,
    cvr           TEXT,
    shared_devices_whole_municipality INTEGER NOT NULL DEFAULT FALSE
);
INSERT INTO municipalities_new (code, name, issuer, hint, login_enabled, cvr,
        shared_devices_whole_municipality)
    SELECT code, name, issuer, hint, login_enabled, cvr, shared_devices_whole_municipality
    FROM municipalities;
DROP TABLE municipalities;
ALTER TABLE municipalities_new RENAME TO municipalities;
CREATE UNIQUE INDEX municipalities_cvr ON municipalities (cvr);

CREATE TABLE units_new (
    id                    TEXT PRIMARY KEY NOT NULL,
    municipality_code     TEXT NOT NULL REFERENCES municipalities (code),
    name                  TEXT NOT NULL,
    manager_name          TEXT,
    manager_email         TEXT,
    may_order_substitutes INTEGER NOT NULL DEFAULT FALSE,
    org_uuid              TEXT,
    parent_id             TEXT REFERENCES units (id)
);
INSERT INTO units_new (id, municipality_code, name, manager_name, manager_email,
        may_order_substitutes, org_uuid, parent_id)
    SELECT id, municipality_code, name, manager_name, manager_email,
        may_order_substitutes, org_uuid, parent_id
    FROM units;
DROP TABLE units;
ALTER TABLE units_new RENAME TO units;
CREATE UNIQUE INDEX units_org_uuid ON units (org_uuid);

CREATE TABLE people_new (
    id                  INTEGER PRIMARY KEY,
    issuer              TEXT NOT NULL,
    subject             TEXT NOT NULL,
    user_id             TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    municipality_code   TEXT NOT NULL REFERENCES municipalities (code),
    unit_id             TEXT REFERENCES units (id),
    is_admin            INTEGER NOT NULL DEFAULT FALSE,
    active              INTEGER NOT NULL DEFAULT TRUE,
    pin_hash            TEXT,
    pin_failed_attempts INTEGER NOT NULL DEFAULT 0,
    pin_locked          INTEGER NOT NULL DEFAULT FALSE,
    email               TEXT,
    is_orderer          INTEGER NOT NULL DEFAULT FALSE,
    token_iat           INTEGER,
    token_fingerprint   TEXT,
    UNIQUE (issuer, subject)
);
INSERT INTO people_new (id, issuer, subject, user_id, name, municipality_code, unit_id,
        is_admin, active, pin_hash, pin_failed_attempts, pin_locked, email, is_orderer,
        token_iat, token_fingerprint)
    SELECT id, issuer, subject, user_id, name, municipality_code, unit_id,
        is_admin, active, pin_hash, pin_failed_attempts, pin_locked, email, is_orderer,
        token_iat, token_fingerprint
    FROM people;
DROP TABLE people;
ALTER TABLE people_new RENAME TO people;

CREATE TABLE directory_accounts_new (
    municipality_code TEXT NOT NULL,
    user_id           TEXT NOT NULL,
    display_name      TEXT NOT NULL,
    enabled           INTEGER NOT NULL,
    password_hash     TEXT NOT NULL,
    must_change       INTEGER NOT NULL DEFAULT TRUE,
    expires_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (municipality_code, user_id)
);
INSERT INTO directory_accounts_new (municipality_code, user_id, display_name, enabled,
        password_hash, must_change, expires_at, updated_at)
    SELECT municipality_code, user_id, display_name, enabled,
        password_hash, must_change, expires_at, updated_at
    FROM directory_accounts;
DROP TABLE directory_accounts;
ALTER TABLE directory_accounts_new RENAME TO directory_accounts;

CREATE TABLE device_login_failures_new (
    id          INTEGER PRIMARY KEY,
    device_id   TEXT NOT NULL REFERENCES devices (id),
    at          INTEGER NOT NULL
);
INSERT INTO device_login_failures_new (device_id, at)
    SELECT device_id, at FROM device_login_failures;
DROP TABLE device_login_failures;
ALTER TABLE device_login_failures_new RENAME TO device_login_failures;
CREATE INDEX device_login_failures_by_device ON device_login_failures (device_id, at);
