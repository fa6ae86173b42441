-- Who enrolled a device (the enrollment code's maker) and when it was last
-- heard from, for the administrators' list of devices. Devices enrolled
-- before this have neither until their next contact.
ALTER TABLE devices ADD COLUMN enrolled_by BIGINT REFERENCES people (id);
ALTER TABLE devices ADD COLUMN last_seen_at BIGINT;
