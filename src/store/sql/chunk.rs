//! What a chunk writes, in one transaction that commits only while the lease is ours:
//! the fence (checkpoint and counters) first, then removals, the ledger, the graph
//! (`graph.rs`), and the delta links. Plus the reads a chunk needs while it is built
//! (memo, removals, delta links).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::{Engine, ROWS_PER_STATEMENT, Sql, bind_one, push_tuple, scoped, timed};
use crate::extract::GraphWrite;
use crate::job::{Job, Lease};
use crate::store::{ChunkCommit, Chunks, Committed, Jobs, LedgerRow, MemoRow, PROCESSED, Refused, SyncLink};
use crate::{Error, Result};

impl<DB> Sql<DB>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    str: Type<DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    /// The checkpoint, only while the lease is ours; returns the job's generation.
    /// First in the transaction: it also takes the write lock before anything else.
    async fn fence(conn: &mut DB::Connection, lease: &Lease, chunk: &ChunkCommit) -> Result<i64> {
        let fenced: Option<(i64,)> = sqlx::query_as(timed::<DB>(
            "UPDATE jobs SET cursor = $1, has_more = $2, chunks = chunks + 1,
                 progress_at = {now}, heartbeat_at = {now}, updated_at = {now},
                 embed_dimensions = CASE WHEN embedder IS NULL THEN $8 ELSE embed_dimensions END,
                 embedder = COALESCE(embedder, $6), llm_status = COALESCE($7, llm_status),
                 estimated_total = COALESCE($9, estimated_total), source_status = COALESCE($10, source_status)
             WHERE id = $3 AND tenant_id = $4 AND lease_token = $5 AND state = 'running'
             RETURNING generation",
        ))
        .bind(chunk.cursor.as_str())
        .bind(chunk.has_more)
        .bind(lease.job_id.as_str())
        .bind(lease.tenant.as_str())
        .bind(lease.token)
        .bind(chunk.embedder.as_ref().map(|(name, _)| name.as_str()))
        .bind(chunk.llm_status.as_deref())
        .bind(chunk.embedder.as_ref().and_then(|(_, dims)| *dims))
        .bind(chunk.estimated_total)
        .bind(chunk.source_status.as_deref())
        .fetch_optional(&mut *conn)
        .await
        .map_err(Error::store(context(lease, "checkpoint")))?;
        // none: dropping the transaction rolls it back, nothing of this chunk is written
        fenced.map(|(g,)| g).ok_or_else(|| Error::LeaseLost { job: lease.job_id.clone(), token: lease.token })
    }

    /// Of these rows, the status of those this run (job and generation) already
    /// committed: a repeat is not counted again.
    async fn prior(
        conn: &mut DB::Connection,
        lease: &Lease,
        generation: i64,
        rows: &[&LedgerRow],
    ) -> Result<HashMap<(String, String), String>> {
        // found by key, and the run compared here: a filter on the job would let the
        // database read every row of the job instead of the chunk's
        let found: Vec<(String, String, String, String, i64)> = Self::for_keys(
            conn,
            rows,
            ROWS_PER_STATEMENT,
            |q| {
                q.push(
                    "SELECT mailbox, message_id, status, job_id, job_generation FROM message_ledger WHERE tenant_id = ",
                )
                .push_bind(lease.tenant.as_str());
                q.push(" AND (mailbox, message_id) IN ");
            },
            |sep, r| push_tuple(sep, &[r.mailbox.as_str(), r.message_id.as_str()]),
            "",
            || context(lease, "what this run committed"),
        )
        .await?;
        Ok(found
            .into_iter()
            .filter(|(_, _, _, job, g)| *job == lease.job_id && *g == generation)
            .map(|(m, id, status, _, _)| ((m, id), status))
            .collect())
    }

    /// The job's counters move by what is new to this run: a message counts once,
    /// under its latest status, however often it is committed.
    async fn count_messages(
        conn: &mut DB::Connection,
        lease: &Lease,
        rows: &[&LedgerRow],
        prior: &HashMap<(String, String), String>,
    ) -> Result<()> {
        let (mut processed, mut skipped) = (0i64, 0i64);
        for r in rows {
            let before = prior.get(&(r.mailbox.clone(), r.message_id.clone()));
            if before.map(String::as_str) == Some(r.status.as_str()) {
                continue;
            }
            match before.map(String::as_str) {
                Some(PROCESSED) => processed -= 1,
                Some(_) => skipped -= 1,
                None => {}
            }
            if r.status == PROCESSED { processed += 1 } else { skipped += 1 }
        }
        sqlx::query(
            "UPDATE jobs SET processed = processed + $1, skipped = skipped + $2, vectors = vectors + $1
             WHERE id = $3 AND tenant_id = $4",
        )
        .bind(processed)
        .bind(skipped)
        .bind(lease.job_id.as_str())
        .bind(lease.tenant.as_str())
        .execute(&mut *conn)
        .await
        .map_err(Error::store(context(lease, "counters")))?;
        Ok(())
    }

    /// Each message's rows under a savepoint of its own: one the database refuses is
    /// rolled back alone and comes back with the database's reason; the rest stay.
    async fn write_isolated(
        conn: &mut DB::Connection,
        lease: &Lease,
        generation: i64,
        rows: &[&LedgerRow],
        graph: &GraphWrite,
        now: i64,
    ) -> Result<Vec<Refused>> {
        let mut refused = Vec::new();
        let savepoint = |sql: &'static str| sqlx::query(sql);
        for r in rows {
            savepoint("SAVEPOINT message")
                .execute(&mut *conn)
                .await
                .map_err(Error::store(context(lease, "savepoint")))?;
            let mut written = Self::upsert_ledger(conn, lease, generation, std::slice::from_ref(r), now).await;
            if written.is_ok() {
                written = Self::upsert_graph(conn, lease, &graph.of_message(&r.message_id), now).await;
            }
            match written {
                Ok(()) => {}
                Err(e) if e.is_refused_row() => {
                    savepoint("ROLLBACK TO SAVEPOINT message")
                        .execute(&mut *conn)
                        .await
                        .map_err(Error::store(context(lease, "savepoint")))?;
                    refused.push(Refused {
                        mailbox: r.mailbox.clone(),
                        message_id: r.message_id.clone(),
                        source_id: r.source_id.clone(),
                        source_ref: r.source_ref.clone(),
                        reason: crate::text::line(&format!("the database refused it: {e}")),
                    });
                }
                Err(e) => return Err(e),
            }
            savepoint("RELEASE SAVEPOINT message")
                .execute(&mut *conn)
                .await
                .map_err(Error::store(context(lease, "savepoint")))?;
        }
        Ok(refused)
    }

    /// Messages gone from the source lose their ledger row; the job counts the rows
    /// that were there (a removal of a message never stored counts nothing).
    async fn remove_messages(conn: &mut DB::Connection, lease: &Lease, removed: &[(String, String)]) -> Result<()> {
        let t = lease.tenant.as_str();
        let gone: Vec<(String,)> = Self::for_keys(
            conn,
            removed,
            ROWS_PER_STATEMENT,
            scoped("DELETE FROM message_ledger", t, "(mailbox, message_id) IN "),
            |sep, (m, id)| push_tuple(sep, &[m.as_str(), id.as_str()]),
            " RETURNING message_id",
            || context(lease, "removed messages"),
        )
        .await?;
        if !gone.is_empty() {
            sqlx::query("UPDATE jobs SET removed = removed + $1 WHERE id = $2 AND tenant_id = $3")
                .bind(gone.len() as i64)
                .bind(lease.job_id.as_str())
                .bind(t)
                .execute(&mut *conn)
                .await
                .map_err(Error::store(context(lease, "removed count")))?;
        }
        Ok(())
    }

    async fn upsert_ledger(
        conn: &mut DB::Connection,
        lease: &Lease,
        generation: i64,
        rows: &[&LedgerRow],
        now: i64,
    ) -> Result<()> {
        let (t, job) = (lease.tenant.as_str(), lease.job_id.as_str());
        Self::insert_rows(
            conn,
            "INSERT INTO message_ledger (tenant_id, mailbox, message_id, content_hash, job_id, status, reason,
                 vector_status, graph_status, subject, sender, sent_at, source_ref, updated_at, llm_status,
                 job_generation, source_id) ",
            rows,
            " ON CONFLICT (tenant_id, mailbox, message_id) DO UPDATE SET content_hash = excluded.content_hash,
                 job_id = excluded.job_id, status = excluded.status, reason = excluded.reason,
                 vector_status = excluded.vector_status, graph_status = excluded.graph_status,
                 subject = excluded.subject, sender = excluded.sender, sent_at = excluded.sent_at,
                 source_ref = excluded.source_ref, updated_at = excluded.updated_at, llm_status = excluded.llm_status,
                 job_generation = excluded.job_generation, source_id = excluded.source_id",
            || context(lease, "ledger"),
            |mut b, r| {
                b.push_bind(t).push_bind(r.mailbox.as_str()).push_bind(r.message_id.as_str());
                b.push_bind(r.content_hash.as_str()).push_bind(job).push_bind(r.status.as_str());
                b.push_bind(r.reason.as_deref()).push_bind(r.vector_status.as_str());
                b.push_bind(r.graph_status.as_str()).push_bind(r.subject.as_deref());
                b.push_bind(r.sender.as_deref()).push_bind(r.sent_at).push_bind(r.source_ref.as_deref());
                b.push_bind(now).push_bind(r.llm_status.as_deref()).push_bind(generation);
                b.push_bind(r.source_id.as_deref());
            },
        )
        .await?;
        Ok(())
    }

    /// The chunk in one transaction: the fast path writes every table in one
    /// multi-row statement; `isolate` writes each message under its own savepoint.
    async fn write_chunk(&self, lease: &Lease, chunk: &ChunkCommit, isolate: bool) -> Result<Committed> {
        let now = crate::time::now_ms();
        let mut tx = self.begin_write().await?;
        let generation = Self::fence(&mut tx, lease, chunk).await?;
        Self::remove_messages(&mut tx, lease, &chunk.removed).await?;
        // a removed message another mailbox still holds keeps its support
        let removed: Vec<String> = chunk.removed.iter().map(|(_, id)| id.clone()).collect();
        let still_held: HashSet<String> = Self::copies_elsewhere(&mut tx, &lease.tenant, None, &removed)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        // and its vector row may name the mailbox it left: the copies left say whose it is
        let kept: Vec<String> = still_held.iter().cloned().collect();
        Self::hand_over(&mut tx, lease, &kept, "").await?;
        // the messages whose support goes: removed ones, and new versions of changed ones
        let unsupported: Vec<&str> = removed
            .iter()
            .filter(|id| !still_held.contains(*id))
            .map(String::as_str)
            .chain(chunk.replaced.iter().map(String::as_str))
            .collect();
        // a chunk that may leave nodes without support excludes the tenant's other
        // writers while it decides; chunks that only add share the lock
        if let Some(lock) = DB::graph_lock(!unsupported.is_empty()) {
            sqlx::query(lock)
                .bind(lease.tenant.as_str())
                .execute(&mut *tx)
                .await
                .map_err(Error::store(context(lease, "graph lock")))?;
        }
        let touched = Self::take_support(&mut tx, lease, &unsupported).await?;
        // one row per message: a multi-row upsert may not touch a row twice
        let unique: BTreeMap<(&str, &str), &LedgerRow> =
            chunk.ledger.iter().map(|r| ((r.mailbox.as_str(), r.message_id.as_str()), r)).collect();
        let rows: Vec<&LedgerRow> = unique.into_values().collect();
        let prior = Self::prior(&mut tx, lease, generation, &rows).await?;
        let refused = if isolate {
            let refused = Self::write_isolated(&mut tx, lease, generation, &rows, &chunk.graph, now).await?;
            let skipped: Vec<LedgerRow> = refused.iter().map(Refused::ledger_row).collect();
            let skipped: Vec<&LedgerRow> = skipped.iter().collect();
            Self::upsert_ledger(&mut tx, lease, generation, &skipped, now).await?;
            refused
        } else {
            Self::upsert_ledger(&mut tx, lease, generation, &rows, now).await?;
            Self::upsert_graph(&mut tx, lease, &chunk.graph, now).await?;
            Vec::new()
        };
        let replaced: Vec<LedgerRow> = refused.iter().map(Refused::ledger_row).collect();
        let counted: Vec<&LedgerRow> = rows
            .iter()
            .copied()
            .filter(|r| !refused.iter().any(|x| x.mailbox == r.mailbox && x.message_id == r.message_id))
            .chain(replaced.iter())
            .collect();
        Self::count_messages(&mut tx, lease, &counted, &prior).await?;
        if let Some(r) = rows.first() {
            Self::hand_over(&mut tx, lease, &chunk.taken_over, &r.mailbox).await?;
        }
        Self::prune_touched(&mut tx, lease, &touched).await?;
        Self::keep_sync_links(&mut tx, lease, &chunk.sync_links, now).await?;
        // the tenant's graph totals are not counted here: a count per chunk costs what
        // the tenant holds. The job's totals are set when it ends and read live meanwhile
        tx.commit().await.map_err(Error::store(context(lease, "commit")))?;
        let job = self.job(&lease.job_id).await?;
        // Postgres plans the chunk's lookups from table statistics, which autovacuum
        // refreshes late (or never, when it is off): a tenant that grows fast looks
        // empty to the planner, which then reads the mailbox's whole ledger for every
        // chunk (bench_scale, 100k: 65 -> 269 ms per chunk). Refreshed as a job passes
        // 8, 16, 32, … chunks: a few times per job. A role that may not is no failure.
        if let Some(analyze) = DB::ANALYZE
            && job.chunks >= 8
            && (job.chunks as u64).is_power_of_two()
            && let Err(e) = sqlx::query(analyze).execute(&self.pool).await
        {
            tracing::debug!(job = %job.id, "refreshing table statistics: {e}");
        }
        Ok(Committed { job, refused })
    }

    /// The vector of a message several mailboxes hold names the mailbox that wrote it
    /// last: the other copies' rows are marked `shared`, which is how a search of
    /// their mailbox finds it by id.
    /// (`except` the mailbox that wrote it; `""` after a removal, as every copy left
    /// is served by a vector its row did not write.)
    async fn hand_over(conn: &mut DB::Connection, lease: &Lease, ids: &[String], except: &str) -> Result<()> {
        let _: Vec<(String,)> = Self::for_keys(
            conn,
            ids,
            ROWS_PER_STATEMENT,
            |q| {
                q.push("UPDATE message_ledger SET vector_status = ").push_bind(crate::store::SHARED);
                q.push(" WHERE tenant_id = ").push_bind(lease.tenant.as_str());
                q.push(" AND mailbox <> ").push_bind(except.to_string());
                q.push(" AND vector_status = 'written'");
                q.push(format!(" AND message_id{} IN ", DB::BYTES));
            },
            bind_one,
            " RETURNING message_id",
            || context(lease, "the other copies' vector status"),
        )
        .await?;
        Ok(())
    }

    /// Of `ids`, the processed copies the tenant's ledger holds in mailboxes other than
    /// `except` (any mailbox: `None`), with their content hashes.
    pub(super) async fn copies_elsewhere(
        conn: &mut DB::Connection,
        tenant: &str,
        except: Option<&str>,
        ids: &[String],
    ) -> Result<Vec<(String, String)>> {
        Self::for_keys(
            conn,
            ids,
            ROWS_PER_STATEMENT,
            |q| {
                q.push("SELECT message_id, content_hash FROM message_ledger WHERE tenant_id = ").push_bind(tenant);
                q.push(" AND status = ").push_bind(PROCESSED);
                if let Some(m) = except {
                    q.push(" AND mailbox <> ").push_bind(m.to_string());
                }
                // compared as bytes, as the message-id index orders them
                q.push(format!(" AND message_id{} IN ", DB::BYTES));
            },
            bind_one,
            "",
            || format!("tenant {tenant}: reading other mailboxes' copies"),
        )
        .await
    }

    async fn keep_sync_links(conn: &mut DB::Connection, lease: &Lease, links: &[SyncLink], now: i64) -> Result<()> {
        let t = lease.tenant.as_str();
        Self::insert_rows(
            conn,
            "INSERT INTO graph_sync_links (tenant_id, mailbox, folder_id, delta_link, updated_at) ",
            links,
            " ON CONFLICT (tenant_id, mailbox, folder_id) DO UPDATE SET delta_link = excluded.delta_link,
                 updated_at = excluded.updated_at",
            || context(lease, "delta links"),
            |mut b, l| {
                b.push_bind(t).push_bind(l.mailbox.as_str()).push_bind(l.folder.as_str());
                b.push_bind(l.link.as_str()).push_bind(now);
            },
        )
        .await?;
        Ok(())
    }
}

pub(super) fn context(lease: &Lease, what: &str) -> String {
    format!("job {}: committing a chunk ({what})", lease.job_id)
}

#[async_trait]
impl<DB> Chunks for Sql<DB>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    str: Type<DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    async fn commit_chunk(&self, lease: &Lease, chunk: &ChunkCommit) -> Result<Committed> {
        match self.write_chunk(lease, chunk, false).await {
            // a row the database refuses: the chunk again, each message on its own, so
            // one hostile message is skipped with the reason and the rest commits
            Err(e) if e.is_refused_row() => {
                tracing::warn!(job = %lease.job_id, "a chunk was refused ({e}); committing it message by message");
                self.write_chunk(lease, chunk, true).await
            }
            other => other,
        }
    }

    async fn committed(&self, job: &Job, keys: &[(String, String, String)]) -> Result<HashSet<(String, String)>> {
        let mut conn = self.pool.acquire().await.map_err(Error::store("reading what this run committed"))?;
        // by key; the run is compared here (see `prior`)
        let found: Vec<(String, String, String, String, i64)> = Self::for_keys(
            &mut conn,
            keys,
            ROWS_PER_STATEMENT,
            |q| {
                q.push("SELECT mailbox, message_id, content_hash, job_id, job_generation FROM message_ledger WHERE tenant_id = ")
                    .push_bind(job.tenant.as_str());
                q.push(" AND (mailbox, message_id) IN ");
            },
            |sep, (m, id, _)| push_tuple(sep, &[m.as_str(), id.as_str()]),
            "",
            || format!("job {}: reading what this run committed", job.id),
        )
        .await?;
        let same: HashSet<(&str, &str, &str)> =
            keys.iter().map(|(m, id, h)| (m.as_str(), id.as_str(), h.as_str())).collect();
        Ok(found
            .into_iter()
            .filter(|(_, _, _, j, g)| *j == job.id && *g == job.generation)
            .filter(|(m, id, h, _, _)| same.contains(&(m.as_str(), id.as_str(), h.as_str())))
            .map(|(m, id, ..)| (m, id))
            .collect())
    }

    async fn put_llm_spend(&self, lease: &Lease, rows: &[MemoRow], tokens: i64) -> Result<()> {
        let (t, now) = (lease.tenant.as_str(), crate::time::now_ms());
        let mut conn = self.pool.acquire().await.map_err(Error::store("keeping memoised answers"))?;
        Self::insert_rows(
            &mut conn,
            "INSERT INTO llm_memo (tenant_id, content_hash, prompt_version, model, answer, tokens, created_at) ",
            rows,
            " ON CONFLICT DO NOTHING",
            || format!("tenant {t}: keeping memoised answers"),
            |mut b, m| {
                b.push_bind(t).push_bind(m.content_hash.as_str()).push_bind(m.prompt_version.as_str());
                b.push_bind(m.model.as_str()).push_bind(m.answer.as_str()).push_bind(m.tokens).push_bind(now);
            },
        )
        .await?;
        let fenced = sqlx::query(
            "UPDATE jobs SET llm_tokens = llm_tokens + $1
             WHERE id = $2 AND tenant_id = $3 AND lease_token = $4 AND state = 'running'",
        )
        .bind(tokens)
        .bind(lease.job_id.as_str())
        .bind(t)
        .bind(lease.token)
        .execute(&mut *conn)
        .await
        .map_err(Error::store(format!("job {}: adding its LLM tokens", lease.job_id)))?;
        if DB::affected(&fenced) == 0 {
            return Err(Error::LeaseLost { job: lease.job_id.clone(), token: lease.token });
        }
        Ok(())
    }

    async fn llm_memo(
        &self,
        tenant: &str,
        model: &str,
        prompt_version: &str,
        hashes: &[String],
    ) -> Result<HashMap<String, String>> {
        let mut conn = self.pool.acquire().await.map_err(Error::store("reading memoised answers"))?;
        let rows: Vec<(String, String)> = Self::for_keys(
            &mut conn,
            hashes,
            ROWS_PER_STATEMENT,
            |q| {
                q.push("SELECT content_hash, answer FROM llm_memo WHERE tenant_id = ").push_bind(tenant);
                q.push(" AND model = ").push_bind(model).push(" AND prompt_version = ").push_bind(prompt_version);
                q.push(" AND content_hash IN ");
            },
            bind_one,
            "",
            || format!("tenant {tenant}: reading memoised answers"),
        )
        .await?;
        Ok(rows.into_iter().collect())
    }

    async fn sync_links(&self, tenant: &str, mailbox: &str) -> Result<Vec<(String, String)>> {
        sqlx::query_as(
            "SELECT folder_id, delta_link FROM graph_sync_links WHERE tenant_id = $1 AND mailbox = $2 ORDER BY folder_id",
        )
        .bind(tenant)
        .bind(mailbox)
        .fetch_all(&self.pool)
        .await
        .map_err(Error::store(format!("tenant {tenant}: reading the delta links of mailbox {mailbox}")))
    }

    async fn ledger_written_by(
        &self,
        tenant: &str,
        mailbox: &str,
        job_id: &str,
        ids: &[String],
    ) -> Result<BTreeSet<String>> {
        let mut conn = self.pool.acquire().await.map_err(Error::store("checking removals"))?;
        let rows: Vec<(String,)> = Self::for_keys(
            &mut conn,
            ids,
            ROWS_PER_STATEMENT,
            |q| {
                q.push("SELECT message_id FROM message_ledger WHERE tenant_id = ").push_bind(tenant);
                q.push(" AND mailbox = ").push_bind(mailbox).push(" AND job_id = ").push_bind(job_id);
                q.push(" AND message_id IN ");
            },
            bind_one,
            "",
            || format!("tenant {tenant}: checking removals in mailbox {mailbox}"),
        )
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn ledger_ids_of_sources(
        &self,
        tenant: &str,
        mailbox: &str,
        source_ids: &[String],
    ) -> Result<BTreeSet<String>> {
        let mut conn = self.pool.acquire().await.map_err(Error::store("finding removed messages"))?;
        let what = || format!("tenant {tenant}: finding the removed messages of mailbox {mailbox}");
        let mut out = BTreeSet::new();
        // two statements, each on an index: (mailbox, source id) and the primary key
        for by_source in [true, false] {
            let rows: Vec<(String,)> = Self::for_keys(
                &mut conn,
                source_ids,
                ROWS_PER_STATEMENT,
                |q| {
                    q.push("SELECT message_id FROM message_ledger WHERE tenant_id = ").push_bind(tenant);
                    q.push(" AND mailbox = ").push_bind(mailbox);
                    q.push(match by_source {
                        true => " AND source_id IN ",
                        false => " AND source_id IS NULL AND message_id IN ",
                    });
                },
                bind_one,
                "",
                what,
            )
            .await?;
            out.extend(rows.into_iter().map(|(id,)| id));
        }
        Ok(out)
    }

    async fn ledger_rows(&self, tenant: &str, mailbox: &str, ids: &[String]) -> Result<Vec<LedgerRow>> {
        let mut conn = self.pool.acquire().await.map_err(Error::store("reading the mailbox's ledger"))?;
        let rows: Vec<(String, String, String, String, String, Option<String>)> = Self::for_keys(
            &mut conn,
            ids,
            ROWS_PER_STATEMENT,
            |q| {
                q.push("SELECT message_id, content_hash, status, vector_status, graph_status, llm_status");
                q.push(" FROM message_ledger WHERE tenant_id = ").push_bind(tenant);
                q.push(" AND mailbox = ").push_bind(mailbox).push(" AND message_id IN ");
            },
            bind_one,
            "",
            || format!("tenant {tenant}: reading the ledger of mailbox {mailbox}"),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|(message_id, content_hash, status, vector_status, graph_status, llm_status)| LedgerRow {
                mailbox: mailbox.to_string(),
                message_id,
                source_id: None,
                content_hash,
                status,
                reason: None,
                vector_status,
                graph_status,
                subject: None,
                sender: None,
                sent_at: None,
                source_ref: None,
                llm_status,
            })
            .collect())
    }

    async fn held_elsewhere(&self, tenant: &str, mailbox: &str, ids: &[String]) -> Result<Vec<(String, String)>> {
        let mut conn = self.pool.acquire().await.map_err(Error::store("reading other mailboxes' copies"))?;
        Self::copies_elsewhere(&mut conn, tenant, Some(mailbox), ids).await
    }

    async fn ledger_not_written_by(
        &self,
        tenant: &str,
        mailbox: &str,
        job_id: &str,
        source_prefix: &str,
    ) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT message_id FROM message_ledger WHERE tenant_id = $1 AND mailbox = $2 AND job_id <> $3
               AND substr(source_ref, 1, length($4)) = $4 ORDER BY message_id",
        )
        .bind(tenant)
        .bind(mailbox)
        .bind(job_id)
        .bind(source_prefix)
        .fetch_all(&self.pool)
        .await
        .map_err(Error::store(format!("tenant {tenant}: reconciling mailbox {mailbox}")))?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
