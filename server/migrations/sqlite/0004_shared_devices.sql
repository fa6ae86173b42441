-- Shared apartment tablets and wall screens (SPEC C3).

-- One-time codes an administrator makes to enroll a device. Only a SHA-256 of
-- the code is kept; a code works once, before it expires.
CREATE TABLE enrollment_codes (
    code_hash   TEXT PRIMARY KEY NOT NULL,
    unit_id     TEXT NOT NULL REFERENCES units (id),
    mode        TEXT NOT NULL CHECK (mode IN ('apartment_tablet', 'wall_screen')),
    apartment   TEXT,
    created_by  INTEGER NOT NULL REFERENCES people (id),
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

-- Enrolled devices; the device keeps its credential in its keystore, we keep
-- a SHA-256 of it. Revoked devices fall back to enrollment.
CREATE TABLE devices (
    id              TEXT PRIMARY KEY NOT NULL,
    credential_hash TEXT NOT NULL UNIQUE,
    unit_id         TEXT NOT NULL REFERENCES units (id),
    mode            TEXT NOT NULL CHECK (mode IN ('apartment_tablet', 'wall_screen')),
    apartment       TEXT,
    enrolled_at     INTEGER NOT NULL,
    revoked_at      INTEGER
);

-- Short-lived user-ID + PIN sessions on a device (SHA-256 of the token).
CREATE TABLE shared_sessions (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    device_id   TEXT NOT NULL REFERENCES devices (id),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    ended_at    INTEGER
);

-- Wrong user-ID + PIN answers per user ID as typed (a keyed hash of it),
-- whether or not the user ID exists, so the answers cannot tell them apart.
CREATE TABLE shared_login_failures (
    user_key    TEXT PRIMARY KEY NOT NULL,
    failures    INTEGER NOT NULL DEFAULT 0
);

-- Failed logins per device, for throttling a device that tries many user IDs.
CREATE TABLE device_login_failures (
    device_id   TEXT NOT NULL REFERENCES devices (id),
    at          INTEGER NOT NULL
);
CREATE INDEX device_login_failures_by_device ON device_login_failures (device_id, at);
