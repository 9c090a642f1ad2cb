//! Semantic memory: embedders turn a chunk's texts into vectors in one batch.

pub mod local;

use async_trait::async_trait;

use crate::Result;

#[async_trait]
pub trait Embedder: Send + Sync {
    /// Recorded with every vector table; a table refuses vectors from another embedder.
    fn name(&self) -> &str;
    fn dimension(&self) -> usize;
    /// Embed a whole chunk in one call.
    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>>;
}

pub use local::LocalEmbedder;
