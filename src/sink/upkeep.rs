//! Upkeep of a vector table while jobs write to it, so that a chunk's upsert costs the
//! same at a tenant's millionth message as at its first: the keyed merge finds its
//! matches through scalar indexes on the key (tenant, message id) instead of scanning
//! the table, and the one small fragment each chunk adds is merged before fragments
//! pile up. It runs beside the chunk loop (never in it), one pass at a time per table
//! and process; a pass that loses a commit race to another writer simply runs again
//! later. `compact` stays for cron: it also prunes old versions and updates the
//! full-text index, which a run leaves alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use lancedb::Table;
use lancedb::index::Index;
use lancedb::index::scalar::{BTreeIndexBuilder, BitmapIndexBuilder};
use lancedb::table::{CompactionOptions, OptimizeAction, OptimizeOptions};

/// The key indexes, by column: the tenant (few values: a bitmap) and the message id.
pub const KEY_INDEXES: [(&str, &str); 2] =
    [("tenant_id", "atom_sync_key_tenant"), ("message_id", "atom_sync_key_message")];

/// When a pass is due, and how much it does.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Check the table every this many writes of this process.
    pub check_every: u64,
    /// Compact once the table holds this many more fragments than its rows need.
    pub extra_fragments: usize,
    /// Rows per fragment that compaction aims at. Kept small enough that a pass
    /// rewrites a bounded amount, whatever the table holds.
    pub fragment_rows: usize,
    /// Fold new rows into the key indexes once this many are not yet in them: the
    /// merge reads those rows whole, so they are kept few. Each fold adds a segment
    /// of the new rows only.
    pub unindexed_rows: usize,
    /// Whether to keep key indexes at all.
    pub key_indexes: bool,
    /// Segments an index may have before they are merged into one (a probe reads
    /// every segment; a merge rewrites the index once per this many folds).
    pub max_segments: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            check_every: 8,
            extra_fragments: 24,
            fragment_rows: 16_384,
            unindexed_rows: 1_000,
            key_indexes: true,
            max_segments: 16,
        }
    }
}

impl Policy {
    /// The default, or what `ATOM_SYNC_LANCE_UPKEEP` asks for: `off` (no upkeep while
    /// jobs run; `compact` from cron only), `compact` (merge fragments, no key
    /// indexes) or `full` (the default).
    pub fn from_env() -> Self {
        match std::env::var("ATOM_SYNC_LANCE_UPKEEP").as_deref() {
            Ok("off") => Policy { check_every: 0, ..Default::default() },
            Ok("compact") => Policy { key_indexes: false, ..Default::default() },
            _ => Policy::default(),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pass {
    pub indexes_created: usize,
    pub fragments_removed: usize,
    pub fragments_added: usize,
    pub rows_indexed: usize,
}

/// Per table and process: counts writes and lets one pass run at a time.
#[derive(Debug, Default)]
pub struct Upkeep {
    policy: Policy,
    writes: AtomicU64,
    busy: Arc<AtomicBool>,
    passes: Arc<AtomicU64>,
}

impl Upkeep {
    pub fn new(policy: Policy) -> Self {
        Upkeep { policy, ..Default::default() }
    }

    /// After a write: every `check_every` writes, a pass in the background unless one
    /// runs already.
    pub fn after_write(&self, table: &Table, uri: &str) {
        let n = self.writes.fetch_add(1, Ordering::Relaxed) + 1;
        if self.policy.check_every == 0 || n % self.policy.check_every != 0 {
            return;
        }
        if self.busy.swap(true, Ordering::AcqRel) {
            return;
        }
        let (table, uri, busy, passes, policy) =
            (table.clone(), uri.to_string(), self.busy.clone(), self.passes.clone(), self.policy);
        tokio::spawn(async move {
            match pass(&table, &policy).await {
                Ok(p) if p != Pass::default() => {
                    tracing::debug!(uri = %uri, table = table.name(), ?p, "vector table upkeep")
                }
                Ok(_) => {}
                // another writer's commit won, or the store hiccuped: the next check retries
                Err(e) => tracing::debug!(uri = %uri, table = table.name(), "vector table upkeep deferred: {e}"),
            }
            passes.fetch_add(1, Ordering::Relaxed);
            busy.store(false, Ordering::Release);
        });
    }

    /// Passes finished by this process (for tests and benchmarks).
    pub fn passes(&self) -> u64 {
        self.passes.load(Ordering::Relaxed)
    }

    /// Whether a pass is running now.
    pub fn busy(&self) -> bool {
        self.busy.load(Ordering::Acquire)
    }
}

/// Create the key indexes the table lacks (none while it is empty). Another process
/// may create one at the same moment: its index counts as ours.
pub async fn ensure_key_indexes(table: &Table) -> lancedb::Result<usize> {
    let have = table.list_indices().await?;
    let mut created = 0;
    for (column, name) in KEY_INDEXES {
        if have.iter().any(|i| i.columns.len() == 1 && i.columns[0] == column) {
            continue;
        }
        let index = match column {
            "tenant_id" => Index::Bitmap(BitmapIndexBuilder::default()),
            _ => Index::BTree(BTreeIndexBuilder::default()),
        };
        match table.create_index(&[column], index).name(name.to_string()).replace(false).execute().await {
            Ok(()) => created += 1,
            Err(e) => {
                let now = table.list_indices().await?;
                if !now.iter().any(|i| i.columns.len() == 1 && i.columns[0] == column) {
                    return Err(e);
                }
            }
        }
    }
    Ok(created)
}

/// One pass: key indexes made, small fragments merged, new rows indexed; each only
/// when the policy says it is due.
pub async fn pass(table: &Table, policy: &Policy) -> lancedb::Result<Pass> {
    let mut done = Pass::default();
    let stats = table.stats().await?;
    if stats.num_rows == 0 {
        return Ok(done);
    }
    if policy.key_indexes {
        done.indexes_created = ensure_key_indexes(table).await?;
    }
    let needed = stats.num_rows.div_ceil(policy.fragment_rows.max(1));
    if stats.fragment_stats.num_fragments >= needed + policy.extra_fragments {
        // one task, small reads with a bounded read-ahead: a row carries its passages'
        // vectors (several KB), and Lance's defaults (a task per core, a 2 GiB I/O
        // buffer) held hundreds of MB beside the chunk loop
        let options = CompactionOptions {
            target_rows_per_fragment: policy.fragment_rows,
            num_threads: Some(1),
            batch_size: Some(256),
            io_buffer_size: Some(32 << 20),
            ..Default::default()
        };
        let s = table.optimize(OptimizeAction::Compact { options, remap_options: None }).await?;
        if let Some(c) = s.compaction {
            (done.fragments_removed, done.fragments_added) = (c.fragments_removed, c.fragments_added);
        }
    }
    if !policy.key_indexes {
        return Ok(done);
    }
    let (mut unindexed, mut segments) = (0, 1);
    for (_, name) in KEY_INDEXES {
        if let Some(s) = table.index_stats(name).await? {
            unindexed = unindexed.max(s.num_unindexed_rows);
            segments = segments.max(s.num_indices.unwrap_or(1));
        }
    }
    if unindexed >= policy.unindexed_rows {
        let names: Vec<String> = KEY_INDEXES.iter().map(|(_, n)| n.to_string()).collect();
        // new rows as a segment of their own (cost: those rows); all segments merged
        // into one once there are many (cost: the table, once per max_segments folds)
        let options = match segments >= policy.max_segments {
            true => OptimizeOptions::merge(segments as usize),
            false => OptimizeOptions::append(),
        };
        table.optimize(OptimizeAction::Index(options.index_names(names))).await?;
        done.rows_indexed = unindexed;
    }
    Ok(done)
}

/// The table as upkeep sees it (for tests and the scale benchmark).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Shape {
    pub rows: usize,
    pub fragments: usize,
    pub key_indexes: usize,
    pub unindexed_rows: usize,
}

pub async fn shape(table: &Table) -> lancedb::Result<Shape> {
    let stats = table.stats().await?;
    let mut s = Shape { rows: stats.num_rows, fragments: stats.fragment_stats.num_fragments, ..Default::default() };
    for (_, name) in KEY_INDEXES {
        if let Some(i) = table.index_stats(name).await? {
            s.key_indexes += 1;
            s.unindexed_rows = s.unindexed_rows.max(i.num_unindexed_rows);
        }
    }
    Ok(s)
}
