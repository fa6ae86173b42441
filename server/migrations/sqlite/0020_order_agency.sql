-- The temporary-work agency (vikarbureau) a substitute comes from, when
-- the orderer names one: on the declaration and in the exports.
ALTER TABLE substitute_accesses ADD COLUMN agency TEXT;
