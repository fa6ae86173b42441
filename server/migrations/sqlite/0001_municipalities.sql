CREATE TABLE municipalities (
    code          TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    hint          TEXT,
    login_enabled BOOLEAN NOT NULL DEFAULT FALSE
);
