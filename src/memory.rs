//! A tenant's semantic memory: the embedder it chose and that embedder's vector table.
//! Tables are opened once per process and shared by every job and tenant using them.

use std::collections::HashMap;
use std::sync::Arc;

use crate::embed::openai::OpenAiEmbedding;
use crate::embed::{Embedder, EmbedderSpec, LocalEmbedder, OpenAiEmbedder};
use crate::provider::Provider;
use crate::sink::{Hit, LanceSink, Location, SearchFilter, SearchMode};
use crate::store::Store;
use crate::{Error, Result};

/// What computes a tenant's vectors and where they go.
#[derive(Clone)]
pub struct Memory {
    pub spec: EmbedderSpec,
    pub embedder: Arc<dyn Embedder>,
    pub sink: Arc<LanceSink>,
}

pub struct Memories {
    location: Location,
    provider: Option<Arc<Provider>>,
    /// Inputs per embedding request for OpenAI-compatible embedders.
    embed_batch: usize,
    sinks: tokio::sync::Mutex<HashMap<String, Arc<LanceSink>>>,
}

impl Memories {
    /// `provider`: how to reach tenants' OpenAI-compatible models (`None`: only the
    /// local embedder is available here).
    pub fn new(location: impl Into<Location>, provider: Option<Arc<Provider>>, embed_batch: usize) -> Self {
        Memories { location: location.into(), provider, embed_batch, sinks: Default::default() }
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The tenant's chosen embedder (local when it never chose) and its table.
    pub async fn for_tenant(&self, store: &dyn Store, tenant: &str) -> Result<Memory> {
        let spec = store.embedder(tenant).await?.unwrap_or(EmbedderSpec::Local);
        self.open(store, tenant, spec).await
    }

    /// Only the tenant's vector table: reading it (verify, text search) needs no
    /// embedder, so no key either.
    pub async fn table_for(&self, store: &dyn Store, tenant: &str) -> Result<(EmbedderSpec, Arc<LanceSink>)> {
        let spec = store.embedder(tenant).await?.unwrap_or(EmbedderSpec::Local);
        let dimension = spec.dimensions().map(|d| d as usize).unwrap_or(crate::embed::local::DIMENSION);
        let sink = self.sink(&spec, &spec.embedder_name(), dimension).await?;
        Ok((spec, sink))
    }

    /// The local embedder and the default table.
    pub async fn local(&self) -> Result<Memory> {
        let embedder: Arc<dyn Embedder> = Arc::new(LocalEmbedder::load()?);
        let sink = self.sink(&EmbedderSpec::Local, embedder.name(), embedder.dimension()).await?;
        Ok(Memory { spec: EmbedderSpec::Local, embedder, sink })
    }

    /// Remove messages from every vector table here, not only the tenant's current
    /// one: vectors an earlier embedder wrote must not outlive their message (a tenant
    /// that switches back would find deleted mail).
    pub async fn delete_everywhere(&self, tenant: &str, message_ids: &[String]) -> Result<()> {
        let current = self.sinks.lock().await.values().map(|s| s.table_name().to_string()).collect::<Vec<_>>();
        for sink in LanceSink::open_all(&self.location).await? {
            match sink.delete(tenant, message_ids).await {
                Ok(()) => {}
                // this job's own table must be right; an old one is a courtesy
                Err(e) if !current.iter().any(|t| t == sink.table_name()) => {
                    tracing::warn!(table = sink.table_name(), "removed messages stay in an old embedder's table: {e}")
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// A job's memory: the embedder its first committed chunk wrote with, or (before
    /// any) the tenant's current one, so a job never writes to two tables; a job whose
    /// first chunk failed takes the tenant's choice when resumed.
    pub async fn for_job(&self, store: &dyn Store, job: &crate::job::Job) -> Result<Memory> {
        match &job.embedder {
            Some(name) => {
                let spec = EmbedderSpec::from_stored(&job.tenant, name, job.embed_dimensions)?;
                self.open(store, &job.tenant, spec).await
            }
            None => self.for_tenant(store, &job.tenant).await,
        }
    }

    async fn open(&self, store: &dyn Store, tenant: &str, spec: EmbedderSpec) -> Result<Memory> {
        let EmbedderSpec::OpenAi { model, dimensions } = &spec else { return self.local().await };
        let what = format!("embedder {spec}");
        let refuse = |message: String| Error::Provider {
            tenant: tenant.to_string(),
            what: what.clone(),
            message,
            transient: false,
        };
        let provider = self.provider.as_ref().ok_or_else(|| refuse("no provider is configured here".into()))?;
        // no fallback to the local model: that would put vectors where they are not looked for
        let key = match provider.key_for(store, tenant).await?.require() {
            Ok(k) => k,
            Err(e) => return Err(refuse(e.to_string())),
        };
        let cfg = OpenAiEmbedding {
            base_url: provider.settings.base_url.clone(),
            model: model.clone(),
            dimensions: *dimensions,
            batch: self.embed_batch,
            timeout: provider.settings.timeout,
            retry: provider.settings.retry,
        };
        let embedder: Arc<dyn Embedder> = Arc::new(OpenAiEmbedder::new(tenant, cfg, &key)?);
        let sink = self.sink(&spec, embedder.name(), embedder.dimension()).await?;
        Ok(Memory { spec, embedder, sink })
    }

    async fn sink(&self, spec: &EmbedderSpec, name: &str, dimension: usize) -> Result<Arc<LanceSink>> {
        let table = spec.table();
        let mut sinks = self.sinks.lock().await;
        if let Some(s) = sinks.get(&table) {
            // one table, one embedder, whichever path led here
            if s.embedder() != name || s.dimension() != dimension {
                return Err(Error::VectorMismatch {
                    uri: self.location.uri.clone(),
                    message: format!(
                        "table {table} holds vectors of embedder {}; refusing {} vectors",
                        s.embedder(),
                        name
                    ),
                });
            }
            return Ok(s.clone());
        }
        let s = Arc::new(LanceSink::open(&self.location, &table, name, dimension).await?);
        sinks.insert(table, s.clone());
        Ok(s)
    }
}

/// Search a tenant's memory (`LanceSink::search`), with a mailbox filter that follows
/// the ledger: a message several mailboxes hold has one vector row, which names the
/// copy that wrote it, so the mailbox's other copies are asked for by id, and a hit
/// the mailbox no longer holds (its copy removed, another's kept) is left out.
#[allow(clippy::too_many_arguments)]
pub async fn search(
    store: &dyn Store,
    sink: &LanceSink,
    tenant: &str,
    mode: SearchMode,
    text: &str,
    vector: &[f32],
    limit: usize,
    mut filter: SearchFilter,
) -> Result<Vec<Hit>> {
    let Some(mailbox) = filter.mailbox.clone() else {
        return sink.search(tenant, mode, text, vector, limit, &filter).await;
    };
    filter.also = store.shared_copies(tenant, mailbox.as_str()).await?;
    // read deeper than asked: a few hits may be rows the mailbox no longer holds
    let mut hits = sink.search(tenant, mode, text, vector, limit * 2 + 10, &filter).await?;
    let ids: Vec<String> = hits.iter().map(|h| h.message_id.clone()).collect();
    let held = store.mailbox_holds(tenant, &mailbox, &ids).await?;
    hits.retain(|h| held.contains(&h.message_id));
    hits.truncate(limit);
    for h in &mut hits {
        h.mailbox.clone_from(&mailbox);
    }
    Ok(hits)
}
