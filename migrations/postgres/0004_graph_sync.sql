-- removed: messages this job deleted because the source no longer has them
-- (a delta query's @removed, or a re-listed mailbox that lacks them).
ALTER TABLE jobs ADD COLUMN removed BIGINT NOT NULL DEFAULT 0;

-- The delta link of each mail folder after the last completed incremental round:
-- where the next `atom-sync sync` of the mailbox continues. Written in the same
-- transaction as the chunk that finished the folder's round.
CREATE TABLE graph_sync_links (
    tenant_id  TEXT NOT NULL,
    mailbox    TEXT NOT NULL,
    folder_id  TEXT NOT NULL,
    delta_link TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, mailbox, folder_id)
);

