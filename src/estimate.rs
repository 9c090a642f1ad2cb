//! `backfill --dry-run`: read everything a backfill would read and say what it would
//! cost, writing nothing. When a store already exists it is read, and only read, for
//! what it knows of the tenant: its key (no key, no LLM cost), its memo (answers
//! already paid for) and its embedder.

use std::collections::HashMap;

use serde::Serialize;

use crate::Result;
use crate::embed::EmbedderSpec;
use crate::extract::llm::{OUTPUT_TOKENS_PER_MESSAGE, PROMPT_VERSION, input_tokens};
use crate::keys::TenantKey;
use crate::provider::Provider;
use crate::source::{Item, SourceSpec, Sources};
use crate::store::Store;

/// What the store says about the tenant's LLM path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum LlmPlan {
    /// No store yet: the cost if the tenant has a key.
    Unknown,
    /// The tenant's jobs would extract nothing, and why.
    Off {
        reason: String,
    },
    On,
}

/// The dry run's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    pub tenant: String,
    pub sources: usize,
    /// Messages to process, and those the source cannot use.
    pub messages: u64,
    pub unusable: u64,
    /// The tenant's embedder, when the store names one.
    pub embedder: Option<EmbedderSpec>,
    /// Tokens an OpenAI-compatible embedder would be sent.
    pub embedding_tokens: u64,
    pub llm: LlmPlan,
    pub model: String,
    /// Messages the model would be asked about (not memoised), and those memoised.
    pub fresh: u64,
    pub memoised: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// Dollars per million tokens.
#[derive(Debug, Clone, Copy)]
pub struct Prices {
    pub input: f64,
    pub output: f64,
}

impl Estimate {
    pub fn dollars(&self, p: Prices) -> f64 {
        self.input_tokens as f64 * p.input / 1e6 + self.output_tokens as f64 * p.output / 1e6
    }
}

/// Read `specs` to the end (pages of `chunk_size`), then weigh what was found against
/// what `store` (if there is one) holds for `tenant`.
pub async fn estimate(
    tenant: &str,
    specs: &[SourceSpec],
    sources: &Sources,
    chunk_size: usize,
    max_body_bytes: usize,
    store: Option<&dyn Store>,
    provider: &Provider,
) -> Result<Estimate> {
    // per message: content hash, LLM input tokens, embedding tokens
    let mut found: Vec<(String, u64, u64)> = Vec::new();
    let mut unusable = 0u64;
    for spec in specs {
        let mut source = spec.open(None, max_body_bytes, sources)?;
        loop {
            let page = source.next_page(chunk_size).await?;
            for item in &page.items {
                match item {
                    Item::Message(e) => found.push((
                        e.content_hash().to_string(),
                        input_tokens(e),
                        e.embedding_texts().iter().map(|t| crate::embed::openai::tokens(t) as u64).sum(),
                    )),
                    Item::Skipped(_) => unusable += 1,
                }
            }
            if !page.has_more {
                break;
            }
        }
    }
    let model = provider.settings.model.clone();
    let (llm, memo, embedder) = match store {
        None => (LlmPlan::Unknown, HashMap::new(), None),
        Some(store) => {
            let llm = match provider.key_for(store, tenant).await? {
                TenantKey::Own(_) | TenantKey::Operator(_) => LlmPlan::On,
                TenantKey::NotStored { tenant, key } => {
                    LlmPlan::Off { reason: format!("tenant {tenant} has no {key}") }
                }
                other => LlmPlan::Off { reason: other.reason().unwrap_or_default() },
            };
            let hashes: Vec<String> = found.iter().map(|(h, _, _)| h.clone()).collect();
            let memo = store.llm_memo(tenant, &model, PROMPT_VERSION, &hashes).await?;
            (llm, memo, Some(store.embedder(tenant).await?.unwrap_or(EmbedderSpec::Local)))
        }
    };
    let fresh: Vec<&(String, u64, u64)> = found.iter().filter(|(h, _, _)| !memo.contains_key(h)).collect();
    let messages = found.len() as u64;
    Ok(Estimate {
        tenant: tenant.to_string(),
        sources: specs.len(),
        messages,
        unusable,
        embedding_tokens: found.iter().map(|(_, _, t)| t).sum(),
        embedder,
        llm,
        model,
        fresh: fresh.len() as u64,
        memoised: messages - fresh.len() as u64,
        input_tokens: fresh.iter().map(|(_, t, _)| t).sum(),
        output_tokens: fresh.len() as u64 * OUTPUT_TOKENS_PER_MESSAGE,
    })
}
