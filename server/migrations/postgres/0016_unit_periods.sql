-- Each unit's default and longest substitute access, in days (SPEC: 3 and
-- 30; its administrator may choose less, never more).
ALTER TABLE units ADD COLUMN default_days BIGINT NOT NULL DEFAULT 3
    CHECK (default_days >= 1 AND default_days <= 30);
ALTER TABLE units ADD COLUMN max_days BIGINT NOT NULL DEFAULT 30
    CHECK (max_days >= 1 AND max_days <= 30);
