-- atom-sync schema, SQLite flavour (the embedded default). Times are unix milliseconds.
-- Every table carries tenant_id and every unique key starts with it, so every write
-- is an idempotent upsert scoped to one tenant.

CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    source          TEXT NOT NULL,
    mailbox         TEXT NOT NULL,
    window_start    INTEGER,
    window_end      INTEGER,
    state           TEXT NOT NULL,
    cursor          TEXT,
    has_more        INTEGER NOT NULL DEFAULT 1,
    chunk_size      INTEGER NOT NULL,
    max_body_bytes  INTEGER NOT NULL,
    estimated_total INTEGER,
    processed       INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    entities        INTEGER NOT NULL DEFAULT 0,
    relationships   INTEGER NOT NULL DEFAULT 0,
    vectors         INTEGER NOT NULL DEFAULT 0,
    chunks          INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_token     INTEGER NOT NULL DEFAULT 0,
    heartbeat_at    INTEGER,
    progress_at     INTEGER,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    finished_at     INTEGER,
    updated_at      INTEGER NOT NULL,
    last_error      TEXT
);
CREATE INDEX jobs_tenant_state ON jobs (tenant_id, state);
CREATE INDEX jobs_state ON jobs (state, created_at);

CREATE TABLE job_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  TEXT NOT NULL,
    job_id     TEXT NOT NULL,
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    message    TEXT NOT NULL
);
CREATE INDEX job_events_job ON job_events (tenant_id, job_id, id);

CREATE TABLE message_ledger (
    tenant_id     TEXT NOT NULL,
    mailbox       TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    job_id        TEXT NOT NULL,
    status        TEXT NOT NULL,
    reason        TEXT,
    vector_status TEXT NOT NULL,
    graph_status  TEXT NOT NULL,
    subject       TEXT,
    sender        TEXT,
    sent_at       INTEGER,
    source_ref    TEXT,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, mailbox, message_id)
);
CREATE INDEX message_ledger_job ON message_ledger (tenant_id, job_id, status);

CREATE TABLE discovered_entities (
    tenant_id     TEXT NOT NULL,
    entity_key    TEXT NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    email         TEXT,
    domain        TEXT,
    first_seen_at INTEGER,
    last_seen_at  INTEGER,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, entity_key)
);

CREATE TABLE graph_nodes (
    tenant_id  TEXT NOT NULL,
    node_key   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    origin     TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, node_key)
);

CREATE TABLE graph_node_aliases (
    tenant_id TEXT NOT NULL,
    node_key  TEXT NOT NULL,
    alias     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, node_key, alias)
);

-- The messages that mention a node; a node's mention count is derived from these rows.
CREATE TABLE graph_node_support (
    tenant_id  TEXT NOT NULL,
    node_key   TEXT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, node_key, message_id)
);

CREATE TABLE graph_edges (
    tenant_id     TEXT NOT NULL,
    src_key       TEXT NOT NULL,
    rel           TEXT NOT NULL,
    dst_key       TEXT NOT NULL,
    origin        TEXT NOT NULL,
    first_seen_at INTEGER,
    last_seen_at  INTEGER,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, src_key, rel, dst_key)
);

-- The messages that state an edge; an edge's weight is the number of these rows.
CREATE TABLE graph_edge_support (
    tenant_id  TEXT NOT NULL,
    src_key    TEXT NOT NULL,
    rel        TEXT NOT NULL,
    dst_key    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    stated_at  INTEGER,
    PRIMARY KEY (tenant_id, src_key, rel, dst_key, message_id)
);
