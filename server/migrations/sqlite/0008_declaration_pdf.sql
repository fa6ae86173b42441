-- The signed declaration as PDF/A (SPEC C4 step 7), with the SHA-256 of the
-- file as made, checked again on every download.
ALTER TABLE substitute_accesses ADD COLUMN declaration_pdf BLOB;
ALTER TABLE substitute_accesses ADD COLUMN declaration_sha256 TEXT;
