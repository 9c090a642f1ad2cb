//! The life of a job: create, claim, beat, finish, retry, re-queue, rescue, stop.
//! Every move binds the state it leaves, checked first against the one transition
//! table ([`JobState::can_become`]), and the lease token it saw. Times that judge
//! liveness are the database's (`{now}`), never a worker's own clock.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, QueryBuilder, Type};

use super::{Engine, Sql, timed};
use crate::job::{Capabilities, Job, JobState, Lease, NewJob};
use crate::store::{JobFilter, Jobs};
use crate::{Error, Result};

/// The claim's SET list: state, owner, a new token and the first heartbeat together.
const CLAIM_SET: &str = "state = $1, lease_owner = $2, lease_token = lease_token + 1,
    heartbeat_at = {now}, progress_at = {now}, attempts = attempts + 1, requested_state = NULL, not_before = NULL,
    started_at = COALESCE(started_at, {now}), finished_at = NULL, updated_at = {now}, last_error = NULL";

/// `from` may become `to`, or an error naming the job: the one table decides.
fn allowed(job: &str, from: JobState, to: JobState) -> Result<()> {
    if from.can_become(to) {
        Ok(())
    } else {
        Err(Error::JobState { job: job.to_string(), why: format!("is {from}; it cannot become {to}") })
    }
}

/// Job ids are hex and dashes; a prefix is looked up with LIKE, so nothing else may pass.
fn validate_prefix(p: &str) -> Result<()> {
    if p.is_empty() || !p.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Error::Invalid(format!("job id {p:?}: expected a job id or its first characters (hex)")));
    }
    Ok(())
}

fn is_unique_violation(e: &Error) -> bool {
    matches!(e, Error::Store { error: sqlx::Error::Database(db), .. } if db.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

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
    /// A refused insert or re-queue of `tenant`/`mailbox`: the mailbox's active job, if
    /// that is why.
    async fn active_conflict(&self, e: Error, tenant: &str, mailbox: &str) -> Error {
        if !is_unique_violation(&e) {
            return e;
        }
        let active: Option<Job> = sqlx::query_as(
            "SELECT * FROM jobs WHERE tenant_id = $1 AND mailbox = $2 AND state IN ('pending', 'running') LIMIT 1",
        )
        .bind(tenant)
        .bind(mailbox)
        .fetch_optional(&self.pool)
        .await
        .ok()
        .flatten();
        match active {
            Some(j) => Error::ActiveJob { tenant: j.tenant, mailbox: j.mailbox, job: j.id, state: j.state },
            None => e,
        }
    }
}

#[async_trait]
impl<DB> Jobs for Sql<DB>
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
    async fn now(&self) -> Result<i64> {
        let (now,): (i64,) = sqlx::query_as(timed::<DB>("SELECT {now}"))
            .fetch_one(&self.pool)
            .await
            .map_err(Error::store(format!("reading the clock of {}", self.label)))?;
        Ok(now)
    }

    async fn create_job(&self, new: &NewJob) -> Result<Job> {
        let id = uuid::Uuid::new_v4().to_string();
        // process-monotonic: jobs created in one millisecond still come out oldest first
        let created = crate::time::unique_now_ms();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(timed::<DB>(
            "INSERT INTO jobs (id, tenant_id, source, mailbox, state, has_more, chunk_size, max_body_bytes,
                 estimated_total, created_at, updated_at, cursor, llm_token_cap)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, {now}, $11, $12)",
        ))
        .bind(&id)
        .bind(new.tenant.as_str())
        .bind(new.source.as_str())
        .bind(new.mailbox.as_str())
        .bind(JobState::Pending.as_str())
        .bind(true)
        .bind(new.chunk_size)
        .bind(new.max_body_bytes)
        .bind(new.estimated_total)
        .bind(created)
        .bind(new.cursor.as_deref())
        .bind(new.llm_token_cap)
        .execute(&mut *tx)
        .await
        .map_err(Error::store(format!("creating a job for tenant {}", new.tenant)));
        if let Err(e) = inserted {
            drop(tx);
            return Err(self.active_conflict(e, &new.tenant, &new.mailbox).await);
        }
        let story = format!("source {} mailbox {}", new.source, new.mailbox);
        Self::insert_event(&mut tx, &new.tenant, &id, "created", &story).await?;
        tx.commit().await.map_err(Error::store("committing a new job"))?;
        self.job(&id).await
    }

    async fn job(&self, id_or_prefix: &str) -> Result<Job> {
        validate_prefix(id_or_prefix)?;
        let rows: Vec<Job> = sqlx::query_as("SELECT * FROM jobs WHERE id LIKE $1 ORDER BY id LIMIT 2")
            .bind(format!("{}%", id_or_prefix.to_ascii_lowercase()))
            .fetch_all(&self.pool)
            .await
            .map_err(Error::store(format!("reading job {id_or_prefix}")))?;
        let mut rows = rows.into_iter();
        match (rows.next(), rows.next()) {
            (None, _) => Err(Error::JobNotFound(id_or_prefix.to_string())),
            (Some(job), None) => Ok(job),
            (Some(_), Some(_)) => Err(Error::AmbiguousJob(id_or_prefix.to_string())),
        }
    }

    async fn jobs(&self, filter: &JobFilter) -> Result<Vec<Job>> {
        let mut q = QueryBuilder::<DB>::new("SELECT * FROM jobs WHERE 1 = 1");
        if let Some(t) = &filter.tenant {
            q.push(" AND tenant_id = ").push_bind(t.as_str());
        }
        if let Some(s) = filter.state {
            q.push(" AND state = ").push_bind(s.as_str());
        }
        q.push(" ORDER BY created_at DESC, id");
        if let Some(l) = filter.limit {
            q.push(" LIMIT ").push_bind(l);
        }
        q.build_query_as().fetch_all(&self.pool).await.map_err(Error::store("listing jobs"))
    }

    async fn claim(&self, job_id: &str, owner: &str) -> Result<Lease> {
        allowed(job_id, JobState::Pending, JobState::Running)?;
        let mut tx = self.begin_write().await?;
        let sql = format!("UPDATE jobs SET {CLAIM_SET} WHERE id = $3 AND state = $4 RETURNING tenant_id, lease_token");
        let row: Option<(String, i64)> = sqlx::query_as(timed::<DB>(&sql))
            .bind(JobState::Running.as_str())
            .bind(owner)
            .bind(job_id)
            .bind(JobState::Pending.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(Error::store(format!("claiming job {job_id}")))?;
        let Some((tenant, token)) = row else {
            drop(tx);
            let job = self.job(job_id).await?;
            return Err(Error::JobState {
                job: job.id,
                why: format!("is {}, not pending; it cannot be claimed", job.state),
            });
        };
        Self::insert_event(&mut tx, &tenant, job_id, "claimed", &format!("by {owner} (lease {token})")).await?;
        tx.commit().await.map_err(Error::store(format!("claiming job {job_id}")))?;
        Ok(Lease { job_id: job_id.to_string(), tenant, owner: owner.to_string(), token })
    }

    async fn claim_next(&self, tenant: Option<&str>, owner: &str, can: &Capabilities) -> Result<Option<Lease>> {
        let mut tx = self.begin_write().await?;
        // a job retried after a transient failure waits out its backoff; a job this
        // process cannot serve (a tenant's sealed secrets without the fleet's key, a
        // Graph job with neither the tenant's connection nor default credentials) is
        // left for a worker that can
        let sql = format!(
            "UPDATE jobs SET {CLAIM_SET}
             WHERE id = (SELECT id FROM jobs WHERE state = $4 AND ($3 IS NULL OR tenant_id = $3)
                           AND (not_before IS NULL OR not_before <= {{now}})
                           AND ($5 OR (NOT EXISTS (SELECT 1 FROM tenant_keys k WHERE k.tenant_id = jobs.tenant_id)
                                   AND NOT EXISTS (SELECT 1 FROM tenant_connections c WHERE c.tenant_id = jobs.tenant_id)))
                           AND ($6 OR (substr(source, 1, 6) <> 'graph:' AND substr(source, 1, 12) <> 'graph-delta:')
                                OR EXISTS (SELECT 1 FROM tenant_connections c WHERE c.tenant_id = jobs.tenant_id))
                         ORDER BY created_at, id LIMIT 1{})
               AND state = $4
             RETURNING id, tenant_id, lease_token",
            DB::SKIP_LOCKED
        );
        let row: Option<(String, String, i64)> = sqlx::query_as(timed::<DB>(&sql))
            .bind(JobState::Running.as_str())
            .bind(owner)
            .bind(tenant)
            .bind(JobState::Pending.as_str())
            .bind(can.tenant_secrets)
            .bind(can.default_graph)
            .fetch_optional(&mut *tx)
            .await
            .map_err(Error::store("claiming the next pending job"))?;
        let Some((job_id, tenant, token)) = row else { return Ok(None) };
        Self::insert_event(&mut tx, &tenant, &job_id, "claimed", &format!("by {owner} (lease {token})")).await?;
        tx.commit().await.map_err(Error::store(format!("claiming job {job_id}")))?;
        Ok(Some(Lease { job_id, tenant, owner: owner.to_string(), token }))
    }

    async fn heartbeat(&self, lease: &Lease) -> Result<Option<JobState>> {
        let row: Option<(Option<JobState>,)> = sqlx::query_as(timed::<DB>(
            "UPDATE jobs SET heartbeat_at = {now} WHERE id = $1 AND tenant_id = $2 AND lease_token = $3 AND state = $4
             RETURNING requested_state",
        ))
        .bind(lease.job_id.as_str())
        .bind(lease.tenant.as_str())
        .bind(lease.token)
        .bind(JobState::Running.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(Error::store(format!("heartbeat of job {}", lease.job_id)))?;
        match row {
            None => Err(Error::LeaseLost { job: lease.job_id.clone(), token: lease.token }),
            Some((requested,)) => Ok(requested),
        }
    }

    async fn finish(&self, lease: &Lease, to: JobState, error: Option<&str>) -> Result<()> {
        allowed(&lease.job_id, JobState::Running, to)?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(timed::<DB>(
            "UPDATE jobs SET state = $1, last_error = $2, updated_at = {now},
                 finished_at = CASE WHEN $3 THEN {now} ELSE NULL END,
                 lease_owner = NULL, requested_state = NULL,
                 heartbeat_at = CASE WHEN $1 = 'pending' THEN NULL ELSE heartbeat_at END,
                 entities = (SELECT count(*) FROM discovered_entities WHERE tenant_id = $5),
                 relationships = (SELECT count(*) FROM graph_edges WHERE tenant_id = $5)
             WHERE id = $4 AND tenant_id = $5 AND lease_token = $6 AND state = $7",
        ))
        .bind(to.as_str())
        .bind(error)
        .bind(to.is_terminal())
        .bind(lease.job_id.as_str())
        .bind(lease.tenant.as_str())
        .bind(lease.token)
        .bind(JobState::Running.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::store(format!("job {}: marking it {to}", lease.job_id)))?;
        if DB::affected(&done) == 0 {
            return Err(Error::LeaseLost { job: lease.job_id.clone(), token: lease.token });
        }
        let story = match error {
            Some(e) => format!("{to}: {e}"),
            None => to.to_string(),
        };
        Self::insert_event(&mut tx, &lease.tenant, &lease.job_id, to.as_str(), &story).await?;
        tx.commit().await.map_err(Error::store(format!("job {}: marking it {to}", lease.job_id)))?;
        Ok(())
    }

    async fn retry_later(&self, lease: &Lease, error: &str, backoff: Duration, max_attempts: i64) -> Result<JobState> {
        allowed(&lease.job_id, JobState::Running, JobState::Pending)?;
        allowed(&lease.job_id, JobState::Running, JobState::Failed)?;
        let mut tx = self.begin_write().await?;
        let row: Option<(JobState, i64)> = sqlx::query_as(timed::<DB>(
            "UPDATE jobs SET failures = failures + 1, last_error = $1, updated_at = {now},
                 state = CASE WHEN failures + 1 >= $2 THEN 'failed' ELSE 'pending' END,
                 finished_at = CASE WHEN failures + 1 >= $2 THEN {now} ELSE NULL END,
                 not_before = CASE WHEN failures + 1 >= $2 THEN NULL ELSE {now} + $3 END,
                 lease_owner = NULL, requested_state = NULL, heartbeat_at = NULL
             WHERE id = $4 AND tenant_id = $5 AND lease_token = $6 AND state = $7
             RETURNING state, failures",
        ))
        .bind(error)
        .bind(max_attempts.max(1))
        .bind(i64::try_from(backoff.as_millis()).unwrap_or(i64::MAX / 2))
        .bind(lease.job_id.as_str())
        .bind(lease.tenant.as_str())
        .bind(lease.token)
        .bind(JobState::Running.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(Error::store(format!("job {}: scheduling a retry", lease.job_id)))?;
        let Some((state, failures)) = row else {
            return Err(Error::LeaseLost { job: lease.job_id.clone(), token: lease.token });
        };
        let story = match state {
            JobState::Failed => format!("failed: {error} (gave up after {failures} failed attempts)"),
            _ => format!("retrying in {}: {error}", humantime::format_duration(backoff)),
        };
        let kind = if state == JobState::Failed { "failed" } else { "retry" };
        Self::insert_event(&mut tx, &lease.tenant, &lease.job_id, kind, &story).await?;
        tx.commit().await.map_err(Error::store(format!("job {}: scheduling a retry", lease.job_id)))?;
        Ok(state)
    }

    async fn requeue(&self, observed: &Job, reason: &str, from_start: bool) -> Result<Job> {
        if !observed.state.can_become(JobState::Pending) {
            return Err(Error::JobState {
                job: observed.id.clone(),
                why: format!(
                    "is {}; only failed, paused, cancelled, completed or stale running jobs can be resumed",
                    observed.state
                ),
            });
        }
        let mut tx = self.begin_write().await?;
        // a pause or cancel asked of a job whose owner died takes effect now, rather
        // than the job running to completion
        let done = sqlx::query(timed::<DB>(
            "UPDATE jobs SET state = COALESCE(requested_state, $7), lease_owner = NULL, heartbeat_at = NULL,
                 finished_at = CASE WHEN requested_state = 'cancelled' THEN {now} ELSE NULL END,
                 requested_state = NULL, updated_at = {now}, not_before = NULL,
                 cursor = CASE WHEN $6 THEN NULL ELSE cursor END,
                 has_more = CASE WHEN $6 THEN TRUE ELSE has_more END,
                 processed = CASE WHEN $6 THEN 0 ELSE processed END,
                 skipped = CASE WHEN $6 THEN 0 ELSE skipped END,
                 vectors = CASE WHEN $6 THEN 0 ELSE vectors END,
                 removed = CASE WHEN $6 THEN 0 ELSE removed END,
                 chunks = CASE WHEN $6 THEN 0 ELSE chunks END,
                 generation = CASE WHEN $6 THEN generation + 1 ELSE generation END
             WHERE id = $1 AND tenant_id = $2 AND state = $3 AND lease_token = $4
               AND COALESCE(heartbeat_at, -1) = $5",
        ))
        .bind(observed.id.as_str())
        .bind(observed.tenant.as_str())
        .bind(observed.state.as_str())
        .bind(observed.lease_token)
        // an owner that beat since we looked is alive: leave it alone
        .bind(observed.heartbeat_at.unwrap_or(-1))
        .bind(from_start)
        .bind(JobState::Pending.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::store(format!("re-queueing job {}", observed.id)));
        let done = match done {
            Ok(d) => d,
            Err(e) => {
                drop(tx);
                return Err(self.active_conflict(e, &observed.tenant, &observed.mailbox).await);
            }
        };
        if DB::affected(&done) == 0 {
            return Err(Error::JobState {
                job: observed.id.clone(),
                why: "changed while we looked at it (another process moved it); look again with `status`".into(),
            });
        }
        let story = match observed.requested_state {
            Some(asked) => format!("{asked} as requested (its owner was gone): {reason}"),
            None => reason.to_string(),
        };
        Self::insert_event(&mut tx, &observed.tenant, &observed.id, "requeued", &story).await?;
        tx.commit().await.map_err(Error::store(format!("re-queueing job {}", observed.id)))?;
        self.job(&observed.id).await
    }

    async fn rescue(&self, observed: &Job, reason: &str, give_up: bool) -> Result<Job> {
        let (to, kind) = if give_up { (JobState::Failed, "failed") } else { (JobState::Pending, "reaped") };
        allowed(&observed.id, JobState::Running, to)?;
        let mut tx = self.begin_write().await?;
        // a row another transaction holds (a chunk committing) is alive: skip it
        // rather than wait; a requested pause or cancel wins over the re-queue
        let sql = format!(
            "UPDATE jobs SET state = COALESCE(requested_state, $1), lease_owner = NULL, heartbeat_at = NULL,
                 requested_state = NULL, rescues = rescues + 1, failures = failures + 1, updated_at = {{now}},
                 finished_at = CASE WHEN COALESCE(requested_state, $1) IN ('failed', 'cancelled') THEN {{now}} ELSE NULL END,
                 last_error = CASE WHEN $1 = 'failed' AND requested_state IS NULL THEN $2 ELSE last_error END
             WHERE id = (SELECT id FROM jobs WHERE id = $3 AND tenant_id = $4 AND state = $7 AND lease_token = $5
                           AND COALESCE(heartbeat_at, -1) = $6{})
               AND state = $7",
            DB::SKIP_LOCKED
        );
        let done = sqlx::query(timed::<DB>(&sql))
            .bind(to.as_str())
            .bind(reason)
            .bind(observed.id.as_str())
            .bind(observed.tenant.as_str())
            .bind(observed.lease_token)
            // an owner that beat since the plan is alive: leave it alone
            .bind(observed.heartbeat_at.unwrap_or(-1))
            .bind(JobState::Running.as_str())
            .execute(&mut *tx)
            .await
            .map_err(Error::store(format!("reaping job {}", observed.id)))?;
        if DB::affected(&done) == 0 {
            return Err(Error::JobState {
                job: observed.id.clone(),
                why: "moved on before it could be reaped (it beat, finished, was re-queued, or is busy committing)"
                    .into(),
            });
        }
        let (kind, story) = match observed.requested_state {
            Some(asked) => (asked.as_str(), format!("{asked} as requested, its owner being gone: {reason}")),
            None => (kind, reason.to_string()),
        };
        Self::insert_event(&mut tx, &observed.tenant, &observed.id, kind, &story).await?;
        tx.commit().await.map_err(Error::store(format!("reaping job {}", observed.id)))?;
        self.job(&observed.id).await
    }

    async fn request_stop(&self, observed: &Job, to: JobState) -> Result<Job> {
        // a running job is asked, and stops at its owner's next heartbeat; any other
        // moves at once, if the table allows it
        let asked = observed.state == JobState::Running;
        allowed(&observed.id, observed.state, to)?;
        let sql = if asked {
            "UPDATE jobs SET requested_state = $1, updated_at = {now}
             WHERE id = $2 AND tenant_id = $3 AND state = $4 AND lease_token = $5"
        } else {
            "UPDATE jobs SET state = $1, updated_at = {now},
                 finished_at = CASE WHEN $1 = 'cancelled' THEN {now} ELSE NULL END, not_before = NULL
             WHERE id = $2 AND tenant_id = $3 AND state = $4 AND lease_token = $5"
        };
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(timed::<DB>(sql))
            .bind(to.as_str())
            .bind(observed.id.as_str())
            .bind(observed.tenant.as_str())
            .bind(observed.state.as_str())
            .bind(observed.lease_token)
            .execute(&mut *tx)
            .await
            .map_err(Error::store(format!("job {}: asking it to become {to}", observed.id)))?;
        if DB::affected(&done) == 0 {
            return Err(Error::JobState {
                job: observed.id.clone(),
                why: "changed while we looked at it; look again with `status`".into(),
            });
        }
        let (kind, story) = if asked {
            ("requested", format!("{to} requested; the owner stops at its next heartbeat"))
        } else {
            let when = match observed.state {
                JobState::Pending => "before it ran".to_string(),
                other => format!("while {other}"),
            };
            (to.as_str(), format!("{to} {when}"))
        };
        Self::insert_event(&mut tx, &observed.tenant, &observed.id, kind, &story).await?;
        tx.commit().await.map_err(Error::store(format!("job {}: asking it to become {to}", observed.id)))?;
        self.job(&observed.id).await
    }

    async fn record_event(&self, job: &Job, kind: &str, message: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_event(&mut tx, &job.tenant, &job.id, kind, message).await?;
        tx.commit().await.map_err(Error::store(format!("job {}: recording an event", job.id)))
    }
}
