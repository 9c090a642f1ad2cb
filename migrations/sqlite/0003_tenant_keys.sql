-- BYOK: a tenant's provider keys, encrypted at rest (ChaCha20-Poly1305 under the
-- master key; the associated data binds each ciphertext to its tenant and provider).
-- provider is stored lowercased: lookups are case-insensitive by construction.
CREATE TABLE tenant_keys (
    tenant_id  TEXT NOT NULL,
    provider   TEXT NOT NULL,
    nonce      BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    hint       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, provider)
);
