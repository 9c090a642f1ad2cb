-- How a job's source stands, as of its latest chunk: for Graph, the mailbox's
-- requests in flight allowed now and its throttling (shown by `status JOB`).
ALTER TABLE jobs ADD COLUMN source_status TEXT;
INSERT INTO schema_compat (version, additive, note) VALUES (9, TRUE, 'jobs.source_status: a new nullable column');
