-- A user ID + PIN login (and an administrator's search by user ID) finds
-- its person by user ID in any case, lower(user_id), which the UNIQUE
-- index on user_id cannot answer: without this index every such login
-- read every person of every municipality.
CREATE INDEX people_by_user_id ON people (municipality_code, lower(user_id));
