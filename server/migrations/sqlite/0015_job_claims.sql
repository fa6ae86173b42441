-- Background work is claimed before it is done, so two instances never do
-- the same piece twice, and a crashed instance's claim runs out after its
-- lease (OMSORG_JOB_LEASE_SECS): an access's expiry, a mail's sending
-- (its next_attempt_at is the lease), and a whole run of a periodic job.
ALTER TABLE substitute_accesses ADD COLUMN expiry_holder TEXT;
ALTER TABLE substitute_accesses ADD COLUMN expiry_until INTEGER;
ALTER TABLE mail_outbox ADD COLUMN claimed_by TEXT;
CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY NOT NULL,
    holder      TEXT NOT NULL,
    lease_until INTEGER NOT NULL
);
