-- A tenant may keep several keys per provider, told apart by name (OPENAI_API_KEY,
-- a project key, …). Names are stored lowercased like providers, so a lookup is
-- case-insensitive by construction. Existing keys get the default name
-- '<provider>_api_key'. SQLite cannot change a primary key in place: rebuild.
CREATE TABLE tenant_keys_new (
    tenant_id  TEXT NOT NULL,
    provider   TEXT NOT NULL,
    name       TEXT NOT NULL,
    nonce      BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    hint       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, provider, name)
);
INSERT INTO tenant_keys_new (tenant_id, provider, name, nonce, ciphertext, hint, created_at, updated_at)
    SELECT tenant_id, provider, lower(provider) || '_api_key', nonce, ciphertext, hint, created_at, updated_at FROM tenant_keys;
DROP TABLE tenant_keys;
ALTER TABLE tenant_keys_new RENAME TO tenant_keys;

-- The embedder a tenant's vectors are computed with: 'local' (the vendored model,
-- the default when a tenant has no row) or 'openai:MODEL' with an optional
-- dimension. Each embedder writes its own LanceDB table.
CREATE TABLE tenant_embedders (
    tenant_id  TEXT NOT NULL PRIMARY KEY,
    embedder   TEXT NOT NULL,
    dimensions INTEGER,
    updated_at INTEGER NOT NULL
);

-- The embedder a job writes with, fixed when it first runs: a job resumed after the
-- tenant switched embedders keeps writing to the table it started in.
ALTER TABLE jobs ADD COLUMN embedder TEXT;
ALTER TABLE jobs ADD COLUMN embed_dimensions INTEGER;
