-- The systems (directory groups) a unit's substitutes get, as a JSON
-- array an administrator sets; and the groups each order and directory
-- account got (the template as it was when the order was made).
ALTER TABLE units ADD COLUMN substitute_groups TEXT NOT NULL DEFAULT '[]';
ALTER TABLE substitute_accesses ADD COLUMN groups TEXT NOT NULL DEFAULT '[]';
ALTER TABLE directory_accounts ADD COLUMN groups TEXT NOT NULL DEFAULT '[]';
