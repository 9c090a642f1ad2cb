//! Reading the vector memory: nearest vectors, BM25 over the embedded text, or both
//! fused by rank, within a tenant and a typed filter.

use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use futures::TryStreamExt;
use lancedb::index::Index;
use lancedb::index::scalar::{FtsIndexBuilder, FullTextSearchQuery};
use lancedb::query::{ExecutableQuery, QueryBase, Select};

use super::lance::{LanceSink, PASSAGE_COUNT, PASSAGES, TEXT, sql_literal};
use crate::Result;

/// How `search` matches: by meaning, by words, or both fused (reciprocal rank).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchMode {
    Vector,
    Text,
    Hybrid,
}

/// Which of a tenant's messages a search may return; every value is quoted where it
/// meets the table's SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    pub mailbox: Option<String>,
    /// With `mailbox`: ids of the mailbox's copies whose vector rows name another
    /// mailbox (the copy that wrote them), asked for by id (`memory::search`).
    pub also: Vec<String>,
    pub message_id: Option<String>,
    /// Sent at or after (unix ms).
    pub sent_from: Option<i64>,
    /// Sent before (unix ms).
    pub sent_before: Option<i64>,
}

impl SearchFilter {
    /// The table predicate: the tenant, and whatever the filter names.
    pub fn predicate(&self, tenant: &str) -> String {
        let mut p = vec![format!("tenant_id = {}", sql_literal(tenant))];
        match (&self.mailbox, self.also.is_empty()) {
            (Some(m), true) => p.push(format!("mailbox = {}", sql_literal(m))),
            (Some(m), false) => {
                let ids = self.also.iter().map(|id| sql_literal(id)).collect::<Vec<_>>().join(", ");
                p.push(format!("(mailbox = {} OR message_id IN ({ids}))", sql_literal(m)))
            }
            (None, _) => {}
        }
        if let Some(id) = &self.message_id {
            p.push(format!("message_id = {}", sql_literal(id)));
        }
        if let Some(f) = self.sent_from {
            p.push(format!("sent_at >= {f}"));
        }
        if let Some(t) = self.sent_before {
            p.push(format!("sent_at < {t}"));
        }
        p.join(" AND ")
    }
}

impl LanceSink {
    /// The `limit` nearest messages of a tenant to `vector`.
    pub async fn nearest(&self, tenant: &str, vector: &[f32], limit: usize, filter: &SearchFilter) -> Result<Vec<Hit>> {
        self.search(tenant, SearchMode::Vector, "", vector, limit, filter).await
    }

    /// The best `limit` messages of a tenant for a query: nearest vectors, best BM25
    /// text matches (an inverted index on the text, built on first use and kept up to
    /// date by `compact`; rows written since are searched without it), or both fused.
    pub async fn search(
        &self,
        tenant: &str,
        mode: SearchMode,
        text: &str,
        vector: &[f32],
        limit: usize,
        filter: &SearchFilter,
    ) -> Result<Vec<Hit>> {
        match mode {
            SearchMode::Hybrid => self.fused(tenant, text, vector, limit, filter, Fusion::TUNED).await,
            one => self.ranked(tenant, one, text, vector, limit, filter).await,
        }
    }

    /// Both rankings, each `Fusion::DEPTH` deep, fused by weighted reciprocal rank: a
    /// message's score is the sum over the rankings of `weight / (k + rank)`.
    pub async fn fused(
        &self,
        tenant: &str,
        text: &str,
        vector: &[f32],
        limit: usize,
        filter: &SearchFilter,
        fusion: Fusion,
    ) -> Result<Vec<Hit>> {
        let depth = limit.max(Fusion::DEPTH);
        let by_words = self.ranked(tenant, SearchMode::Text, text, vector, depth, filter).await?;
        let by_meaning = self.ranked(tenant, SearchMode::Vector, text, vector, depth, filter).await?;
        Ok(fusion.fuse(by_words, by_meaning, limit))
    }

    /// One ranking: nearest vectors or BM25.
    async fn ranked(
        &self,
        tenant: &str,
        mode: SearchMode,
        text: &str,
        vector: &[f32],
        limit: usize,
        filter: &SearchFilter,
    ) -> Result<Vec<Hit>> {
        let predicate = filter.predicate(tenant);
        if mode != SearchMode::Vector {
            self.ensure_text_index().await?;
        }
        let cols = ["message_id", "mailbox", "subject", "sender", "sent_at"];
        // each mode names the score it reads (Lance warns when a score is implied)
        let with = |score: &'static str| {
            let mut c = cols.to_vec();
            c.push(score);
            Select::columns(&c)
        };
        let fts = || FullTextSearchQuery::new(text.to_string());
        let what = |e: lancedb::Error| self.err(format!("search in tenant {tenant}: {e}"));
        // by meaning: a row's best vector of its message vector and its passages'
        // (cosine distance, the least over the list); rows written before passages
        // by their message vector
        let nearest = |column: &str, rows: &str| -> Result<lancedb::query::VectorQuery> {
            Ok(self
                .table
                .query()
                .nearest_to(vector)
                .map_err(what)?
                .column(column)
                .distance_type(lancedb::DistanceType::Cosine)
                .only_if(format!("{predicate} AND {PASSAGE_COUNT} {rows}"))
                .limit(limit)
                .select(with("_distance")))
        };
        let stream = match mode {
            SearchMode::Vector => {
                let (best, older) = tokio::try_join!(
                    async { nearest(PASSAGES, "IS NOT NULL")?.execute().await.map_err(what) },
                    async { nearest("vector", "IS NULL")?.execute().await.map_err(what) },
                )?;
                Box::pin(futures::stream::select(best, older))
                    as std::pin::Pin<Box<dyn futures::Stream<Item = lancedb::Result<RecordBatch>> + Send>>
            }
            SearchMode::Text => Box::pin(
                self.table
                    .query()
                    .full_text_search(fts())
                    .only_if(predicate)
                    .limit(limit)
                    .select(with("_score"))
                    .execute()
                    .await
                    .map_err(what)?,
            ),
            SearchMode::Hybrid => return Err(self.err("a fused search has two rankings, not one".into())),
        };
        let batches: Vec<RecordBatch> = stream.try_collect().await.map_err(what)?;
        let mut hits = Vec::new();
        // an empty hybrid result comes back as a batch without the selected columns
        for b in batches.into_iter().filter(|b| b.num_rows() > 0) {
            let s = |name: &str| b.column_by_name(name).and_then(|c| c.as_any().downcast_ref::<StringArray>().cloned());
            let (Some(ids), Some(mb), Some(subj), Some(from)) =
                (s("message_id"), s("mailbox"), s("subject"), s("sender"))
            else {
                return Err(self.err("search result lacks columns".into()));
            };
            let sent = b.column_by_name("sent_at").and_then(|c| c.as_any().downcast_ref::<Int64Array>().cloned());
            let f32_col = |name: &str| {
                b.column_by_name(name).and_then(|c| c.as_any().downcast_ref::<arrow_array::Float32Array>().cloned())
            };
            // cosine similarity; BM25
            let (score, flip) = match mode {
                SearchMode::Vector => (f32_col("_distance"), true),
                _ => (f32_col("_score"), false),
            };
            for i in 0..b.num_rows() {
                let raw = score.as_ref().map(|d| d.value(i)).unwrap_or(0.0);
                hits.push(Hit {
                    message_id: ids.value(i).to_string(),
                    mailbox: mb.value(i).to_string(),
                    subject: subj.value(i).to_string(),
                    sender: from.value(i).to_string(),
                    sent_at: sent.as_ref().filter(|c| !c.is_null(i)).map(|c| c.value(i)),
                    score: if flip { 1.0 - raw } else { raw },
                });
            }
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(limit);
        Ok(hits)
    }

    /// The inverted index full-text search needs, made once per table.
    async fn ensure_text_index(&self) -> Result<()> {
        let indices = self.table.list_indices().await.map_err(|e| self.err(format!("listing indices: {e}")))?;
        if indices.iter().any(|i| i.columns.iter().any(|c| c == TEXT)) {
            return Ok(());
        }
        match self.table.create_index(&[TEXT], Index::FTS(FtsIndexBuilder::default())).execute().await {
            Ok(()) => Ok(()),
            // a concurrent search made it first
            Err(e) if e.to_string().contains("already exists") => Ok(()),
            Err(e) => Err(self.err(format!("building the full-text index: {e}"))),
        }
    }
}

/// How a hybrid search weighs its two rankings (weighted reciprocal-rank fusion).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fusion {
    /// Damps the top ranks' lead: larger `k`, flatter weights.
    pub k: f32,
    /// The words' ranking's share of the weight; the meaning's is the rest.
    pub text_weight: f32,
}

impl Fusion {
    /// How deep each ranking is read before fusing.
    pub const DEPTH: usize = 50;
    /// Tuned on the search benchmark's training split (examples/bench_search.rs): the
    /// words lead, the meaning orders what they leave tied or miss.
    pub const TUNED: Fusion = Fusion { k: 1.0, text_weight: 0.8 };

    /// The best `limit` of two rankings (best first): a message scores the sum over
    /// the rankings of `weight / (k + rank)`.
    pub fn fuse(&self, by_words: Vec<Hit>, by_meaning: Vec<Hit>, limit: usize) -> Vec<Hit> {
        let mut fused: std::collections::HashMap<String, Hit> = std::collections::HashMap::new();
        for (hits, weight) in [(by_words, self.text_weight), (by_meaning, 1.0 - self.text_weight)] {
            for (rank, hit) in hits.into_iter().enumerate() {
                let add = weight / (self.k + rank as f32 + 1.0);
                fused.entry(hit.message_id.clone()).or_insert(Hit { score: 0.0, ..hit }).score += add;
            }
        }
        let mut hits: Vec<Hit> = fused.into_values().collect();
        // ties (rare) by id, so a search repeats exactly
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.message_id.cmp(&b.message_id)));
        hits.truncate(limit);
        hits
    }
}

/// One search result. `score`, higher is better: cosine similarity (vector mode, 1 =
/// same direction), BM25 (text mode) or reciprocal-rank fusion (hybrid mode).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub message_id: String,
    pub mailbox: String,
    pub subject: String,
    pub sender: String,
    pub sent_at: Option<i64>,
    pub score: f32,
}

#[cfg(test)]
mod tests {
    use super::SearchFilter;

    #[test]
    fn a_filter_quotes_what_it_names() {
        let f = SearchFilter { mailbox: Some("o'neil".into()), sent_from: Some(5), ..Default::default() };
        assert_eq!(f.predicate("acme"), "tenant_id = 'acme' AND mailbox = 'o''neil' AND sent_at >= 5");
        assert_eq!(SearchFilter::default().predicate("t"), "tenant_id = 't'");
        let f = SearchFilter { mailbox: Some("b".into()), also: vec!["m'1".into(), "m2".into()], ..Default::default() };
        assert_eq!(f.predicate("t"), "tenant_id = 't' AND (mailbox = 'b' OR message_id IN ('m''1', 'm2'))");
    }
}
