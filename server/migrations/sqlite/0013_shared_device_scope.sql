-- Whom a municipality's apartment tablets and wall screens admit: only staff
-- whose KOMBIT privileges cover the device's unit (the default, to protect
-- residents), or (TRUE) anyone of the municipality.
ALTER TABLE municipalities ADD COLUMN shared_devices_whole_municipality BOOLEAN NOT NULL DEFAULT FALSE;
