-- Org units (from the municipal org directory) and provisioned people.
CREATE TABLE units (
    id                    TEXT PRIMARY KEY NOT NULL,
    municipality_code     TEXT NOT NULL REFERENCES municipalities (code),
    name                  TEXT NOT NULL,
    manager_name          TEXT,
    manager_email         TEXT,
    may_order_substitutes BOOLEAN NOT NULL DEFAULT FALSE
);

-- A person exists here only while the municipality's administrative system
-- says so; `active = FALSE` (or no row) closes every door at the next call.
CREATE TABLE people (
    id                INTEGER PRIMARY KEY,
    issuer            TEXT NOT NULL,
    subject           TEXT NOT NULL,
    user_id           TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    unit_id           TEXT REFERENCES units (id),
    is_admin          BOOLEAN NOT NULL DEFAULT FALSE,
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    pin_hash          TEXT,
    UNIQUE (issuer, subject)
);
