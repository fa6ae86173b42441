-- CPR key rotation: each sealed CPR number names the key it is sealed under
-- (a fingerprint, `cpr_vault::Key::id`). Rows from before are stamped at
-- start with the configured key that opens them (`cpr_rekey::check_keys`).
ALTER TABLE substitute_accesses ADD COLUMN cpr_key_id TEXT;
CREATE INDEX substitute_accesses_cpr_key ON substitute_accesses (cpr_key_id);
