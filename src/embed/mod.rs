//! Semantic memory: embedders turn a chunk's texts into vectors in one batch.
//!
//! Every tenant uses the local model unless it chose an OpenAI-compatible embedding
//! model (`atom-sync embedder set`). Each embedder has its own LanceDB table, named
//! after the model and dimension, so vectors of two embedders never share a table.

pub mod local;
pub mod openai;

use async_trait::async_trait;

use crate::{Error, Result};

#[async_trait]
pub trait Embedder: Send + Sync {
    /// Recorded with every vector table; a table refuses vectors from another embedder.
    fn name(&self) -> &str;
    fn dimension(&self) -> usize;
    /// Embed a whole chunk (in as few requests as the embedder's limits allow).
    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>>;
}

pub use local::LocalEmbedder;
pub use openai::OpenAiEmbedder;

/// A message's vectors: the message vector (subject and new text) and one per passage.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageVectors {
    pub message: Vec<f32>,
    pub passages: Vec<Vec<f32>>,
}

/// Embed a chunk's messages and their passages in one batch (one call to the
/// embedder, which splits it by its own limits), then give each message its own.
pub async fn embed_messages(embedder: &dyn Embedder, emails: &[crate::email::Email]) -> Result<Vec<MessageVectors>> {
    let per: Vec<Vec<String>> = emails.iter().map(crate::email::Email::embedding_texts).collect();
    let counts: Vec<usize> = per.iter().map(Vec::len).collect();
    let texts: Vec<String> = per.into_iter().flatten().collect();
    let asked = texts.len();
    let vectors = embedder.embed(texts).await?;
    if vectors.len() != asked {
        return Err(Error::Embed {
            name: embedder.name().into(),
            message: format!("returned {} vectors for {asked} texts", vectors.len()),
        });
    }
    let mut it = vectors.into_iter();
    Ok(counts
        .into_iter()
        .map(|n| {
            let mut mine: Vec<Vec<f32>> = it.by_ref().take(n).collect();
            let message = mine.remove(0);
            MessageVectors { message, passages: mine }
        })
        .collect())
}

/// Which embedder a tenant's vectors come from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum EmbedderSpec {
    /// The vendored potion-base-8M: no key, no network.
    Local,
    /// An OpenAI-compatible embedding model, asked for vectors of `dimensions`.
    OpenAi { model: String, dimensions: u32 },
}

impl EmbedderSpec {
    /// `local`, or `openai:MODEL` with its dimension (`--dimensions`).
    pub fn parse(s: &str, dimensions: Option<u32>) -> Result<Self> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("local") || s == local::NAME {
            if dimensions.is_some() {
                return Err(Error::Invalid(format!(
                    "embedder {s}: its dimension is fixed ({}); --dimensions is for openai models",
                    local::DIMENSION
                )));
            }
            return Ok(EmbedderSpec::Local);
        }
        let Some(model) = s.strip_prefix("openai:").map(str::trim).filter(|m| !m.is_empty()) else {
            return Err(Error::Invalid(format!(
                "embedder {s:?}: expected `local` or `openai:MODEL` (e.g. openai:text-embedding-3-small)"
            )));
        };
        if !model.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':')) {
            return Err(Error::Invalid(format!(
                "embedder {s:?}: the model name has characters a model id cannot have"
            )));
        }
        let Some(dimensions) = dimensions else {
            return Err(Error::Invalid(format!(
                "embedder {s}: give the vectors' dimension with --dimensions (e.g. 1536 for text-embedding-3-small); it names the table"
            )));
        };
        if !(1..=16_000).contains(&dimensions) {
            return Err(Error::Invalid(format!(
                "embedder {s}: --dimensions {dimensions} is out of range (1 to 16000)"
            )));
        }
        Ok(EmbedderSpec::OpenAi { model: model.to_string(), dimensions })
    }

    /// As a store row holds it.
    pub fn from_stored(tenant: &str, name: &str, dimensions: Option<i64>) -> Result<Self> {
        Self::parse(name, dimensions.and_then(|d| u32::try_from(d).ok()))
            .map_err(|e| Error::Invalid(format!("tenant {tenant}: the stored embedder is unusable: {e}")))
    }

    /// The name a store row holds (`local` or `openai:MODEL`).
    pub fn stored_name(&self) -> String {
        match self {
            EmbedderSpec::Local => "local".into(),
            EmbedderSpec::OpenAi { model, .. } => format!("openai:{model}"),
        }
    }

    pub fn dimensions(&self) -> Option<u32> {
        match self {
            EmbedderSpec::Local => None,
            EmbedderSpec::OpenAi { dimensions, .. } => Some(*dimensions),
        }
    }

    /// The name recorded in the vector table and on every row.
    pub fn embedder_name(&self) -> String {
        match self {
            EmbedderSpec::Local => local::NAME.into(),
            EmbedderSpec::OpenAi { model, .. } => format!("openai:{model}"),
        }
    }

    /// The LanceDB table of this embedder's vectors: `messages` for the local model
    /// (as before there was a choice), else one per model and dimension.
    pub fn table(&self) -> String {
        match self {
            EmbedderSpec::Local => crate::sink::lance::DEFAULT_TABLE.into(),
            EmbedderSpec::OpenAi { model, dimensions } => {
                let m: String = model
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
                    .collect();
                // `A-B`, `a.b` and `a/b` would share `a_b`: a name that lost anything
                // carries a hash of the exact model
                if model.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                    format!("messages_openai_{m}_{dimensions}")
                } else {
                    let h = crate::text::short_hash(&[model.as_bytes()]);
                    format!("messages_openai_{m}_{}_{dimensions}", &h[..8])
                }
            }
        }
    }
}

impl std::fmt::Display for EmbedderSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmbedderSpec::Local => write!(f, "local ({}, {} dimensions)", local::NAME, local::DIMENSION),
            EmbedderSpec::OpenAi { model, dimensions } => write!(f, "openai:{model} ({dimensions} dimensions)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_name_their_tables() {
        assert_eq!(EmbedderSpec::parse("local", None).unwrap(), EmbedderSpec::Local);
        let s = EmbedderSpec::parse("openai:text-embedding-3-small", Some(512)).unwrap();
        assert_eq!(s.table(), "messages_openai_text_embedding_3_small_512");
        assert_eq!(s.stored_name(), "openai:text-embedding-3-small");
        assert_eq!(EmbedderSpec::from_stored("t", &s.stored_name(), Some(512)).unwrap(), s);
        assert_ne!(s.table(), EmbedderSpec::parse("openai:text-embedding-3-small", Some(256)).unwrap().table());
        let e = EmbedderSpec::parse("openai:text-embedding-3-small", None).unwrap_err().to_string();
        assert!(e.contains("--dimensions"), "{e}");
        assert!(EmbedderSpec::parse("cohere:x", Some(3)).is_err());
        let table = |m: &str| EmbedderSpec::parse(&format!("openai:{m}"), Some(8)).unwrap().table();
        let names = [table("a-b"), table("A-B"), table("a.b"), table("a/b"), table("a_b")];
        assert_eq!(names.iter().collect::<std::collections::BTreeSet<_>>().len(), 5, "{names:?}");
        assert!(EmbedderSpec::parse("local", Some(3)).is_err());
    }
}
