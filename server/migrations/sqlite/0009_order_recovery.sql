-- An order is one recoverable unit: its idempotency key is the claim on it
-- (a holder and a lease a crashed instance's claim outlives by no more than
-- its timeout), names the access once it is recorded, and keeps the
-- receipt (with the one-time password) sealed until the order is whole; an access is
-- whole (listed, mailed, expired) once its directory account exists.
ALTER TABLE idempotency_keys ADD COLUMN holder TEXT;
ALTER TABLE idempotency_keys ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE idempotency_keys ADD COLUMN access_id TEXT;
ALTER TABLE idempotency_keys ADD COLUMN receipt_pending BLOB;
CREATE INDEX idempotency_keys_unfinished ON idempotency_keys (lease_until)
    WHERE receipt_sealed IS NULL;

ALTER TABLE substitute_accesses ADD COLUMN completed_at INTEGER;
UPDATE substitute_accesses SET completed_at = created_at;
