//! LanceDB vector table. The table's schema metadata records the embedder's name and
//! dimension; a writer with another embedder is refused, never silently mixed in.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use arrow_array::builder::{FixedSizeListBuilder, Float32Builder, ListBuilder};
use arrow_array::types::Float32Type;
use arrow_array::{
    Array, FixedSizeListArray, Int32Array, Int64Array, RecordBatch, RecordBatchIterator, RecordBatchReader, StringArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use futures::TryStreamExt;
use lancedb::query::{ExecutableQuery, QueryBase, Select};
use lancedb::table::NewColumnTransform;
use lancedb::{Connection, Table};

use super::upkeep::{Policy, Shape, Upkeep};
use crate::{Error, Result};

pub const DEFAULT_TABLE: &str = "messages";
const META_EMBEDDER: &str = "atom_sync.embedder";
const META_DIMENSION: &str = "atom_sync.dimension";
pub(super) const TEXT: &str = "text";
/// The message vector and its passages' (`crate::passage`), searched as one multivector: a
/// message scores by the best of them.
pub(super) const PASSAGES: &str = "passages";
/// How many vectors `passages` holds (readable without reading the vectors); null on
/// rows written before passages.
pub(super) const PASSAGE_COUNT: &str = "passage_count";
/// Each of LanceDB's two caches (index pages, table metadata), per connection.
const CACHE_BYTES: usize = 64 << 20;

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
    /// Its passages' vectors (`crate::passage`); empty for a message with no text.
    pub passages: Vec<Vec<f32>>,
    /// The text that was embedded (subject and capped body), for full-text search.
    pub text: String,
}

impl VectorRecord {
    /// A message's vectors as the table stores them.
    pub fn of(tenant: &str, mailbox: &str, e: &crate::email::Email, v: crate::embed::MessageVectors) -> Self {
        VectorRecord {
            tenant: tenant.to_string(),
            message_id: e.message_id.clone(),
            mailbox: mailbox.to_string(),
            subject: e.subject.clone(),
            sender: e.from.as_ref().map(|m| m.address.clone()).unwrap_or_default(),
            sent_at: e.date_ms,
            content_hash: e.content_hash().to_string(),
            vector: v.message,
            passages: v.passages,
            text: e.search_text(),
        }
    }
}

pub struct LanceSink {
    uri: String,
    pub(super) table: Table,
    schema: SchemaRef,
    embedder: String,
    dimension: usize,
    upkeep: Upkeep,
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
            Field::new("vector", vector_type(dimension), false),
            // last, where adding them to an older table puts them
            Field::new(TEXT, DataType::Utf8, true),
            Field::new(PASSAGES, passages_type(dimension), true),
            Field::new(PASSAGE_COUNT, DataType::Int32, true),
        ])
        .with_metadata(meta),
    )
}

/// One vector.
fn vector_type(dimension: usize) -> DataType {
    DataType::FixedSizeList(Arc::new(float_item()), dimension as i32)
}

fn float_item() -> Field {
    Field::new("item", DataType::Float32, true)
}

/// A vector as an item of a list of them.
fn vector_item(dimension: usize) -> Field {
    Field::new("item", vector_type(dimension), true)
}

/// A list of vectors (Lance's multivector type).
fn passages_type(dimension: usize) -> DataType {
    DataType::List(Arc::new(vector_item(dimension)))
}

/// The columns later versions appended, in order: an older table gains the ones it
/// lacks, empty (metadata only), when opened; rows get them when next written.
const LATE: [&str; 3] = [TEXT, PASSAGES, PASSAGE_COUNT];

/// A string literal for a Lance filter. Tenants and ids are validated upstream, but
/// quotes are doubled anyway so no value can change a filter's meaning.
pub fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Where the vector memory lives: a LanceDB URI (a local dir, or `s3://bucket/path`
/// that every machine of a fleet shares) and the object-store options it needs
/// (LanceDB's own: `aws_endpoint`, `aws_region`, `allow_http`, …; credentials come
/// from the standard AWS environment). `Debug` shows option names, not values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub uri: String,
    pub options: Vec<(String, String)>,
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.options.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Location").field("uri", &self.uri).field("options", &names).finish()
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.uri)
    }
}

impl From<&str> for Location {
    fn from(uri: &str) -> Self {
        Location { uri: uri.to_string(), options: Vec::new() }
    }
}

impl From<&String> for Location {
    fn from(uri: &String) -> Self {
        Location::from(uri.as_str())
    }
}

impl From<&Location> for Location {
    fn from(l: &Location) -> Self {
        l.clone()
    }
}

impl Location {
    /// On this machine's disk (no scheme, or `file://`).
    pub fn is_local(&self) -> bool {
        !self.uri.contains("://") || self.uri.starts_with("file://")
    }

    pub(crate) async fn connect(&self) -> Result<Connection> {
        let err = |message: String| Error::Vectors { uri: self.uri.clone(), message };
        if !self.uri.contains("://") {
            crate::private::create_dir(std::path::Path::new(&self.uri))
                .map_err(|e| err(format!("cannot create the directory: {e}")))?;
        }
        // bounded caches: LanceDB's defaults (gigabytes) let a long run's memory grow
        // with every table version and index segment it has seen
        let session = lancedb::Session::new(CACHE_BYTES, CACHE_BYTES, Default::default());
        let mut c = lancedb::connect(&self.uri).session(Arc::new(session));
        if !self.options.is_empty() {
            c = c.storage_options(self.options.iter().cloned());
        }
        c.execute().await.map_err(|e| err(format!("cannot connect: {e}")))
    }
}

/// Write, read back and remove a probe table at `at` (`doctor`): the location is
/// reachable, and this process may write there.
pub async fn probe(at: &Location) -> Result<String> {
    let err = |message: String| Error::Vectors { uri: at.uri.clone(), message };
    let conn = at.connect().await?;
    let name = format!("atom_sync_probe_{}", uuid::Uuid::new_v4().simple());
    let schema = Arc::new(Schema::new(vec![Field::new("probe", DataType::Utf8, false)]));
    let batch = RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(vec!["doctor"]))])
        .map_err(|e| err(format!("probe: {e}")))?;
    let table =
        conn.create_table(&name, batch).execute().await.map_err(|e| err(format!("cannot write a probe table: {e}")))?;
    let rows = table.count_rows(None).await.map_err(|e| err(format!("cannot read the probe table back: {e}")));
    let dropped =
        conn.drop_table(&name, &[]).await.map_err(|e| err(format!("cannot remove the probe table {name}: {e}")));
    let rows = rows?;
    dropped?;
    if rows != 1 {
        return Err(err(format!("the probe table read back {rows} rows, not 1")));
    }
    let tables = conn.table_names().execute().await.map_err(|e| err(format!("cannot list tables: {e}")))?;
    Ok(format!("wrote, read back and removed a probe table; {} table(s) here", tables.len()))
}

impl LanceSink {
    /// Open (or create) `table` at `at` for `embedder` vectors of `dimension`.
    pub async fn open(at: impl Into<Location>, table: &str, embedder: &str, dimension: usize) -> Result<Self> {
        let at: Location = at.into();
        let uri = at.uri.as_str();
        let err = |message: String| Error::Vectors { uri: uri.to_string(), message };
        let conn: Connection = at.connect().await?;
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
        for name in LATE {
            if have.field_with_name(name).is_ok() {
                continue;
            }
            // tables made before full-text search or passages; search reads rows
            // without passages by their message vector
            let field = want.field_with_name(name).expect("LATE names columns of the schema").clone();
            let add = NewColumnTransform::AllNulls(Arc::new(Schema::new(vec![field])));
            if let Err(e) = opened.add_columns().transform(add).execute().await {
                // another process may have added it first
                let again = opened.schema().await.map_err(|e| err(format!("table {table}: {e}")))?;
                if again.field_with_name(name).is_err() {
                    return Err(err(format!("table {table}: cannot add the {name} column: {e}")));
                }
            }
        }
        Ok(LanceSink {
            uri: uri.to_string(),
            table: opened,
            schema: want,
            embedder: embedder.to_string(),
            dimension,
            upkeep: Upkeep::new(Policy::from_env()),
        })
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
    pub async fn open_all(at: impl Into<Location>) -> Result<Vec<Self>> {
        let at: Location = at.into();
        let uri = at.uri.as_str();
        let err = |message: String| Error::Vectors { uri: uri.to_string(), message };
        if !uri.contains("://") && !std::path::Path::new(uri).exists() {
            return Ok(Vec::new());
        }
        let conn: Connection = at.connect().await?;
        let names = conn.table_names().execute().await.map_err(|e| err(format!("cannot list tables: {e}")))?;
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let t = conn.open_table(&name).execute().await.map_err(|e| err(format!("table {name}: {e}")))?;
            let schema = t.schema().await.map_err(|e| err(format!("table {name}: {e}")))?;
            let (Some(embedder), Some(dim)) = recorded_embedder(&schema) else {
                tracing::warn!(table = %name, "not an atom-sync vector table (no embedder recorded); left alone");
                continue;
            };
            out.push(Self::open(&at, &name, &embedder, dim).await?);
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
            if let Some(v) = std::iter::once(&r.vector).chain(&r.passages).find(|v| v.len() != self.dimension) {
                return Err(self.err(format!(
                    "message {}: vector has dimension {}, the table holds {}",
                    r.message_id,
                    v.len(),
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
        self.upkeep.after_write(&self.table, &self.uri);
        Ok(n)
    }

    /// This process's upkeep of the table (see [`super::upkeep`]).
    pub fn upkeep(&self) -> &Upkeep {
        &self.upkeep
    }

    /// The table's fragments and key indexes, as upkeep sees them.
    pub async fn shape(&self) -> Result<Shape> {
        super::upkeep::shape(&self.table).await.map_err(|e| self.err(format!("reading the table's shape: {e}")))
    }

    fn batch(&self, rows: &[&VectorRecord]) -> Result<RecordBatch> {
        let s = |f: fn(&VectorRecord) -> &str| Arc::new(StringArray::from_iter_values(rows.iter().map(|r| f(r))));
        let vectors = FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
            rows.iter().map(|r| Some(r.vector.iter().copied().map(Some).collect::<Vec<_>>())),
            self.dimension as i32,
        );
        // each row's list: the message vector first, then its passages
        let mut passages = ListBuilder::new(
            FixedSizeListBuilder::new(Float32Builder::new(), self.dimension as i32).with_field(float_item()),
        )
        .with_field(vector_item(self.dimension));
        for r in rows {
            for v in std::iter::once(&r.vector).chain(&r.passages) {
                passages.values().values().append_slice(v);
                passages.values().append(true);
            }
            passages.append(true);
        }
        let counts = Int32Array::from_iter_values(rows.iter().map(|r| 1 + r.passages.len() as i32));
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
                Arc::new(passages.finish()),
                Arc::new(counts),
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
        self.rows_between(tenant, None, None).await
    }

    /// The tenant's vector rows whose message id lies after `after` and up to
    /// `through` (byte order; `None`: unbounded), so a reader can page the table over
    /// the same ranges as the ledger.
    pub async fn rows_between(
        &self,
        tenant: &str,
        after: Option<&str>,
        through: Option<&str>,
    ) -> Result<Vec<StoredVector>> {
        let mut filter = format!("tenant_id = {}", sql_literal(tenant));
        if let Some(a) = after {
            filter.push_str(&format!(" AND message_id > {}", sql_literal(a)));
        }
        if let Some(t) = through {
            filter.push_str(&format!(" AND message_id <= {}", sql_literal(t)));
        }
        let batches: Vec<RecordBatch> = self
            .table
            .query()
            .only_if(filter)
            .select(Select::columns(&["message_id", "mailbox", "embedder", PASSAGE_COUNT]))
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
            let counts = b
                .column_by_name(PASSAGE_COUNT)
                .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
                .ok_or_else(|| self.err(format!("{PASSAGE_COUNT} column missing")))?;
            for i in 0..b.num_rows() {
                out.push(StoredVector {
                    message_id: ids.value(i).to_string(),
                    mailbox: mailboxes.value(i).to_string(),
                    embedder: embedders.value(i).to_string(),
                    vectors: (!counts.is_null(i)).then(|| counts.value(i)),
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

    /// Every vector row of a tenant goes (a purge); returns how many there were.
    pub async fn delete_tenant(&self, tenant: &str) -> Result<usize> {
        let n = self.count(tenant).await?;
        if n > 0 {
            self.table
                .delete(format!("tenant_id = {}", sql_literal(tenant)).as_str())
                .await
                .map_err(|e| self.err(format!("deleting the vectors of tenant {tenant}: {e}")))?;
        }
        Ok(n)
    }

    /// How many vector rows these messages of a tenant have.
    pub async fn count_of(&self, tenant: &str, message_ids: &[String]) -> Result<usize> {
        let mut n = 0;
        for group in message_ids.chunks(500) {
            let list = group.iter().map(|id| sql_literal(id)).collect::<Vec<_>>().join(", ");
            n += self
                .table
                .count_rows(Some(format!("tenant_id = {} AND message_id IN ({list})", sql_literal(tenant))))
                .await
                .map_err(|e| self.err(format!("counting vectors of tenant {tenant}: {e}")))?;
        }
        Ok(n)
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

    /// Clear these rows' passages, as a table written before passages has them: for
    /// upgrade drills and tests. The pipeline never calls this.
    #[doc(hidden)]
    pub async fn forget_passages(&self, tenant: &str, message_ids: &[String]) -> Result<()> {
        if message_ids.is_empty() {
            return Ok(());
        }
        let list = message_ids.iter().map(|id| sql_literal(id)).collect::<Vec<_>>().join(", ");
        self.table
            .update()
            .only_if(format!("tenant_id = {} AND message_id IN ({list})", sql_literal(tenant)))
            .column(PASSAGES, "NULL")
            .column(PASSAGE_COUNT, "NULL")
            .execute()
            .await
            .map_err(|e| self.err(format!("forget passages: {e}")))?;
        Ok(())
    }

    /// Merge the small files that one-upsert-per-chunk leaves behind and drop old
    /// table versions (LanceDB's own defaults). Safe beside writers: a conflicting
    /// upsert retries, and so does a compaction whose commit another writer's
    /// (a worker's upkeep pass, say) got in before.
    pub async fn compact(&self) -> Result<CompactStats> {
        // tables written before upkeep existed get their key indexes here first
        super::upkeep::ensure_key_indexes(&self.table)
            .await
            .map_err(|e| self.err(format!("creating the key indexes: {e}")))?;
        let mut retries = 0;
        let stats = loop {
            match self.table.optimize(lancedb::table::OptimizeAction::All).await {
                Ok(stats) => break stats,
                Err(e) if retries < COMPACT_RETRY.max_retries && commit_conflict(&e) => {
                    retries += 1;
                    tracing::debug!(uri = %self.uri, retries, "compaction lost a commit race, running it again: {e}");
                    // jittered, so that two compactions that raced do not race again
                    tokio::time::sleep(COMPACT_RETRY.backoff(retries)).await;
                    // this handle never reloads by itself: planned again from the version
                    // it holds, the pass would lose the same race every time
                    self.table.checkout_latest().await.map_err(|e| self.err(format!("compaction: reloading: {e}")))?;
                }
                Err(e) => return Err(self.err(format!("compaction: {e}"))),
            }
        };
        Ok(CompactStats {
            fragments_removed: stats.compaction.as_ref().map(|c| c.fragments_removed).unwrap_or(0),
            fragments_added: stats.compaction.as_ref().map(|c| c.fragments_added).unwrap_or(0),
            old_versions_removed: stats.prune.as_ref().map(|p| p.old_versions).unwrap_or(0),
            bytes_removed: stats.prune.as_ref().map(|p| p.bytes_removed).unwrap_or(0),
        })
    }
}

/// Retries of a compaction that keeps losing commit races (at most about 4 s of waiting).
const COMPACT_RETRY: crate::retry::Policy = crate::retry::Policy {
    max_retries: 4,
    base_delay: std::time::Duration::from_millis(250),
    max_delay: std::time::Duration::from_secs(2),
};

/// Whether another writer's commit got in first: running again is safe and likely to
/// succeed (a compaction rewrites only what it finds still small).
fn commit_conflict(e: &lancedb::Error) -> bool {
    matches!(
        e,
        lancedb::Error::Lance {
            source: lance::Error::RetryableCommitConflict { .. }
                | lance::Error::CommitConflict { .. }
                | lance::Error::TooMuchWriteContention { .. }
        }
    )
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
    /// How many vectors the row holds (message and passages); `None` on a row written
    /// before passages.
    pub vectors: Option<i32>,
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

#[cfg(test)]
mod tests {
    use super::commit_conflict;

    #[test]
    fn a_lost_commit_race_is_worth_another_compaction_and_nothing_else_is() {
        let lance = |source| lancedb::Error::Lance { source };
        let raced = lance::Error::retryable_commit_conflict_source(7, "upkeep committed first".into());
        assert!(commit_conflict(&lance(raced)));
        assert!(commit_conflict(&lance(lance::Error::commit_conflict_source(7, "x".into()))));
        let io = lance::Error::io_source("disk full".into());
        assert!(!commit_conflict(&lance(io)));
        assert!(!commit_conflict(&lancedb::Error::Runtime { message: "x".into() }));
    }
}
