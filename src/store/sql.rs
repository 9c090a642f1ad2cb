//! The SQL both engines share. The statements are the same text for SQLite and
//! Postgres (`$n` binds, `ON CONFLICT` upserts, `RETURNING`); only connecting and
//! opening a write transaction differ, so one macro implements [`Store`] for both.

/// The claim's SET list: state, owner, a new token and the first heartbeat together.
macro_rules! claim_set {
    () => {
        "state = 'running', lease_owner = $1, lease_token = lease_token + 1,
         heartbeat_at = $2, progress_at = $2, attempts = attempts + 1, requested_state = NULL,
         started_at = COALESCE(started_at, $2), finished_at = NULL, updated_at = $2, last_error = NULL"
    };
}

macro_rules! impl_store {
    ($store:ty, $db:ty, $backend:literal, $skip_locked:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn create_job(&self, new: &$crate::job::NewJob) -> $crate::Result<$crate::job::Job> {
                use $crate::Error;
                let id = uuid::Uuid::new_v4().to_string();
                let now = $crate::time::unique_now_ms();
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO jobs (id, tenant_id, source, mailbox, state, has_more, chunk_size, max_body_bytes, estimated_total, created_at, updated_at, cursor, llm_token_cap)
                     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $9, $10, $11)",
                )
                .bind(&id)
                .bind(&new.tenant)
                .bind(&new.source)
                .bind(&new.mailbox)
                .bind(true)
                .bind(new.chunk_size)
                .bind(new.max_body_bytes)
                .bind(new.estimated_total)
                .bind(now)
                .bind(&new.cursor)
                .bind(new.llm_token_cap)
                .execute(&mut *tx)
                .await
                .map_err(Error::store(format!("creating a job for tenant {}", new.tenant)))?;
                insert_event(&mut tx, &new.tenant, &id, now, "created", &format!("source {} mailbox {}", new.source, new.mailbox)).await?;
                tx.commit().await.map_err(Error::store("committing a new job"))?;
                self.job(&id).await
            }

            async fn job(&self, id_or_prefix: &str) -> $crate::Result<$crate::job::Job> {
                use $crate::Error;
                $crate::store::validate_prefix(id_or_prefix)?;
                let rows: Vec<$crate::store::JobRow> =
                    sqlx::query_as("SELECT * FROM jobs WHERE id LIKE $1 ORDER BY id LIMIT 2")
                        .bind(format!("{}%", id_or_prefix.to_ascii_lowercase()))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(Error::store(format!("reading job {id_or_prefix}")))?;
                match rows.len() {
                    0 => Err(Error::JobNotFound(id_or_prefix.to_string())),
                    1 => rows.into_iter().next().unwrap().try_into(),
                    _ => Err(Error::AmbiguousJob(id_or_prefix.to_string())),
                }
            }

            async fn jobs(&self, filter: &$crate::store::JobFilter) -> $crate::Result<Vec<$crate::job::Job>> {
                use $crate::Error;
                let mut q = sqlx::QueryBuilder::<$db>::new("SELECT * FROM jobs WHERE 1 = 1");
                if let Some(t) = &filter.tenant {
                    q.push(" AND tenant_id = ").push_bind(t.clone());
                }
                if let Some(s) = filter.state {
                    q.push(" AND state = ").push_bind(s.as_str());
                }
                q.push(" ORDER BY created_at DESC, id");
                if let Some(l) = filter.limit {
                    q.push(" LIMIT ").push_bind(l);
                }
                let rows: Vec<$crate::store::JobRow> = q
                    .build_query_as()
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Error::store("listing jobs"))?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn claim(&self, job_id: &str, owner: &str) -> $crate::Result<$crate::job::Lease> {
                use $crate::Error;
                let now = $crate::time::now_ms();
                let mut tx = self.begin_write().await?;
                let row: Option<(String, i64)> = sqlx::query_as(concat!(
                    "UPDATE jobs SET ", super::sql::claim_set!(), " WHERE id = $3 AND state = 'pending' RETURNING tenant_id, lease_token"
                ))
                .bind(owner)
                .bind(now)
                .bind(job_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(Error::store(format!("claiming job {job_id}")))?;
                let Some((tenant, token)) = row else {
                    drop(tx);
                    let job = self.job(job_id).await?;
                    return Err(Error::JobState { job: job.id, why: format!("is {}, not pending; it cannot be claimed", job.state) });
                };
                insert_event(&mut tx, &tenant, job_id, now, "claimed", &format!("by {owner} (lease {token})")).await?;
                tx.commit().await.map_err(Error::store(format!("claiming job {job_id}")))?;
                Ok($crate::job::Lease { job_id: job_id.to_string(), tenant, owner: owner.to_string(), token })
            }

            async fn claim_next(&self, tenant: Option<&str>, owner: &str) -> $crate::Result<Option<$crate::job::Lease>> {
                use $crate::Error;
                let now = $crate::time::now_ms();
                let mut tx = self.begin_write().await?;
                let row: Option<(String, String, i64)> = sqlx::query_as(concat!(
                    "UPDATE jobs SET ", super::sql::claim_set!(),
                    " WHERE id = (SELECT id FROM jobs WHERE state = 'pending' AND ($3 IS NULL OR tenant_id = $3)
                                  ORDER BY created_at, id LIMIT 1", $skip_locked, ")
                      AND state = 'pending'
                     RETURNING id, tenant_id, lease_token"
                ))
                .bind(owner)
                .bind(now)
                .bind(tenant)
                .fetch_optional(&mut *tx)
                .await
                .map_err(Error::store("claiming the next pending job"))?;
                let Some((job_id, tenant, token)) = row else { return Ok(None) };
                insert_event(&mut tx, &tenant, &job_id, now, "claimed", &format!("by {owner} (lease {token})")).await?;
                tx.commit().await.map_err(Error::store(format!("claiming job {job_id}")))?;
                Ok(Some($crate::job::Lease { job_id, tenant, owner: owner.to_string(), token }))
            }

            async fn heartbeat(&self, lease: &$crate::job::Lease) -> $crate::Result<Option<$crate::job::JobState>> {
                use $crate::Error;
                let row: Option<(Option<String>,)> = sqlx::query_as(
                    "UPDATE jobs SET heartbeat_at = $1 WHERE id = $2 AND tenant_id = $3 AND lease_token = $4 AND state = 'running'
                     RETURNING requested_state",
                )
                .bind($crate::time::now_ms())
                .bind(&lease.job_id)
                .bind(&lease.tenant)
                .bind(lease.token)
                .fetch_optional(&self.pool)
                .await
                .map_err(Error::store(format!("heartbeat of job {}", lease.job_id)))?;
                match row {
                    None => Err(Error::LeaseLost { job: lease.job_id.clone(), token: lease.token }),
                    Some((req,)) => req.as_deref().map(str::parse).transpose(),
                }
            }

            async fn commit_chunk(
                &self,
                lease: &$crate::job::Lease,
                chunk: &$crate::store::ChunkCommit,
            ) -> $crate::Result<$crate::job::Job> {
                use $crate::Error;
                let now = $crate::time::now_ms();
                let t = lease.tenant.as_str();
                let ctx = |what: &str| format!("job {}: committing a chunk ({what})", lease.job_id);
                let mut tx = self.begin_write().await?;
                // the fence first: it also takes the write lock before anything else
                let fenced = sqlx::query(
                    "UPDATE jobs SET cursor = $1, has_more = $2, processed = processed + $3, skipped = skipped + $4,
                         vectors = vectors + $5, chunks = chunks + 1, progress_at = $6, heartbeat_at = $6, updated_at = $6,
                         embed_dimensions = CASE WHEN embedder IS NULL THEN $12 ELSE embed_dimensions END,
                         embedder = COALESCE(embedder, $10), llm_status = COALESCE($11, llm_status)
                     WHERE id = $7 AND tenant_id = $8 AND lease_token = $9 AND state = 'running'",
                )
                .bind(&chunk.cursor)
                .bind(chunk.has_more)
                .bind(chunk.processed)
                .bind(chunk.skipped)
                .bind(chunk.vectors)
                .bind(now)
                .bind(&lease.job_id)
                .bind(t)
                .bind(lease.token)
                .bind(chunk.embedder.as_ref().map(|(name, _)| name.as_str()))
                .bind(&chunk.llm_status)
                .bind(chunk.embedder.as_ref().and_then(|(_, dims)| *dims))
                .execute(&mut *tx)
                .await
                .map_err(Error::store(ctx("checkpoint")))?;
                if fenced.rows_affected() == 0 {
                    // dropping the transaction rolls it back: nothing of this chunk is written
                    return Err(Error::LeaseLost { job: lease.job_id.clone(), token: lease.token });
                }

                // gone from the source: the ledger row and the graph support it gave
                let mut removed = 0u64;
                for rows in chunk.removed.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("DELETE FROM message_ledger WHERE tenant_id = ");
                    q.push_bind(t).push(" AND (mailbox, message_id) IN (");
                    let mut sep = q.separated(", ");
                    for (m, id) in rows {
                        sep.push("(").push_bind_unseparated(m).push_unseparated(", ").push_bind_unseparated(id).push_unseparated(")");
                    }
                    q.push(")");
                    removed += q.build().execute(&mut *tx).await.map_err(Error::store(ctx("removed messages")))?.rows_affected();
                }
                if removed > 0 {
                    // counted as deleted rows: a removal of a message never stored counts nothing
                    sqlx::query("UPDATE jobs SET removed = removed + $1 WHERE id = $2 AND tenant_id = $3")
                        .bind(removed as i64)
                        .bind(&lease.job_id)
                        .bind(t)
                        .execute(&mut *tx)
                        .await
                        .map_err(Error::store(ctx("removed count")))?;
                }
                let unsupported: Vec<&str> = chunk
                    .removed
                    .iter()
                    .map(|(_, id)| id.as_str())
                    .chain(chunk.ledger.iter().filter(|_| chunk.replace).map(|r| r.message_id.as_str()))
                    .collect();
                // a chunk that may leave nodes without support excludes the tenant's
                // other writers while it decides (Postgres; SQLite writers are serial
                // anyway); chunks that only add share the lock
                if $backend == "postgres" {
                    let lock = if unsupported.is_empty() {
                        "SELECT pg_advisory_xact_lock_shared(hashtext($1))::text"
                    } else {
                        "SELECT pg_advisory_xact_lock(hashtext($1))::text"
                    };
                    sqlx::query(lock).bind(t).execute(&mut *tx).await.map_err(Error::store(ctx("graph lock")))?;
                }
                // the nodes and edges whose support this chunk takes away
                let mut touched_nodes: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
                let mut touched_edges: std::collections::BTreeSet<(String, String, String)> = std::collections::BTreeSet::new();
                for ids in unsupported.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("DELETE FROM graph_node_support WHERE tenant_id = ");
                    q.push_bind(t).push(" AND message_id IN (");
                    let mut sep = q.separated(", ");
                    for id in ids {
                        sep.push_bind(*id);
                    }
                    q.push(") RETURNING node_key");
                    let rows: Vec<(String,)> =
                        q.build_query_as().fetch_all(&mut *tx).await.map_err(Error::store(ctx("old node support")))?;
                    touched_nodes.extend(rows.into_iter().map(|(k,)| k));
                    let mut q = sqlx::QueryBuilder::<$db>::new("DELETE FROM graph_edge_support WHERE tenant_id = ");
                    q.push_bind(t).push(" AND message_id IN (");
                    let mut sep = q.separated(", ");
                    for id in ids {
                        sep.push_bind(*id);
                    }
                    q.push(") RETURNING src_key, rel, dst_key");
                    let rows: Vec<(String, String, String)> =
                        q.build_query_as().fetch_all(&mut *tx).await.map_err(Error::store(ctx("old edge support")))?;
                    touched_edges.extend(rows);
                }

                let ledger: std::collections::BTreeMap<(&str, &str), &$crate::store::LedgerRow> =
                    chunk.ledger.iter().map(|r| ((r.mailbox.as_str(), r.message_id.as_str()), r)).collect();
                let ledger: Vec<_> = ledger.into_values().collect();
                for rows in ledger.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO message_ledger (tenant_id, mailbox, message_id, content_hash, job_id, status, reason, vector_status, graph_status, subject, sender, sent_at, source_ref, updated_at, llm_status) ",
                    );
                    q.push_values(rows, |mut b, r| {
                        b.push_bind(t).push_bind(&r.mailbox).push_bind(&r.message_id).push_bind(&r.content_hash)
                            .push_bind(&lease.job_id).push_bind(&r.status).push_bind(&r.reason)
                            .push_bind(&r.vector_status).push_bind(&r.graph_status).push_bind(&r.subject)
                            .push_bind(&r.sender).push_bind(r.sent_at).push_bind(&r.source_ref).push_bind(now)
                            .push_bind(&r.llm_status);
                    });
                    q.push(
                        " ON CONFLICT (tenant_id, mailbox, message_id) DO UPDATE SET content_hash = excluded.content_hash,
                          job_id = excluded.job_id, status = excluded.status, reason = excluded.reason,
                          vector_status = excluded.vector_status, graph_status = excluded.graph_status,
                          subject = excluded.subject, sender = excluded.sender, sent_at = excluded.sent_at,
                          source_ref = excluded.source_ref, updated_at = excluded.updated_at, llm_status = excluded.llm_status",
                    );
                    q.build().execute(&mut *tx).await.map_err(Error::store(ctx("ledger")))?;
                }

                let g = &chunk.graph;
                let entities: Vec<_> = g.entities.values().collect();
                for rows in entities.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO discovered_entities (tenant_id, entity_key, kind, name, email, domain, first_seen_at, last_seen_at, updated_at) ",
                    );
                    q.push_values(rows, |mut b, e| {
                        b.push_bind(t).push_bind(&e.key).push_bind(&e.kind).push_bind(&e.name).push_bind(&e.email)
                            .push_bind(&e.domain).push_bind(e.first_seen_at).push_bind(e.last_seen_at).push_bind(now);
                    });
                    // a display name replaces a bare address; seen-times only widen
                    q.push(
                        " ON CONFLICT (tenant_id, entity_key) DO UPDATE SET
                          name = CASE WHEN discovered_entities.name = discovered_entities.email THEN excluded.name ELSE discovered_entities.name END,
                          first_seen_at = CASE WHEN discovered_entities.first_seen_at IS NULL OR excluded.first_seen_at < discovered_entities.first_seen_at
                                               THEN excluded.first_seen_at ELSE discovered_entities.first_seen_at END,
                          last_seen_at = CASE WHEN discovered_entities.last_seen_at IS NULL OR excluded.last_seen_at > discovered_entities.last_seen_at
                                              THEN excluded.last_seen_at ELSE discovered_entities.last_seen_at END,
                          updated_at = excluded.updated_at",
                    );
                    q.build().execute(&mut *tx).await.map_err(Error::store(ctx("entities")))?;
                }

                let nodes: Vec<_> = g.nodes.values().collect();
                for rows in nodes.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO graph_nodes (tenant_id, node_key, kind, name, origin, updated_at) ",
                    );
                    q.push_values(rows, |mut b, n| {
                        b.push_bind(t).push_bind(&n.key).push_bind(&n.kind).push_bind(&n.name).push_bind(&n.origin).push_bind(now);
                    });
                    q.push(
                        " ON CONFLICT (tenant_id, node_key) DO UPDATE SET
                          name = CASE WHEN graph_nodes.kind = 'person' AND graph_nodes.name LIKE '%@%' AND excluded.name NOT LIKE '%@%'
                                      THEN excluded.name ELSE graph_nodes.name END,
                          updated_at = excluded.updated_at",
                    );
                    q.build().execute(&mut *tx).await.map_err(Error::store(ctx("nodes")))?;
                }

                let aliases: Vec<_> = g.aliases.iter().collect();
                for rows in aliases.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO graph_node_aliases (tenant_id, node_key, alias) ");
                    q.push_values(rows, |mut b, (k, a)| {
                        b.push_bind(t).push_bind(k).push_bind(a);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(&mut *tx).await.map_err(Error::store(ctx("aliases")))?;
                }

                let support: Vec<_> = g.node_support.iter().collect();
                for rows in support.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO graph_node_support (tenant_id, node_key, message_id) ");
                    q.push_values(rows, |mut b, (k, m)| {
                        b.push_bind(t).push_bind(k).push_bind(m);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(&mut *tx).await.map_err(Error::store(ctx("node support")))?;
                }

                let edges: Vec<_> = g.edges.values().collect();
                for rows in edges.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO graph_edges (tenant_id, src_key, rel, dst_key, origin, first_seen_at, last_seen_at, updated_at) ",
                    );
                    q.push_values(rows, |mut b, e| {
                        b.push_bind(t).push_bind(&e.key.src).push_bind(&e.key.rel).push_bind(&e.key.dst).push_bind(&e.origin)
                            .push_bind(e.first_seen_at).push_bind(e.last_seen_at).push_bind(now);
                    });
                    q.push(
                        " ON CONFLICT (tenant_id, src_key, rel, dst_key) DO UPDATE SET
                          first_seen_at = CASE WHEN graph_edges.first_seen_at IS NULL OR excluded.first_seen_at < graph_edges.first_seen_at
                                               THEN excluded.first_seen_at ELSE graph_edges.first_seen_at END,
                          last_seen_at = CASE WHEN graph_edges.last_seen_at IS NULL OR excluded.last_seen_at > graph_edges.last_seen_at
                                              THEN excluded.last_seen_at ELSE graph_edges.last_seen_at END,
                          updated_at = excluded.updated_at",
                    );
                    q.build().execute(&mut *tx).await.map_err(Error::store(ctx("edges")))?;
                }

                let support: Vec<_> = g.edge_support.iter().collect();
                for rows in support.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO graph_edge_support (tenant_id, src_key, rel, dst_key, message_id, stated_at) ",
                    );
                    q.push_values(rows, |mut b, ((k, m), at)| {
                        b.push_bind(t).push_bind(&k.src).push_bind(&k.rel).push_bind(&k.dst).push_bind(m).push_bind(*at);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(&mut *tx).await.map_err(Error::store(ctx("edge support")))?;
                }

                // nodes and edges that lost their last supporting message go too (only
                // those this chunk touched: pruning the whole tenant per chunk would not scale)
                let mut gone_nodes: Vec<String> = Vec::new();
                let touched: Vec<&String> = touched_nodes.iter().collect();
                for keys in touched.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("DELETE FROM graph_nodes WHERE tenant_id = ");
                    q.push_bind(t).push(" AND node_key IN (");
                    let mut sep = q.separated(", ");
                    for k in keys {
                        sep.push_bind(k.as_str());
                    }
                    q.push(
                        ") AND NOT EXISTS (SELECT 1 FROM graph_node_support s
                            WHERE s.tenant_id = graph_nodes.tenant_id AND s.node_key = graph_nodes.node_key) RETURNING node_key",
                    );
                    let rows: Vec<(String,)> =
                        q.build_query_as().fetch_all(&mut *tx).await.map_err(Error::store(ctx("unsupported nodes")))?;
                    gone_nodes.extend(rows.into_iter().map(|(k,)| k));
                }
                fn in_list(q: &mut sqlx::QueryBuilder<$db>, keys: &[String]) {
                    q.push("(");
                    let mut sep = q.separated(", ");
                    for k in keys {
                        sep.push_bind(k.as_str());
                    }
                    q.push(")");
                }
                for keys in gone_nodes.chunks($crate::store::ROWS_PER_STATEMENT / 2) {
                    for (table, column) in [("graph_node_aliases", "node_key"), ("discovered_entities", "entity_key")] {
                        let mut q = sqlx::QueryBuilder::<$db>::new(format!("DELETE FROM {table} WHERE tenant_id = "));
                        q.push_bind(t).push(format!(" AND {column} IN "));
                        in_list(&mut q, keys);
                        q.build().execute(&mut *tx).await.map_err(Error::store(ctx("removed nodes")))?;
                    }
                    for table in ["graph_edge_support", "graph_edges"] {
                        let mut q = sqlx::QueryBuilder::<$db>::new(format!("DELETE FROM {table} WHERE tenant_id = "));
                        q.push_bind(t).push(" AND (src_key IN ");
                        in_list(&mut q, keys);
                        q.push(" OR dst_key IN ");
                        in_list(&mut q, keys);
                        q.push(")");
                        q.build().execute(&mut *tx).await.map_err(Error::store(ctx("edges of removed nodes")))?;
                    }
                }
                let touched: Vec<&(String, String, String)> = touched_edges.iter().collect();
                for keys in touched.chunks($crate::store::ROWS_PER_STATEMENT / 3) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("DELETE FROM graph_edges WHERE tenant_id = ");
                    q.push_bind(t).push(" AND (src_key, rel, dst_key) IN (");
                    let mut sep = q.separated(", ");
                    for (s, r, d) in keys {
                        sep.push("(").push_bind_unseparated(s.as_str()).push_unseparated(", ").push_bind_unseparated(r.as_str())
                            .push_unseparated(", ").push_bind_unseparated(d.as_str()).push_unseparated(")");
                    }
                    q.push(
                        ") AND NOT EXISTS (SELECT 1 FROM graph_edge_support s WHERE s.tenant_id = graph_edges.tenant_id
                            AND s.src_key = graph_edges.src_key AND s.rel = graph_edges.rel AND s.dst_key = graph_edges.dst_key)",
                    );
                    q.build().execute(&mut *tx).await.map_err(Error::store(ctx("unsupported edges")))?;
                }

                for l in &chunk.sync_links {
                    sqlx::query(
                        "INSERT INTO graph_sync_links (tenant_id, mailbox, folder_id, delta_link, updated_at) VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (tenant_id, mailbox, folder_id) DO UPDATE SET delta_link = excluded.delta_link, updated_at = excluded.updated_at",
                    )
                    .bind(t)
                    .bind(&l.mailbox)
                    .bind(&l.folder)
                    .bind(&l.link)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(Error::store(ctx("delta links")))?;
                }

                sqlx::query(
                    "UPDATE jobs SET entities = (SELECT count(*) FROM discovered_entities WHERE tenant_id = $1),
                         relationships = (SELECT count(*) FROM graph_edges WHERE tenant_id = $1)
                     WHERE id = $2 AND tenant_id = $1",
                )
                .bind(t)
                .bind(&lease.job_id)
                .execute(&mut *tx)
                .await
                .map_err(Error::store(ctx("counters")))?;
                tx.commit().await.map_err(Error::store(ctx("commit")))?;
                self.job(&lease.job_id).await
            }

            async fn finish(
                &self,
                lease: &$crate::job::Lease,
                to: $crate::job::JobState,
                error: Option<&str>,
            ) -> $crate::Result<()> {
                use $crate::Error;
                use $crate::job::JobState;
                if !JobState::Running.can_become(to) {
                    return Err(Error::JobState { job: lease.job_id.clone(), why: format!("running cannot become {to}") });
                }
                let now = $crate::time::now_ms();
                let finished = to.is_terminal().then_some(now);
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE jobs SET state = $1, last_error = $2, finished_at = $3, updated_at = $4,
                         lease_owner = NULL, requested_state = NULL,
                         heartbeat_at = CASE WHEN $1 = 'pending' THEN NULL ELSE heartbeat_at END
                     WHERE id = $5 AND tenant_id = $6 AND lease_token = $7 AND state = 'running'",
                )
                .bind(to.as_str())
                .bind(error)
                .bind(finished)
                .bind(now)
                .bind(&lease.job_id)
                .bind(&lease.tenant)
                .bind(lease.token)
                .execute(&mut *tx)
                .await
                .map_err(Error::store(format!("job {}: marking it {to}", lease.job_id)))?;
                if done.rows_affected() == 0 {
                    return Err(Error::LeaseLost { job: lease.job_id.clone(), token: lease.token });
                }
                let msg = match error {
                    Some(e) => format!("{to}: {e}"),
                    None => to.to_string(),
                };
                insert_event(&mut tx, &lease.tenant, &lease.job_id, now, to.as_str(), &msg).await?;
                tx.commit().await.map_err(Error::store(format!("job {}: marking it {to}", lease.job_id)))?;
                Ok(())
            }

            async fn requeue(&self, observed: &$crate::job::Job, reason: &str, from_start: bool) -> $crate::Result<$crate::job::Job> {
                use $crate::Error;
                use $crate::job::JobState;
                if !observed.state.can_become(JobState::Pending) {
                    return Err(Error::JobState {
                        job: observed.id.clone(),
                        why: format!("is {}; only failed, paused, cancelled, completed or stale running jobs can be resumed", observed.state),
                    });
                }
                let now = $crate::time::now_ms();
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE jobs SET state = 'pending', lease_owner = NULL, heartbeat_at = NULL, finished_at = NULL,
                         requested_state = NULL, updated_at = $1,
                         cursor = CASE WHEN $6 THEN NULL ELSE cursor END,
                         has_more = CASE WHEN $6 THEN TRUE ELSE has_more END,
                         processed = CASE WHEN $6 THEN 0 ELSE processed END,
                         skipped = CASE WHEN $6 THEN 0 ELSE skipped END,
                         vectors = CASE WHEN $6 THEN 0 ELSE vectors END,
                         removed = CASE WHEN $6 THEN 0 ELSE removed END,
                         chunks = CASE WHEN $6 THEN 0 ELSE chunks END
                     WHERE id = $2 AND tenant_id = $3 AND state = $4 AND lease_token = $5
                       AND COALESCE(heartbeat_at, -1) = $7",
                )
                .bind(now)
                .bind(&observed.id)
                .bind(&observed.tenant)
                .bind(observed.state.as_str())
                .bind(observed.lease_token)
                .bind(from_start)
                // an owner that beat since we looked is alive: leave it alone
                .bind(observed.heartbeat_at.unwrap_or(-1))
                .execute(&mut *tx)
                .await
                .map_err(Error::store(format!("re-queueing job {}", observed.id)))?;
                if done.rows_affected() == 0 {
                    return Err(Error::JobState {
                        job: observed.id.clone(),
                        why: "changed while we looked at it (another process moved it); look again with `status`".into(),
                    });
                }
                insert_event(&mut tx, &observed.tenant, &observed.id, now, "requeued", reason).await?;
                tx.commit().await.map_err(Error::store(format!("re-queueing job {}", observed.id)))?;
                self.job(&observed.id).await
            }

            async fn rescue(&self, observed: &$crate::job::Job, reason: &str, give_up: bool) -> $crate::Result<$crate::job::Job> {
                use $crate::Error;
                let now = $crate::time::now_ms();
                let (to, kind) = if give_up { ("failed", "failed") } else { ("pending", "reaped") };
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE jobs SET state = $1, lease_owner = NULL, heartbeat_at = NULL, requested_state = NULL,
                         rescues = rescues + 1, updated_at = $2,
                         finished_at = CASE WHEN $1 = 'failed' THEN $2 ELSE NULL END,
                         last_error = CASE WHEN $1 = 'failed' THEN $3 ELSE last_error END
                     WHERE id = $4 AND tenant_id = $5 AND state = 'running' AND lease_token = $6
                       AND COALESCE(heartbeat_at, -1) = $7",
                )
                .bind(to)
                .bind(now)
                .bind(reason)
                .bind(&observed.id)
                .bind(&observed.tenant)
                .bind(observed.lease_token)
                // an owner that beat since the plan is alive: leave it alone
                .bind(observed.heartbeat_at.unwrap_or(-1))
                .execute(&mut *tx)
                .await
                .map_err(Error::store(format!("reaping job {}", observed.id)))?;
                if done.rows_affected() == 0 {
                    return Err(Error::JobState { job: observed.id.clone(), why: "moved on before it could be reaped (it beat, finished or was re-queued)".into() });
                }
                insert_event(&mut tx, &observed.tenant, &observed.id, now, kind, reason).await?;
                tx.commit().await.map_err(Error::store(format!("reaping job {}", observed.id)))?;
                self.job(&observed.id).await
            }

            async fn request_stop(&self, observed: &$crate::job::Job, to: $crate::job::JobState) -> $crate::Result<$crate::job::Job> {
                use $crate::Error;
                use $crate::job::JobState;
                let now = $crate::time::now_ms();
                let mut tx = self.begin_write().await?;
                let (sql, kind) = match observed.state {
                    JobState::Pending if JobState::Pending.can_become(to) => (
                        "UPDATE jobs SET state = $1, updated_at = $2, finished_at = CASE WHEN $1 = 'cancelled' THEN $2 ELSE NULL END
                         WHERE id = $3 AND tenant_id = $4 AND state = 'pending' AND lease_token = $5",
                        to.as_str(),
                    ),
                    JobState::Running if JobState::Running.can_become(to) => (
                        "UPDATE jobs SET requested_state = $1, updated_at = $2
                         WHERE id = $3 AND tenant_id = $4 AND state = 'running' AND lease_token = $5",
                        "requested",
                    ),
                    JobState::Paused if to == JobState::Cancelled => (
                        "UPDATE jobs SET state = $1, updated_at = $2, finished_at = $2
                         WHERE id = $3 AND tenant_id = $4 AND state = 'paused' AND lease_token = $5",
                        to.as_str(),
                    ),
                    other => {
                        return Err(Error::JobState { job: observed.id.clone(), why: format!("is {other}; it cannot be {to}") });
                    }
                };
                let done = sqlx::query(sql)
                    .bind(to.as_str())
                    .bind(now)
                    .bind(&observed.id)
                    .bind(&observed.tenant)
                    .bind(observed.lease_token)
                    .execute(&mut *tx)
                    .await
                    .map_err(Error::store(format!("job {}: asking it to become {to}", observed.id)))?;
                if done.rows_affected() == 0 {
                    return Err(Error::JobState { job: observed.id.clone(), why: "changed while we looked at it; look again with `status`".into() });
                }
                let msg = if kind == "requested" { format!("{to} requested; the owner stops at its next heartbeat") } else { format!("{to} before it ran") };
                insert_event(&mut tx, &observed.tenant, &observed.id, now, kind, &msg).await?;
                tx.commit().await.map_err(Error::store(format!("job {}: asking it to become {to}", observed.id)))?;
                self.job(&observed.id).await
            }

            async fn record_event(&self, job: &$crate::job::Job, kind: &str, message: &str) -> $crate::Result<()> {
                use $crate::Error;
                let mut tx = self.begin_write().await?;
                insert_event(&mut tx, &job.tenant, &job.id, $crate::time::now_ms(), kind, message).await?;
                tx.commit().await.map_err(Error::store(format!("job {}: recording an event", job.id)))
            }

            async fn sync_links(&self, tenant: &str, mailbox: &str) -> $crate::Result<Vec<(String, String)>> {
                sqlx::query_as(
                    "SELECT folder_id, delta_link FROM graph_sync_links WHERE tenant_id = $1 AND mailbox = $2 ORDER BY folder_id",
                )
                .bind(tenant)
                .bind(mailbox)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::Error::store(format!("tenant {tenant}: reading the delta links of mailbox {mailbox}")))
            }

            async fn put_llm_spend(
                &self,
                lease: &$crate::job::Lease,
                rows: &[$crate::store::MemoRow],
                tokens: i64,
            ) -> $crate::Result<()> {
                let (tenant, now) = (lease.tenant.as_str(), $crate::time::now_ms());
                for rows in rows.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO llm_memo (tenant_id, content_hash, prompt_version, model, answer, tokens, created_at) ",
                    );
                    q.push_values(rows, |mut b, m| {
                        b.push_bind(tenant).push_bind(&m.content_hash).push_bind(&m.prompt_version).push_bind(&m.model)
                            .push_bind(&m.answer).push_bind(m.tokens).push_bind(now);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build()
                        .execute(&self.pool)
                        .await
                        .map_err($crate::Error::store(format!("tenant {tenant}: keeping memoised answers")))?;
                }
                let fenced = sqlx::query(
                    "UPDATE jobs SET llm_tokens = llm_tokens + $1
                     WHERE id = $2 AND tenant_id = $3 AND lease_token = $4 AND state = 'running'",
                )
                .bind(tokens)
                .bind(&lease.job_id)
                .bind(tenant)
                .bind(lease.token)
                .execute(&self.pool)
                .await
                .map_err($crate::Error::store(format!("job {}: adding its LLM tokens", lease.job_id)))?;
                if fenced.rows_affected() == 0 {
                    return Err($crate::Error::LeaseLost { job: lease.job_id.clone(), token: lease.token });
                }
                Ok(())
            }

            async fn llm_memo(
                &self,
                tenant: &str,
                model: &str,
                prompt_version: &str,
                hashes: &[String],
            ) -> $crate::Result<std::collections::HashMap<String, String>> {
                let mut out = std::collections::HashMap::new();
                for chunk in hashes.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("SELECT content_hash, answer FROM llm_memo WHERE tenant_id = ");
                    q.push_bind(tenant).push(" AND model = ").push_bind(model).push(" AND prompt_version = ").push_bind(prompt_version);
                    q.push(" AND content_hash IN (");
                    let mut sep = q.separated(", ");
                    for h in chunk {
                        sep.push_bind(h);
                    }
                    q.push(")");
                    let rows: Vec<(String, String)> = q
                        .build_query_as()
                        .fetch_all(&self.pool)
                        .await
                        .map_err($crate::Error::store(format!("tenant {tenant}: reading memoised answers")))?;
                    out.extend(rows);
                }
                Ok(out)
            }

            async fn ledger_written_by(
                &self,
                tenant: &str,
                mailbox: &str,
                job_id: &str,
                ids: &[String],
            ) -> $crate::Result<std::collections::BTreeSet<String>> {
                let mut out = std::collections::BTreeSet::new();
                for chunk in ids.chunks($crate::store::ROWS_PER_STATEMENT) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("SELECT message_id FROM message_ledger WHERE tenant_id = ");
                    q.push_bind(tenant).push(" AND mailbox = ").push_bind(mailbox).push(" AND job_id = ").push_bind(job_id);
                    q.push(" AND message_id IN (");
                    let mut sep = q.separated(", ");
                    for id in chunk {
                        sep.push_bind(id);
                    }
                    q.push(")");
                    let rows: Vec<(String,)> = q
                        .build_query_as()
                        .fetch_all(&self.pool)
                        .await
                        .map_err($crate::Error::store(format!("tenant {tenant}: checking removals in mailbox {mailbox}")))?;
                    out.extend(rows.into_iter().map(|(id,)| id));
                }
                Ok(out)
            }

            async fn ledger_not_written_by(
                &self,
                tenant: &str,
                mailbox: &str,
                job_id: &str,
                source_prefix: &str,
            ) -> $crate::Result<Vec<String>> {
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
                .map_err($crate::Error::store(format!("tenant {tenant}: reconciling mailbox {mailbox}")))?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }

            async fn events(&self, job: &$crate::job::Job) -> $crate::Result<Vec<$crate::job::JobEvent>> {
                use $crate::Error;
                let rows: Vec<(i64, String, String)> = sqlx::query_as(
                    "SELECT at, kind, message FROM job_events WHERE tenant_id = $1 AND job_id = $2 ORDER BY id",
                )
                .bind(&job.tenant)
                .bind(&job.id)
                .fetch_all(&self.pool)
                .await
                .map_err(Error::store(format!("job {}: reading its events", job.id)))?;
                Ok(rows.into_iter().map(|(at, kind, message)| $crate::job::JobEvent { at, kind, message }).collect())
            }

            async fn skipped(&self, job: &$crate::job::Job) -> $crate::Result<Vec<$crate::store::SkippedMessage>> {
                use $crate::Error;
                sqlx::query_as(
                    "SELECT mailbox, message_id, source_ref, reason FROM message_ledger
                     WHERE tenant_id = $1 AND job_id = $2 AND status = 'skipped' ORDER BY source_ref, message_id",
                )
                .bind(&job.tenant)
                .bind(&job.id)
                .fetch_all(&self.pool)
                .await
                .map_err(Error::store(format!("job {}: listing skipped messages", job.id)))
            }

            async fn digest(&self, tenant: &str) -> $crate::Result<$crate::store::TenantDigest> {
                use sha2::Digest as _;
                use $crate::Error;
                let queries: [(&str, &str); 7] = [
                    ("ledger", "SELECT mailbox || '|' || message_id || '|' || content_hash || '|' || status || '|' || COALESCE(reason, '') || '|' || vector_status || '|' || graph_status FROM message_ledger WHERE tenant_id = $1"),
                    ("entities", "SELECT entity_key || '|' || kind || '|' || name || '|' || COALESCE(email, '') || '|' || COALESCE(CAST(first_seen_at AS TEXT), '') || '|' || COALESCE(CAST(last_seen_at AS TEXT), '') FROM discovered_entities WHERE tenant_id = $1"),
                    ("nodes", "SELECT node_key || '|' || kind || '|' || name || '|' || origin FROM graph_nodes WHERE tenant_id = $1"),
                    ("aliases", "SELECT node_key || '|' || alias FROM graph_node_aliases WHERE tenant_id = $1"),
                    ("node_support", "SELECT node_key || '|' || message_id FROM graph_node_support WHERE tenant_id = $1"),
                    ("edges", "SELECT src_key || '|' || rel || '|' || dst_key || '|' || origin || '|' || COALESCE(CAST(first_seen_at AS TEXT), '') || '|' || COALESCE(CAST(last_seen_at AS TEXT), '') FROM graph_edges WHERE tenant_id = $1"),
                    ("edge_support", "SELECT src_key || '|' || rel || '|' || dst_key || '|' || message_id || '|' || COALESCE(CAST(stated_at AS TEXT), '') FROM graph_edge_support WHERE tenant_id = $1"),
                ];
                let mut d = $crate::store::TenantDigest::default();
                let mut hasher = sha2::Sha256::new();
                for (name, sql) in queries {
                    let mut rows: Vec<(String,)> = sqlx::query_as(sql)
                        .bind(tenant)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(Error::store(format!("tenant {tenant}: reading {name}")))?;
                    rows.sort();
                    hasher.update(name.as_bytes());
                    for (r,) in &rows {
                        hasher.update(r.as_bytes());
                        hasher.update(b"\n");
                    }
                    let n = rows.len() as i64;
                    match name {
                        "ledger" => {
                            d.ledger = n;
                            d.skipped = rows.iter().filter(|(r,)| r.contains("|skipped|")).count() as i64;
                            d.processed = n - d.skipped;
                        }
                        "entities" => d.entities = n,
                        "nodes" => d.nodes = n,
                        "aliases" => d.aliases = n,
                        "node_support" => d.node_support = n,
                        "edges" => d.edges = n,
                        _ => d.edge_support = n,
                    }
                }
                d.content_sha256 = $crate::email::hex(&hasher.finalize());
                Ok(d)
            }
            async fn ledger_entries(&self, tenant: &str, mailbox: Option<&str>) -> $crate::Result<Vec<$crate::store::LedgerEntry>> {
                sqlx::query_as(
                    "SELECT mailbox, message_id, job_id, status, llm_status FROM message_ledger
                     WHERE tenant_id = $1 AND ($2 IS NULL OR mailbox = $2) ORDER BY mailbox, message_id",
                )
                .bind(tenant)
                .bind(mailbox)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::Error::store(format!("tenant {tenant}: reading the ledger")))
            }

            async fn graph_problems(&self, tenant: &str) -> $crate::Result<$crate::store::GraphProblems> {
                let q = |sql: &'static str| async move {
                    let rows: Vec<(String,)> = sqlx::query_as(sql)
                        .bind(tenant)
                        .fetch_all(&self.pool)
                        .await
                        .map_err($crate::Error::store(format!("tenant {tenant}: checking the graph")))?;
                    Ok::<Vec<String>, $crate::Error>(rows.into_iter().map(|(r,)| r).collect())
                };
                Ok($crate::store::GraphProblems {
                    orphan_edges: q("SELECT src_key || ' -' || rel || '-> ' || dst_key FROM graph_edges WHERE tenant_id = $1
                        AND (NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edges.tenant_id AND n.node_key = graph_edges.src_key)
                          OR NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edges.tenant_id AND n.node_key = graph_edges.dst_key))
                        ORDER BY 1").await?,
                    unsupported_nodes: q("SELECT node_key FROM graph_nodes WHERE tenant_id = $1
                        AND NOT EXISTS (SELECT 1 FROM graph_node_support s WHERE s.tenant_id = graph_nodes.tenant_id AND s.node_key = graph_nodes.node_key)
                        ORDER BY 1").await?,
                    unsupported_edges: q("SELECT src_key || ' -' || rel || '-> ' || dst_key FROM graph_edges WHERE tenant_id = $1
                        AND NOT EXISTS (SELECT 1 FROM graph_edge_support s WHERE s.tenant_id = graph_edges.tenant_id
                            AND s.src_key = graph_edges.src_key AND s.rel = graph_edges.rel AND s.dst_key = graph_edges.dst_key)
                        ORDER BY 1").await?,
                    duplicate_nodes: q("SELECT lower(node_key) FROM graph_nodes WHERE tenant_id = $1
                        GROUP BY lower(node_key) HAVING count(*) > 1 ORDER BY 1").await?,
                })
            }

            async fn prune_graph(&self, tenant: &str) -> $crate::Result<$crate::store::GraphProblems> {
                use $crate::Error;
                let before = self.graph_problems(tenant).await?;
                let mut tx = self.begin_write().await?;
                for sql in $crate::store::PRUNE_STEPS {
                    sqlx::query(sql)
                        .bind(tenant)
                        .execute(&mut *tx)
                        .await
                        .map_err(Error::store(format!("tenant {tenant}: pruning the graph")))?;
                }
                tx.commit().await.map_err(Error::store(format!("tenant {tenant}: pruning the graph")))?;
                Ok($crate::store::GraphProblems { duplicate_nodes: Vec::new(), ..before })
            }

            async fn recount(&self, job: &$crate::job::Job) -> $crate::Result<$crate::job::Job> {
                use $crate::Error;
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "UPDATE jobs SET
                        processed = (SELECT count(*) FROM message_ledger WHERE tenant_id = $1 AND job_id = $2 AND status = 'processed'),
                        skipped = (SELECT count(*) FROM message_ledger WHERE tenant_id = $1 AND job_id = $2 AND status = 'skipped')
                     WHERE tenant_id = $1 AND id = $2",
                )
                .bind(&job.tenant)
                .bind(&job.id)
                .execute(&mut *tx)
                .await
                .map_err(Error::store(format!("job {}: recounting", job.id)))?;
                insert_event(&mut tx, &job.tenant, &job.id, $crate::time::now_ms(), "recounted", "counters set from the ledger by verify --repair").await?;
                tx.commit().await.map_err(Error::store(format!("job {}: recounting", job.id)))?;
                self.job(&job.id).await
            }
            async fn entity(&self, tenant: &str, name: &str, limit: i64) -> $crate::Result<Vec<$crate::store::EntityView>> {
                use $crate::Error;
                let err = || Error::store(format!("tenant {tenant}: looking up entity {name:?}"));
                let nodes: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT node_key, kind, name FROM graph_nodes WHERE tenant_id = $1
                       AND (lower(name) = lower($2) OR node_key = $2 OR node_key = $3
                            OR EXISTS (SELECT 1 FROM graph_node_aliases a WHERE a.tenant_id = graph_nodes.tenant_id
                                       AND a.node_key = graph_nodes.node_key AND lower(a.alias) = lower($2)))
                     ORDER BY node_key LIMIT 10",
                )
                .bind(tenant)
                .bind(name)
                .bind(format!("person:{}", name.to_lowercase()))
                .fetch_all(&self.pool)
                .await
                .map_err(err())?;
                let mut out = Vec::new();
                for (key, kind, node_name) in nodes {
                    let aliases: Vec<(String,)> = sqlx::query_as(
                        "SELECT alias FROM graph_node_aliases WHERE tenant_id = $1 AND node_key = $2 ORDER BY alias",
                    )
                    .bind(tenant)
                    .bind(&key)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(err())?;
                    let (mentions,): (i64,) = sqlx::query_as(
                        "SELECT count(*) FROM graph_node_support WHERE tenant_id = $1 AND node_key = $2",
                    )
                    .bind(tenant)
                    .bind(&key)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(err())?;
                    let edges: Vec<(String, String, String, Option<i64>, Option<i64>, i64)> = sqlx::query_as(
                        "SELECT src_key, rel, dst_key, first_seen_at, last_seen_at,
                                (SELECT count(*) FROM graph_edge_support s WHERE s.tenant_id = graph_edges.tenant_id
                                   AND s.src_key = graph_edges.src_key AND s.rel = graph_edges.rel AND s.dst_key = graph_edges.dst_key) AS weight
                         FROM graph_edges WHERE tenant_id = $1 AND (src_key = $2 OR dst_key = $2)
                         ORDER BY weight DESC, src_key, rel, dst_key LIMIT $3",
                    )
                    .bind(tenant)
                    .bind(&key)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(err())?;
                    let mut views = Vec::new();
                    for (src, rel, dst, first_seen_at, last_seen_at, weight) in edges {
                        let messages: Vec<(String, Option<String>)> = sqlx::query_as(
                            "SELECT s.message_id, (SELECT min(l.subject) FROM message_ledger l
                                                   WHERE l.tenant_id = s.tenant_id AND l.message_id = s.message_id)
                             FROM graph_edge_support s
                             WHERE s.tenant_id = $1 AND s.src_key = $2 AND s.rel = $3 AND s.dst_key = $4
                             ORDER BY s.stated_at, s.message_id LIMIT 3",
                        )
                        .bind(tenant)
                        .bind(&src)
                        .bind(&rel)
                        .bind(&dst)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(err())?;
                        views.push($crate::store::EdgeView { src, rel, dst, weight, first_seen_at, last_seen_at, messages });
                    }
                    out.push($crate::store::EntityView {
                        key,
                        kind,
                        name: node_name,
                        aliases: aliases.into_iter().map(|(a,)| a).collect(),
                        mentions,
                        edges: views,
                    });
                }
                Ok(out)
            }
            async fn put_key(
                &self,
                tenant: &str,
                key: &$crate::keys::KeyName,
                nonce: &[u8],
                ciphertext: &[u8],
                hint: &str,
            ) -> $crate::Result<()> {
                let now = $crate::time::now_ms();
                sqlx::query(
                    "INSERT INTO tenant_keys (tenant_id, provider, name, nonce, ciphertext, hint, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                     ON CONFLICT (tenant_id, provider, name) DO UPDATE SET nonce = excluded.nonce,
                         ciphertext = excluded.ciphertext, hint = excluded.hint, updated_at = excluded.updated_at",
                )
                .bind(tenant)
                .bind(&key.provider)
                .bind(&key.name)
                .bind(nonce)
                .bind(ciphertext)
                .bind(hint)
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err($crate::Error::store(format!("tenant {tenant}: storing the {key}")))?;
                Ok(())
            }

            async fn get_key(
                &self,
                tenant: &str,
                key: &$crate::keys::KeyName,
            ) -> $crate::Result<Option<$crate::keys::SealedKey>> {
                // KeyName is normalised; lower() also finds rows written by hand
                sqlx::query_as(
                    "SELECT nonce, ciphertext FROM tenant_keys
                     WHERE tenant_id = $1 AND provider = lower($2) AND name = lower($3)",
                )
                .bind(tenant)
                .bind(&key.provider)
                .bind(&key.name)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::Error::store(format!("tenant {tenant}: reading the {key}")))
            }

            async fn list_keys(&self, tenant: Option<&str>) -> $crate::Result<Vec<$crate::keys::KeyInfo>> {
                sqlx::query_as(
                    "SELECT tenant_id, provider, name, hint, created_at, updated_at FROM tenant_keys
                     WHERE ($1 IS NULL OR tenant_id = $1) ORDER BY tenant_id, provider, name",
                )
                .bind(tenant)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::Error::store("listing keys"))
            }

            async fn remove_key(&self, tenant: &str, key: &$crate::keys::KeyName) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "DELETE FROM tenant_keys WHERE tenant_id = $1 AND provider = lower($2) AND name = lower($3)",
                )
                .bind(tenant)
                .bind(&key.provider)
                .bind(&key.name)
                .execute(&self.pool)
                .await
                .map_err($crate::Error::store(format!("tenant {tenant}: removing the {key}")))?;
                Ok(done.rows_affected() > 0)
            }

            async fn set_embedder(&self, tenant: &str, spec: &$crate::embed::EmbedderSpec) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO tenant_embedders (tenant_id, embedder, dimensions, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (tenant_id) DO UPDATE SET embedder = excluded.embedder,
                         dimensions = excluded.dimensions, updated_at = excluded.updated_at",
                )
                .bind(tenant)
                .bind(spec.stored_name())
                .bind(spec.dimensions().map(|d| d as i64))
                .bind($crate::time::now_ms())
                .execute(&self.pool)
                .await
                .map_err($crate::Error::store(format!("tenant {tenant}: choosing the embedder")))?;
                Ok(())
            }

            async fn embedder(&self, tenant: &str) -> $crate::Result<Option<$crate::embed::EmbedderSpec>> {
                let row: Option<(String, Option<i64>)> =
                    sqlx::query_as("SELECT embedder, dimensions FROM tenant_embedders WHERE tenant_id = $1")
                        .bind(tenant)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err($crate::Error::store(format!("tenant {tenant}: reading the embedder")))?;
                row.map(|(name, dims)| $crate::embed::EmbedderSpec::from_stored(tenant, &name, dims)).transpose()
            }

            async fn list_embedders(
                &self,
                tenant: Option<&str>,
            ) -> $crate::Result<Vec<(String, $crate::embed::EmbedderSpec)>> {
                let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
                    "SELECT tenant_id, embedder, dimensions FROM tenant_embedders
                     WHERE ($1 IS NULL OR tenant_id = $1) ORDER BY tenant_id",
                )
                .bind(tenant)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::Error::store("listing embedders"))?;
                rows.into_iter()
                    .map(|(t, name, dims)| $crate::embed::EmbedderSpec::from_stored(&t, &name, dims).map(|s| (t, s)))
                    .collect()
            }
        }

        async fn insert_event(
            tx: &mut sqlx::Transaction<'static, $db>,
            tenant: &str,
            job_id: &str,
            at: i64,
            kind: &str,
            message: &str,
        ) -> $crate::Result<()> {
            sqlx::query("INSERT INTO job_events (tenant_id, job_id, at, kind, message) VALUES ($1, $2, $3, $4, $5)")
                .bind(tenant)
                .bind(job_id)
                .bind(at)
                .bind(kind)
                .bind(message)
                .execute(&mut **tx)
                .await
                .map_err($crate::Error::store(format!("job {job_id}: recording event {kind}")))?;
            Ok(())
        }
    };
}

pub(crate) use {claim_set, impl_store};
