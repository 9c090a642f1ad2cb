//! An OpenAI-compatible embedding model, for tenants that chose one. A chunk's texts
//! go in as few requests as the API's limits allow: at most `batch` inputs (2,048 at
//! OpenAI) and 300,000 tokens per request, each input cut to the model's 8,192-token
//! window. Tokens are estimated cautiously ([`tokens`]): an estimate above what the
//! model counts wastes a little of a request; one below it fails the chunk for good. Same timeout and retry policy as the LLM path; a refused key
//! fails the chunk (vectors are not optional), naming the tenant.

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::types::embeddings::{CreateEmbeddingRequest, EmbeddingInput, EncodingFormat};
use async_trait::async_trait;

use super::Embedder;
use crate::provider::{failure_of, scrub};
use crate::retry::Policy;
use crate::secret::Secret;
use crate::{Error, Result};

/// OpenAI's limit on inputs per request.
pub const MAX_INPUTS: usize = 2048;
/// OpenAI's limit on tokens summed over one request's inputs, with room to spare.
const MAX_REQUEST_TOKENS: usize = 250_000;
/// The models read 8,192 tokens of an input; an input is cut below that.
const MAX_INPUT_TOKENS: usize = 8_000;

/// A cautious token count: English averages 4 ASCII characters a token, but digits,
/// ids, URLs and base64 run nearer 2, so every ASCII character counts half a token;
/// any other character (accents, CJK, emoji) may be a token or two of its own, counted
/// as 2. In sixths of a token, to stay in integers.
pub fn tokens(text: &str) -> usize {
    text.chars().map(sixths).sum::<usize>().div_ceil(6)
}

fn sixths(c: char) -> usize {
    if c.is_ascii() { 3 } else { 12 }
}

pub struct OpenAiEmbedder {
    client: Client<OpenAIConfig>,
    /// Only to cut it out of provider text.
    key: Secret,
    tenant: String,
    name: String,
    model: String,
    dimensions: u32,
    batch: usize,
    retry: Policy,
}

impl std::fmt::Debug for OpenAiEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiEmbedder")
            .field("tenant", &self.tenant)
            .field("model", &self.model)
            .field("dimensions", &self.dimensions)
            .field("batch", &self.batch)
            .finish_non_exhaustive()
    }
}

/// Where and how to call the embedding model.
#[derive(Debug, Clone)]
pub struct OpenAiEmbedding {
    pub base_url: String,
    pub model: String,
    pub dimensions: u32,
    /// Inputs per request (≤ 2048); smaller for providers with lower limits.
    pub batch: usize,
    pub timeout: std::time::Duration,
    pub retry: Policy,
}

impl OpenAiEmbedder {
    pub fn new(tenant: &str, cfg: OpenAiEmbedding, key: &Secret) -> Result<Self> {
        let name = format!("openai:{}", cfg.model);
        let client = crate::provider::client(&cfg.base_url, cfg.timeout, key).map_err(|message| Error::Provider {
            tenant: tenant.to_string(),
            what: format!("embedder {name}"),
            message,
            transient: false,
        })?;
        Ok(OpenAiEmbedder {
            client,
            key: key.clone(),
            tenant: tenant.to_string(),
            name,
            model: cfg.model,
            dimensions: cfg.dimensions,
            batch: cfg.batch.clamp(1, MAX_INPUTS),
            retry: cfg.retry,
        })
    }

    /// One request's inputs, with retries; vectors in input order.
    async fn request(&self, inputs: Vec<String>) -> Result<Vec<Vec<f32>>> {
        let n = inputs.len();
        let request = CreateEmbeddingRequest {
            model: self.model.clone(),
            input: EmbeddingInput::StringArray(inputs),
            encoding_format: Some(EncodingFormat::Float),
            user: None,
            dimensions: Some(self.dimensions),
        };
        let mut retries = 0u32;
        loop {
            let failure = match self.client.embeddings().create(request.clone()).await {
                Ok(resp) => return self.vectors(resp.data, n),
                Err(e) => failure_of(e, "an embedding list", &self.key),
            };
            let Some(wait) = self.retry.next_wait(retries, &failure) else {
                let message = scrub(&format!("{failure} (after {} attempts)", retries + 1), &self.key);
                return Err(self.fail(message, failure.retryable()));
            };
            retries += 1;
            tracing::warn!(retry = retries, wait_ms = wait.as_millis() as u64, tenant = %self.tenant, "embedding call failed ({failure}); retrying");
            tokio::time::sleep(wait).await;
        }
    }

    fn vectors(&self, data: Vec<async_openai::types::embeddings::Embedding>, n: usize) -> Result<Vec<Vec<f32>>> {
        let mut out: Vec<Option<Vec<f32>>> = vec![None; n];
        for d in data {
            let i = d.index as usize;
            if i >= n || out[i].is_some() {
                return Err(self.fail(format!("the answer has a wrong or repeated index {i} for {n} inputs"), false));
            }
            if d.embedding.len() != self.dimensions as usize {
                return Err(self.fail(
                    format!(
                        "the model returned {} dimensions where {} were asked for (does it take a `dimensions` parameter?)",
                        d.embedding.len(),
                        self.dimensions
                    ),
                    false,
                ));
            }
            out[i] = Some(d.embedding);
        }
        out.into_iter()
            .enumerate()
            .map(|(i, v)| v.ok_or_else(|| self.fail(format!("the answer has no vector for input {i} of {n}"), false)))
            .collect()
    }

    fn fail(&self, message: String, transient: bool) -> Error {
        Error::Provider {
            tenant: self.tenant.clone(),
            what: format!("embedder {} at {} dimensions", self.name, self.dimensions),
            message,
            transient,
        }
    }
}

/// An input as the API takes it: never empty, never past the model's window.
fn input(text: String) -> String {
    if text.trim().is_empty() {
        return " ".into();
    }
    if tokens(&text) <= MAX_INPUT_TOKENS {
        return text;
    }
    let (mut used, budget) = (0usize, MAX_INPUT_TOKENS * 6);
    let cut = text
        .char_indices()
        .find(|(_, c)| {
            used += sixths(*c);
            used > budget
        })
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    text[..cut].to_string()
}

/// Split inputs into requests within the per-request limits, keeping their order.
fn batches(texts: Vec<String>, max_inputs: usize) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut in_request = 0usize;
    for t in texts.into_iter().map(input) {
        let cost = tokens(&t);
        match out.last_mut() {
            Some(b) if b.len() < max_inputs && in_request + cost <= MAX_REQUEST_TOKENS => {
                in_request += cost;
                b.push(t);
            }
            _ => {
                in_request = cost;
                out.push(vec![t]);
            }
        }
    }
    out
}

#[async_trait]
impl Embedder for OpenAiEmbedder {
    fn name(&self) -> &str {
        &self.name
    }

    fn dimension(&self) -> usize {
        self.dimensions as usize
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for b in batches(texts, self.batch) {
            out.extend(self.request(b).await?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_keep_order_and_limits() {
        let texts: Vec<String> = (0..10).map(|i| format!("text {i}")).collect();
        let b = batches(texts.clone(), 4);
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), vec![4, 4, 2]);
        assert_eq!(b.concat(), texts);
        // big inputs are cut to the window and split by the request's token budget
        let big: Vec<String> =
            (0..40).map(|i| if i % 2 == 0 { "é".repeat(20_000) } else { "a".repeat(90_000) }).collect();
        let b = batches(big, MAX_INPUTS);
        assert!(b.len() > 1 && b.iter().all(|r| r.iter().map(|t| tokens(t)).sum::<usize>() <= MAX_REQUEST_TOKENS));
        assert!(b.concat().iter().all(|t| tokens(t) <= MAX_INPUT_TOKENS && tokens(t) > MAX_INPUT_TOKENS - 3));
        // CJK: one character may be a token or more, never three to a token
        assert_eq!(tokens("漢字"), 4);
        assert_eq!(input("漢".repeat(9_000)).chars().count(), 4_000);
        assert_eq!(input(String::new()), " ");
    }
}
