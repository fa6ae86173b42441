-- A municipality's substitute user-ID generator (as OS2vikar keeps its
-- pool): at least min_free IDs are kept free by adding prefix + the next
-- numbers. No row: no generator.
CREATE TABLE substitute_id_generators (
    municipality_code TEXT PRIMARY KEY NOT NULL REFERENCES municipalities (code),
    prefix            TEXT NOT NULL,
    min_free          INTEGER NOT NULL
);
