-- Which migrations an older atom-sync may run beside: one that only adds (new
-- tables, nullable columns) lets a binary one migration behind keep working during a
-- rolling upgrade, and it says so; any other makes it refuse until upgraded.
CREATE TABLE schema_compat (
    version  INTEGER PRIMARY KEY,
    additive BOOLEAN NOT NULL,
    note     TEXT NOT NULL
);
INSERT INTO schema_compat (version, additive, note)
    VALUES (8, TRUE, 'tenant connections and fleet settings: new tables only');

-- Settings of the whole fleet rather than of a tenant: the master key's fingerprint
-- (never the key), so a worker whose key differs says so at start.
CREATE TABLE fleet_settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A tenant's own Microsoft 365 connection: its directory (Entra tenant) and app, where
-- its Graph and login are (national clouds), and the credential (a client secret or
-- a certificate's private key), sealed under the master key like BYOK keys.
CREATE TABLE tenant_connections (
    tenant_id      TEXT PRIMARY KEY,
    directory_id   TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    auth           TEXT NOT NULL,
    graph_url      TEXT NOT NULL,
    login_url      TEXT NOT NULL,
    thumbprint     TEXT,
    hint           TEXT NOT NULL,
    nonce          BLOB NOT NULL,
    ciphertext     BLOB NOT NULL,
    sealed_version INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
