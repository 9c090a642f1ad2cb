//! The local embedder: potion-base-8M, a model2vec static model vendored in `model/`
//! and compiled into the binary, so embeddings need no key and no network.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use model2vec_rs::model::StaticModel;

use super::Embedder;
use crate::{Error, Result};

pub const NAME: &str = "potion-base-8M";
/// The model's vector length (its config's `hidden_dim`), for messages before it loads.
pub const DIMENSION: usize = 256;

static TOKENIZER: &[u8] = include_bytes!("../../model/potion-base-8M/tokenizer.json");
static WEIGHTS: &[u8] = include_bytes!("../../model/potion-base-8M/model.safetensors");
static CONFIG: &[u8] = include_bytes!("../../model/potion-base-8M/config.json");

#[derive(Clone)]
pub struct LocalEmbedder {
    model: Arc<StaticModel>,
}

impl std::fmt::Debug for LocalEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalEmbedder").field("name", &NAME).finish()
    }
}

impl LocalEmbedder {
    /// Load the embedded model once per process (parsing it takes a moment).
    pub fn load() -> Result<Self> {
        static MODEL: OnceLock<std::result::Result<Arc<StaticModel>, String>> = OnceLock::new();
        let model = MODEL
            .get_or_init(|| {
                StaticModel::from_bytes(TOKENIZER, WEIGHTS, CONFIG, None).map(Arc::new).map_err(|e| format!("{e:#}"))
            })
            .clone()
            .map_err(|message| Error::Embed { name: NAME.into(), message })?;
        Ok(LocalEmbedder { model })
    }

    /// Embed synchronously (the CPU-bound part; callers on the runtime use `embed`).
    pub fn embed_blocking(&self, texts: &[String]) -> Vec<Vec<f32>> {
        // no token cap: the texts are already capped by bytes, and the reference
        // vectors of the official library are computed without one
        self.model.encode_with_args(texts, None, 256)
    }
}

#[async_trait]
impl Embedder for LocalEmbedder {
    fn name(&self) -> &str {
        NAME
    }

    fn dimension(&self) -> usize {
        self.model.dim()
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.embed_blocking(&texts))
            .await
            .map_err(|e| Error::Embed { name: NAME.into(), message: format!("embedding task failed: {e}") })
    }
}
