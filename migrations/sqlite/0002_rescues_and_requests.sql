-- rescues: how often the reaper re-queued the job after its owner went silent.
-- requested_state: a pause or cancel asked for by an operator, honoured by the
-- owner at its next heartbeat (cooperative, within one heartbeat interval).
ALTER TABLE jobs ADD COLUMN rescues INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN requested_state TEXT;
