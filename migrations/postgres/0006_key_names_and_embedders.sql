-- A tenant may keep several keys per provider, told apart by name (OPENAI_API_KEY,
-- a project key, …). Names are stored lowercased like providers, so a lookup is
-- case-insensitive by construction. Existing keys get the default name
-- '<provider>_api_key'.
ALTER TABLE tenant_keys ADD COLUMN name TEXT;
UPDATE tenant_keys SET name = lower(provider) || '_api_key';
ALTER TABLE tenant_keys ALTER COLUMN name SET NOT NULL;
ALTER TABLE tenant_keys DROP CONSTRAINT tenant_keys_pkey;
ALTER TABLE tenant_keys ADD PRIMARY KEY (tenant_id, provider, name);

-- The embedder a tenant's vectors are computed with: 'local' (the vendored model,
-- the default when a tenant has no row) or 'openai:MODEL' with an optional
-- dimension. Each embedder writes its own LanceDB table.
CREATE TABLE tenant_embedders (
    tenant_id  TEXT NOT NULL PRIMARY KEY,
    embedder   TEXT NOT NULL,
    dimensions BIGINT,
    updated_at BIGINT NOT NULL
);

-- The embedder a job writes with, fixed when it first runs: a job resumed after the
-- tenant switched embedders keeps writing to the table it started in.
ALTER TABLE jobs ADD COLUMN embedder TEXT;
ALTER TABLE jobs ADD COLUMN embed_dimensions BIGINT;
