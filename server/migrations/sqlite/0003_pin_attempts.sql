-- Wrong PINs in a row; at 5 the PIN is locked until it is set again.
ALTER TABLE people ADD COLUMN pin_failed_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN pin_locked BOOLEAN NOT NULL DEFAULT FALSE;
