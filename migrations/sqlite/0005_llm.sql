-- LLM extraction for tenants with their own key.
-- llm_status: whether the job's LLM path ran and, if not, why (no key, key refused).
-- llm_tokens: tokens this job's LLM calls used (memoised answers cost none).
ALTER TABLE jobs ADD COLUMN llm_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN llm_status TEXT;
-- llm_token_cap: the job's LLM path pauses once its tokens reach this (NULL = no cap).
ALTER TABLE jobs ADD COLUMN llm_token_cap INTEGER;

-- Per message: extracted, memoised, malformed (with the reason), or off.
ALTER TABLE message_ledger ADD COLUMN llm_status TEXT;

-- One model answer per (tenant, content, prompt version, model): a re-run of
-- unchanged mail makes no LLM call.
CREATE TABLE llm_memo (
    tenant_id      TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    model          TEXT NOT NULL,
    answer         TEXT NOT NULL,
    tokens         INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, content_hash, prompt_version, model)
);
