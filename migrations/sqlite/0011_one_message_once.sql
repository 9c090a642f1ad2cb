-- One message once (#15): a message's ledger key is tenant-wide where the source has
-- one (Message-ID; Graph's internetMessageId), so the copies that several mailboxes
-- hold share one vector and one graph support. The source's own id for the copy
-- (Graph's immutable id, which delta removals name) is kept beside it.
ALTER TABLE message_ledger ADD COLUMN source_id TEXT;
CREATE INDEX message_ledger_source ON message_ledger (tenant_id, mailbox, source_id);
INSERT INTO schema_compat (version, additive, note) VALUES (11, TRUE, 'message_ledger.source_id: a new nullable column and its index');
