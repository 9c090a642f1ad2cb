//! The life of a job: create, claim, beat, finish, re-queue, rescue, stop. Every move
//! binds the state it leaves, checked first against the one transition table
//! ([`JobState::can_become`]), and the lease token it saw.

use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, QueryBuilder, Type};

use super::{Engine, Sql};
use crate::job::{Job, JobState, Lease, NewJob};
use crate::store::{JobFilter, Jobs};
use crate::{Error, Result};

/// The claim's SET list: state, owner, a new token and the first heartbeat together.
macro_rules! claim_set {
    () => {
        "state = $1, lease_owner = $2, lease_token = lease_token + 1,
         heartbeat_at = $3, progress_at = $3, attempts = attempts + 1, requested_state = NULL,
         started_at = COALESCE(started_at, $3), finished_at = NULL, updated_at = $3, last_error = NULL"
    };
}

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
    async fn create_job(&self, new: &NewJob) -> Result<Job> {
        let id = uuid::Uuid::new_v4().to_string();
        let now = crate::time::unique_now_ms();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO jobs (id, tenant_id, source, mailbox, state, has_more, chunk_size, max_body_bytes,
                 estimated_total, created_at, updated_at, cursor, llm_token_cap)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12)",
        )
        .bind(&id)
        .bind(new.tenant.as_str())
        .bind(new.source.as_str())
        .bind(new.mailbox.as_str())
        .bind(JobState::Pending.as_str())
        .bind(true)
        .bind(new.chunk_size)
        .bind(new.max_body_bytes)
        .bind(new.estimated_total)
        .bind(now)
        .bind(new.cursor.as_deref())
        .bind(new.llm_token_cap)
        .execute(&mut *tx)
        .await
        .map_err(Error::store(format!("creating a job for tenant {}", new.tenant)))?;
        let story = format!("source {} mailbox {}", new.source, new.mailbox);
        Self::insert_event(&mut tx, &new.tenant, &id, now, "created", &story).await?;
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
        let now = crate::time::now_ms();
        let mut tx = self.begin_write().await?;
        let row: Option<(String, i64)> = sqlx::query_as(concat!(
            "UPDATE jobs SET ",
            claim_set!(),
            " WHERE id = $4 AND state = $5 RETURNING tenant_id, lease_token"
        ))
        .bind(JobState::Running.as_str())
        .bind(owner)
        .bind(now)
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
        Self::insert_event(&mut tx, &tenant, job_id, now, "claimed", &format!("by {owner} (lease {token})")).await?;
        tx.commit().await.map_err(Error::store(format!("claiming job {job_id}")))?;
        Ok(Lease { job_id: job_id.to_string(), tenant, owner: owner.to_string(), token })
    }

    async fn claim_next(&self, tenant: Option<&str>, owner: &str) -> Result<Option<Lease>> {
        let now = crate::time::now_ms();
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "UPDATE jobs SET {} WHERE id = (SELECT id FROM jobs WHERE state = $5 AND ($4 IS NULL OR tenant_id = $4)
                                            ORDER BY created_at, id LIMIT 1{})
               AND state = $5
             RETURNING id, tenant_id, lease_token",
            claim_set!(),
            DB::SKIP_LOCKED
        );
        let row: Option<(String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(JobState::Running.as_str())
            .bind(owner)
            .bind(now)
            .bind(tenant)
            .bind(JobState::Pending.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(Error::store("claiming the next pending job"))?;
        let Some((job_id, tenant, token)) = row else { return Ok(None) };
        Self::insert_event(&mut tx, &tenant, &job_id, now, "claimed", &format!("by {owner} (lease {token})")).await?;
        tx.commit().await.map_err(Error::store(format!("claiming job {job_id}")))?;
        Ok(Some(Lease { job_id, tenant, owner: owner.to_string(), token }))
    }

    async fn heartbeat(&self, lease: &Lease) -> Result<Option<JobState>> {
        let row: Option<(Option<JobState>,)> = sqlx::query_as(
            "UPDATE jobs SET heartbeat_at = $1 WHERE id = $2 AND tenant_id = $3 AND lease_token = $4 AND state = $5
             RETURNING requested_state",
        )
        .bind(crate::time::now_ms())
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
        let now = crate::time::now_ms();
        let finished = to.is_terminal().then_some(now);
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE jobs SET state = $1, last_error = $2, finished_at = $3, updated_at = $4,
                 lease_owner = NULL, requested_state = NULL,
                 heartbeat_at = CASE WHEN $1 = 'pending' THEN NULL ELSE heartbeat_at END
             WHERE id = $5 AND tenant_id = $6 AND lease_token = $7 AND state = $8",
        )
        .bind(to.as_str())
        .bind(error)
        .bind(finished)
        .bind(now)
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
        Self::insert_event(&mut tx, &lease.tenant, &lease.job_id, now, to.as_str(), &story).await?;
        tx.commit().await.map_err(Error::store(format!("job {}: marking it {to}", lease.job_id)))?;
        Ok(())
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
        let now = crate::time::now_ms();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE jobs SET state = $8, lease_owner = NULL, heartbeat_at = NULL, finished_at = NULL,
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
        .bind(observed.id.as_str())
        .bind(observed.tenant.as_str())
        .bind(observed.state.as_str())
        .bind(observed.lease_token)
        .bind(from_start)
        // an owner that beat since we looked is alive: leave it alone
        .bind(observed.heartbeat_at.unwrap_or(-1))
        .bind(JobState::Pending.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::store(format!("re-queueing job {}", observed.id)))?;
        if DB::affected(&done) == 0 {
            return Err(Error::JobState {
                job: observed.id.clone(),
                why: "changed while we looked at it (another process moved it); look again with `status`".into(),
            });
        }
        Self::insert_event(&mut tx, &observed.tenant, &observed.id, now, "requeued", reason).await?;
        tx.commit().await.map_err(Error::store(format!("re-queueing job {}", observed.id)))?;
        self.job(&observed.id).await
    }

    async fn rescue(&self, observed: &Job, reason: &str, give_up: bool) -> Result<Job> {
        let (to, kind) = if give_up { (JobState::Failed, "failed") } else { (JobState::Pending, "reaped") };
        allowed(&observed.id, JobState::Running, to)?;
        let now = crate::time::now_ms();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE jobs SET state = $1, lease_owner = NULL, heartbeat_at = NULL, requested_state = NULL,
                 rescues = rescues + 1, updated_at = $2,
                 finished_at = CASE WHEN $1 = 'failed' THEN $2 ELSE NULL END,
                 last_error = CASE WHEN $1 = 'failed' THEN $3 ELSE last_error END
             WHERE id = $4 AND tenant_id = $5 AND state = $8 AND lease_token = $6
               AND COALESCE(heartbeat_at, -1) = $7",
        )
        .bind(to.as_str())
        .bind(now)
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
                why: "moved on before it could be reaped (it beat, finished or was re-queued)".into(),
            });
        }
        Self::insert_event(&mut tx, &observed.tenant, &observed.id, now, kind, reason).await?;
        tx.commit().await.map_err(Error::store(format!("reaping job {}", observed.id)))?;
        self.job(&observed.id).await
    }

    async fn request_stop(&self, observed: &Job, to: JobState) -> Result<Job> {
        let now = crate::time::now_ms();
        // a running job is asked, and stops at its owner's next heartbeat; any other
        // moves at once, if the table allows it
        let asked = observed.state == JobState::Running;
        allowed(&observed.id, observed.state, to)?;
        let sql = if asked {
            "UPDATE jobs SET requested_state = $1, updated_at = $2
             WHERE id = $3 AND tenant_id = $4 AND state = $5 AND lease_token = $6"
        } else {
            "UPDATE jobs SET state = $1, updated_at = $2, finished_at = CASE WHEN $1 = 'cancelled' THEN $2 ELSE NULL END
             WHERE id = $3 AND tenant_id = $4 AND state = $5 AND lease_token = $6"
        };
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(sql)
            .bind(to.as_str())
            .bind(now)
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
        Self::insert_event(&mut tx, &observed.tenant, &observed.id, now, kind, &story).await?;
        tx.commit().await.map_err(Error::store(format!("job {}: asking it to become {to}", observed.id)))?;
        self.job(&observed.id).await
    }

    async fn record_event(&self, job: &Job, kind: &str, message: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_event(&mut tx, &job.tenant, &job.id, crate::time::now_ms(), kind, message).await?;
        tx.commit().await.map_err(Error::store(format!("job {}: recording an event", job.id)))
    }
}
