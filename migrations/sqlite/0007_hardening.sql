-- generation: bumped when a job is re-run from the start; a ledger row written in
-- the job's current generation is a message this run already committed, so a repeat
-- (a Message-ID seen again, a resumed folder read from the start) is counted once.
ALTER TABLE jobs ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE message_ledger ADD COLUMN job_generation INTEGER NOT NULL DEFAULT 0;

-- failures: runs of the job that ended badly (a transient failure, a rescue by the
-- reaper); the retry budget (--max-attempts) counts these, not graceful releases.
ALTER TABLE jobs ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
-- not_before: a job retried after a transient failure waits until then (backoff).
ALTER TABLE jobs ADD COLUMN not_before INTEGER;

-- sealed_version 2: the key's name is part of its associated data; 1: keys sealed
-- before names were bound (they still open, under their provider only).
ALTER TABLE tenant_keys ADD COLUMN sealed_version INTEGER NOT NULL DEFAULT 1;

-- One active job per mailbox. Older duplicates (possible before this migration) are
-- cancelled, with the reason in their row.
UPDATE jobs SET state = 'cancelled', finished_at = updated_at, lease_owner = NULL,
    last_error = 'cancelled by the upgrade to one active job per mailbox: a newer job of the mailbox was active'
WHERE state IN ('pending', 'running')
  AND EXISTS (SELECT 1 FROM jobs newer WHERE newer.tenant_id = jobs.tenant_id AND newer.mailbox = jobs.mailbox
                AND newer.state IN ('pending', 'running')
                AND (newer.created_at > jobs.created_at OR (newer.created_at = jobs.created_at AND newer.id > jobs.id)));
CREATE UNIQUE INDEX jobs_one_active ON jobs (tenant_id, mailbox) WHERE state IN ('pending', 'running');
