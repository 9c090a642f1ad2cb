//! Reading the vector memory: nearest vectors, BM25 over the embedded text, or both
//! fused by rank, within a tenant and a typed filter.

use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use futures::TryStreamExt;
use lancedb::index::Index;
use lancedb::index::scalar::{FtsIndexBuilder, FullTextSearchQuery};
use lancedb::query::{ExecutableQuery, QueryBase, QueryExecutionOptions, Select};

use super::lance::{LanceSink, TEXT, sql_literal};
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
        if let Some(m) = &self.mailbox {
            p.push(format!("mailbox = {}", sql_literal(m)));
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
        let stream = match mode {
            SearchMode::Vector => self
                .table
                .query()
                .nearest_to(vector)
                .map_err(what)?
                .distance_type(lancedb::DistanceType::Cosine)
                .only_if(predicate)
                .limit(limit)
                .select(with("_distance"))
                .execute()
                .await
                .map_err(what)?,
            SearchMode::Text => self
                .table
                .query()
                .full_text_search(fts())
                .only_if(predicate)
                .limit(limit)
                .select(with("_score"))
                .execute()
                .await
                .map_err(what)?,
            SearchMode::Hybrid => self
                .table
                .query()
                .full_text_search(fts())
                .nearest_to(vector)
                .map_err(what)?
                .distance_type(lancedb::DistanceType::Cosine)
                .only_if(predicate)
                .limit(limit)
                .select(Select::columns(&cols))
                .execute_hybrid(QueryExecutionOptions::default())
                .await
                .map_err(what)?,
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
            // cosine similarity; BM25; reciprocal-rank fusion
            let (score, flip) = match mode {
                SearchMode::Vector => (f32_col("_distance"), true),
                SearchMode::Text => (f32_col("_score"), false),
                SearchMode::Hybrid => (f32_col("_relevance_score"), false),
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
    }
}
