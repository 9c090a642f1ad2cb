//! LanceDB vector table. The table's schema metadata records the embedder's name and
//! dimension; a writer with another embedder is refused, never silently mixed in.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use arrow_array::types::Float32Type;
use arrow_array::{
    Array, FixedSizeListArray, Int64Array, RecordBatch, RecordBatchIterator, RecordBatchReader, StringArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use futures::TryStreamExt;
use lancedb::query::{ExecutableQuery, QueryBase, Select};
use lancedb::table::NewColumnTransform;
use lancedb::{Connection, Table};

use crate::{Error, Result};

pub const DEFAULT_TABLE: &str = "messages";
const META_EMBEDDER: &str = "atom_sync.embedder";
const META_DIMENSION: &str = "atom_sync.dimension";
pub(super) const TEXT: &str = "text";

/// One message's vector and the fields an operator needs to read a search hit.
#[derive(Debug, Clone)]
pub struct VectorRecord {
    pub tenant: String,
    pub message_id: String,
    pub mailbox: String,
    pub subject: String,
    pub sender: String,
    pub sent_at: Option<i64>,
    pub content_hash: String,
    pub vector: Vec<f32>,
    /// The text that was embedded (subject and capped body), for full-text search.
    pub text: String,
}

impl VectorRecord {
    /// A message's vector as the table stores it.
    pub fn of(tenant: &str, mailbox: &str, e: &crate::email::Email, vector: Vec<f32>) -> Self {
        VectorRecord {
            tenant: tenant.to_string(),
            message_id: e.message_id.clone(),
            mailbox: mailbox.to_string(),
            subject: e.subject.clone(),
            sender: e.from.as_ref().map(|m| m.address.clone()).unwrap_or_default(),
            sent_at: e.date_ms,
            content_hash: e.content_hash().to_string(),
            vector,
            text: e.embedding_text(),
        }
    }
}

pub struct LanceSink {
    uri: String,
    pub(super) table: Table,
    schema: SchemaRef,
    embedder: String,
    dimension: usize,
}

impl std::fmt::Debug for LanceSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LanceSink")
            .field("uri", &self.uri)
            .field("embedder", &self.embedder)
            .field("dimension", &self.dimension)
            .finish()
    }
}

fn schema(embedder: &str, dimension: usize) -> SchemaRef {
    let meta = HashMap::from([
        (META_EMBEDDER.to_string(), embedder.to_string()),
        (META_DIMENSION.to_string(), dimension.to_string()),
    ]);
    Arc::new(
        Schema::new(vec![
            Field::new("tenant_id", DataType::Utf8, false),
            Field::new("message_id", DataType::Utf8, false),
            Field::new("mailbox", DataType::Utf8, false),
            Field::new("subject", DataType::Utf8, false),
            Field::new("sender", DataType::Utf8, false),
            Field::new("sent_at", DataType::Int64, true),
            Field::new("content_hash", DataType::Utf8, false),
            Field::new("embedder", DataType::Utf8, false),
            Field::new(
                "vector",
                DataType::FixedSizeList(Arc::new(Field::new("item", DataType::Float32, true)), dimension as i32),
                false,
            ),
            // last, where adding it to an older table puts it
            Field::new(TEXT, DataType::Utf8, true),
        ])
        .with_metadata(meta),
    )
}

/// A string literal for a Lance filter. Tenants and ids are validated upstream, but
/// quotes are doubled anyway so no value can change a filter's meaning.
pub fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl LanceSink {
    /// Open (or create) `table` at `uri` for `embedder` vectors of `dimension`.
    pub async fn open(uri: &str, table: &str, embedder: &str, dimension: usize) -> Result<Self> {
        let err = |message: String| Error::Vectors { uri: uri.to_string(), message };
        if !uri.contains("://") {
            crate::private::create_dir(std::path::Path::new(uri))
                .map_err(|e| err(format!("cannot create the directory: {e}")))?;
        }
        let conn: Connection =
            lancedb::connect(uri).execute().await.map_err(|e| err(format!("cannot connect: {e}")))?;
        let want = schema(embedder, dimension);
        let opened = match conn.open_table(table).execute().await {
            Ok(t) => t,
            Err(lancedb::Error::TableNotFound { .. }) => {
                match conn.create_empty_table(table, want.clone()).execute().await {
                    Ok(t) => t,
                    // another process created it between our open and create
                    Err(lancedb::Error::TableAlreadyExists { .. }) => {
                        conn.open_table(table).execute().await.map_err(|e| err(format!("table {table}: {e}")))?
                    }
                    Err(e) => return Err(err(format!("cannot create table {table}: {e}"))),
                }
            }
            Err(e) => return Err(err(format!("cannot open table {table}: {e}"))),
        };
        let have = opened.schema().await.map_err(|e| err(format!("table {table}: {e}")))?;
        let (have_embedder, have_dim) = recorded_embedder(&have);
        if have_dim != Some(dimension) || have_embedder.as_deref().is_some_and(|n| n != embedder) {
            return Err(Error::VectorMismatch {
                uri: uri.to_string(),
                message: format!(
                    "table {table} holds vectors of embedder {} (dimension {}); refusing to write {embedder} vectors (dimension {dimension}) into it. Point --lance-uri elsewhere or use the embedder the table was made with",
                    have_embedder.as_deref().unwrap_or("unknown"),
                    have_dim.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into()),
                ),
            });
        }
        if have.field_with_name(TEXT).is_err() {
            // tables made before full-text search: the column is added empty (metadata
            // only); rows get their text when their messages are next written
            let add = NewColumnTransform::AllNulls(Arc::new(Schema::new(vec![Field::new(TEXT, DataType::Utf8, true)])));
            if let Err(e) = opened.add_columns().transform(add).execute().await {
                // another process may have added it first
                let again = opened.schema().await.map_err(|e| err(format!("table {table}: {e}")))?;
                if again.field_with_name(TEXT).is_err() {
                    return Err(err(format!("table {table}: cannot add the text column: {e}")));
                }
            }
        }
        Ok(LanceSink { uri: uri.to_string(), table: opened, schema: want, embedder: embedder.to_string(), dimension })
    }

    pub fn uri(&self) -> &str {
        &self.uri
    }

    pub fn dimension(&self) -> usize {
        self.dimension
    }

    pub fn table_name(&self) -> &str {
        self.table.name()
    }

    /// Every vector table at `uri`, each opened for the embedder it records (for
    /// maintenance such as `compact`, which needs no embedder of its own).
    pub async fn open_all(uri: &str) -> Result<Vec<Self>> {
        let err = |message: String| Error::Vectors { uri: uri.to_string(), message };
        if !uri.contains("://") && !std::path::Path::new(uri).exists() {
            return Ok(Vec::new());
        }
        let conn: Connection =
            lancedb::connect(uri).execute().await.map_err(|e| err(format!("cannot connect: {e}")))?;
        let names = conn.table_names().execute().await.map_err(|e| err(format!("cannot list tables: {e}")))?;
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let t = conn.open_table(&name).execute().await.map_err(|e| err(format!("table {name}: {e}")))?;
            let schema = t.schema().await.map_err(|e| err(format!("table {name}: {e}")))?;
            let (Some(embedder), Some(dim)) = recorded_embedder(&schema) else {
                tracing::warn!(table = %name, "not an atom-sync vector table (no embedder recorded); left alone");
                continue;
            };
            out.push(Self::open(uri, &name, &embedder, dim).await?);
        }
        Ok(out)
    }

    pub(super) fn err(&self, message: String) -> Error {
        Error::Vectors { uri: self.uri.clone(), message }
    }

    /// Write a chunk's vectors in one merge-insert keyed by tenant + message id.
    /// Returns how many distinct messages the write covered.
    pub async fn upsert(&self, records: &[VectorRecord]) -> Result<usize> {
        // a message id may repeat inside a chunk (copies in one export); the last wins
        // and the merge sees each key once
        let mut by_key: BTreeMap<(&str, &str), &VectorRecord> = BTreeMap::new();
        for r in records {
            if r.vector.len() != self.dimension {
                return Err(self.err(format!(
                    "message {}: vector has dimension {}, the table holds {}",
                    r.message_id,
                    r.vector.len(),
                    self.dimension
                )));
            }
            by_key.insert((&r.tenant, &r.message_id), r);
        }
        if by_key.is_empty() {
            return Ok(0);
        }
        let rows: Vec<&VectorRecord> = by_key.into_values().collect();
        let n = rows.len();
        let batch = self.batch(&rows)?;
        let reader: Box<dyn RecordBatchReader + Send> =
            Box::new(RecordBatchIterator::new(vec![Ok(batch)], self.schema.clone()));
        let mut merge = self.table.merge_insert(&["tenant_id", "message_id"]);
        merge.when_matched_update_all(None).when_not_matched_insert_all();
        merge.execute(reader).await.map_err(|e| self.err(format!("upsert of {n} vectors: {e}")))?;
        Ok(n)
    }

    fn batch(&self, rows: &[&VectorRecord]) -> Result<RecordBatch> {
        let s = |f: fn(&VectorRecord) -> &str| Arc::new(StringArray::from_iter_values(rows.iter().map(|r| f(r))));
        let vectors = FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
            rows.iter().map(|r| Some(r.vector.iter().copied().map(Some).collect::<Vec<_>>())),
            self.dimension as i32,
        );
        RecordBatch::try_new(
            self.schema.clone(),
            vec![
                s(|r| &r.tenant),
                s(|r| &r.message_id),
                s(|r| &r.mailbox),
                s(|r| &r.subject),
                s(|r| &r.sender),
                Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.sent_at))),
                s(|r| &r.content_hash),
                Arc::new(StringArray::from_iter_values(rows.iter().map(|_| self.embedder.as_str()))),
                Arc::new(vectors),
                Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.text.as_str()))),
            ],
        )
        .map_err(|e| self.err(format!("building the batch: {e}")))
    }

    pub async fn count(&self, tenant: &str) -> Result<usize> {
        self.table
            .count_rows(Some(format!("tenant_id = {}", sql_literal(tenant))))
            .await
            .map_err(|e| self.err(format!("count for tenant {tenant}: {e}")))
    }

    /// Every vector row of the tenant (repeats included): message id, mailbox and the
    /// embedder recorded on the row.
    pub async fn rows(&self, tenant: &str) -> Result<Vec<StoredVector>> {
        let batches: Vec<RecordBatch> = self
            .table
            .query()
            .only_if(format!("tenant_id = {}", sql_literal(tenant)))
            .select(Select::columns(&["message_id", "mailbox", "embedder"]))
            .execute()
            .await
            .map_err(|e| self.err(format!("listing vectors of tenant {tenant}: {e}")))?
            .try_collect()
            .await
            .map_err(|e| self.err(format!("listing vectors of tenant {tenant}: {e}")))?;
        let mut out = Vec::new();
        for b in batches {
            let col = |name: &str| {
                b.column_by_name(name)
                    .and_then(|c| c.as_any().downcast_ref::<StringArray>())
                    .ok_or_else(|| self.err(format!("{name} column missing")))
            };
            let (ids, mailboxes, embedders) = (col("message_id")?, col("mailbox")?, col("embedder")?);
            for i in 0..b.num_rows() {
                out.push(StoredVector {
                    message_id: ids.value(i).to_string(),
                    mailbox: mailboxes.value(i).to_string(),
                    embedder: embedders.value(i).to_string(),
                });
            }
        }
        Ok(out)
    }

    pub async fn message_ids(&self, tenant: &str) -> Result<Vec<String>> {
        Ok(self.rows(tenant).await?.into_iter().map(|r| r.message_id).collect())
    }

    /// Distinct message ids, for comparisons.
    pub async fn message_id_set(&self, tenant: &str) -> Result<BTreeSet<String>> {
        Ok(self.message_ids(tenant).await?.into_iter().collect())
    }

    /// The embedder this table holds vectors of.
    pub fn embedder(&self) -> &str {
        &self.embedder
    }

    /// Delete every vector row of these messages.
    pub async fn delete(&self, tenant: &str, message_ids: &[String]) -> Result<()> {
        for group in message_ids.chunks(500) {
            let list = group.iter().map(|id| sql_literal(id)).collect::<Vec<_>>().join(", ");
            self.table
                .delete(format!("tenant_id = {} AND message_id IN ({list})", sql_literal(tenant)).as_str())
                .await
                .map_err(|e| self.err(format!("deleting {} vectors of tenant {tenant}: {e}", group.len())))?;
        }
        Ok(())
    }

    /// Append rows without the merge: for repair drills and tests that need to
    /// create a duplicate on purpose. The pipeline never calls this.
    #[doc(hidden)]
    pub async fn append_unchecked(&self, records: &[VectorRecord]) -> Result<()> {
        let rows: Vec<&VectorRecord> = records.iter().collect();
        let batch = self.batch(&rows)?;
        self.table.add(batch).execute().await.map_err(|e| self.err(format!("append: {e}")))?;
        Ok(())
    }

    /// Merge the small files that one-upsert-per-chunk leaves behind and drop old
    /// table versions (LanceDB's own defaults). Safe beside writers: a conflicting
    /// upsert retries, a conflicting compaction fails and can simply run again.
    pub async fn compact(&self) -> Result<CompactStats> {
        let stats = self
            .table
            .optimize(lancedb::table::OptimizeAction::All)
            .await
            .map_err(|e| self.err(format!("compaction: {e}")))?;
        Ok(CompactStats {
            fragments_removed: stats.compaction.as_ref().map(|c| c.fragments_removed).unwrap_or(0),
            fragments_added: stats.compaction.as_ref().map(|c| c.fragments_added).unwrap_or(0),
            old_versions_removed: stats.prune.as_ref().map(|p| p.old_versions).unwrap_or(0),
            bytes_removed: stats.prune.as_ref().map(|p| p.bytes_removed).unwrap_or(0),
        })
    }
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CompactStats {
    pub fragments_removed: usize,
    pub fragments_added: usize,
    pub old_versions_removed: u64,
    pub bytes_removed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVector {
    pub message_id: String,
    pub mailbox: String,
    pub embedder: String,
}

fn recorded_embedder(schema: &Schema) -> (Option<String>, Option<usize>) {
    let name = schema.metadata().get(META_EMBEDDER).cloned();
    let dim = schema.metadata().get(META_DIMENSION).and_then(|d| d.parse().ok()).or_else(|| {
        match schema.field_with_name("vector").map(|f| f.data_type().clone()) {
            Ok(DataType::FixedSizeList(_, n)) => Some(n as usize),
            _ => None,
        }
    });
    (name, dim)
}
