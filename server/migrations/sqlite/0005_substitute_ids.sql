-- The substitute user-ID inventory administrators keep (SPEC C4 step 4).
-- An ID is free, reserved by an orderer for a while, in use by an access, or
-- archived after its access ended. A reservation past `reserved_until` counts
-- as free again.
CREATE TABLE substitute_ids (
    user_id           TEXT PRIMARY KEY NOT NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    state             TEXT NOT NULL DEFAULT 'free'
                      CHECK (state IN ('free', 'reserved', 'in_use', 'archived')),
    reserved_by       INTEGER REFERENCES people (id),
    reserved_until    INTEGER,
    added_at          INTEGER NOT NULL
);
CREATE INDEX substitute_ids_free ON substitute_ids (municipality_code, state, user_id);
