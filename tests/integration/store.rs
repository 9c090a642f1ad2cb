//! The store conformance suite: the same story on SQLite and on Postgres.

use atom_sync::Error;
use atom_sync::email::parse_rfc822;
use atom_sync::extract::{GraphWrite, rules};
use atom_sync::job::{JobState, NewJob};
use atom_sync::store::{ChunkCommit, JobFilter, LedgerRow, Store};

use atom_sync::fleet::Capabilities;

use crate::common::*;

fn new_job(tenant: &str) -> NewJob {
    NewJob {
        tenant: tenant.into(),
        source: "mbox:/nowhere/x.mbox".into(),
        mailbox: "x.mbox".into(),
        chunk_size: 10,
        max_body_bytes: 10_240,
        estimated_total: Some(3),
        cursor: None,
        llm_token_cap: None,
    }
}

fn chunk(cursor: &str, has_more: bool) -> ChunkCommit {
    let raw = [
        "Message-ID: <1@x>\nFrom: Ann <ann@acme.com>\nTo: bob@beta.org, cy@acme.com\nSubject: Plan\nDate: Mon, 14 May 2001 16:39:00 -0700\n\nhello\n",
        "Message-ID: <2@x>\nFrom: bob@beta.org\nTo: Ann Smith <ANN@acme.com>\nSubject: Re: Plan\nDate: Tue, 15 May 2001 16:39:00 -0700\n\nhi\n",
    ];
    let emails: Vec<_> = raw.iter().map(|r| parse_rfc822(r.as_bytes(), "t", 10_240).unwrap()).collect();
    let mut graph = GraphWrite::default();
    rules::extract(&emails, &mut graph);
    let mut ledger: Vec<LedgerRow> = emails
        .iter()
        .map(|e| LedgerRow {
            llm_status: None,
            mailbox: "x.mbox".into(),
            message_id: e.message_id.clone(),
            source_id: None,
            content_hash: e.content_hash().to_string(),
            status: "processed".into(),
            reason: None,
            vector_status: "written".into(),
            graph_status: "written".into(),
            subject: Some(e.subject.clone()),
            sender: e.from.as_ref().map(|m| m.address.clone()),
            sent_at: e.date_ms,
            source_ref: Some(e.source_ref.clone()),
        })
        .collect();
    ledger.push(LedgerRow {
        llm_status: None,
        mailbox: "x.mbox".into(),
        message_id: "broken:1".into(),
        source_id: None,
        content_hash: String::new(),
        status: "skipped".into(),
        reason: Some("empty message".into()),
        vector_status: "skipped".into(),
        graph_status: "skipped".into(),
        subject: None,
        sender: None,
        sent_at: None,
        source_ref: Some("x.mbox@99".into()),
    });
    ChunkCommit { cursor: cursor.into(), has_more, ledger, graph, ..Default::default() }
}

async fn story(store: &dyn Store) {
    let job = store.create_job(&new_job("acme")).await.unwrap();
    assert_eq!(job.state, JobState::Pending);
    assert_eq!(store.job(&job.id[..8]).await.unwrap().id, job.id, "lookup by prefix");
    assert!(matches!(store.job("ffffffff").await, Err(Error::JobNotFound(_))));
    assert!(matches!(store.job("x'--").await, Err(Error::Invalid(_))));

    // the claim sets state, lease and heartbeat together
    let lease = store.claim(&job.id, "host:1:a").await.unwrap();
    let running = store.job(&job.id).await.unwrap();
    assert_eq!(running.state, JobState::Running);
    assert_eq!(running.lease_token, lease.token);
    assert!(running.heartbeat_at.is_some(), "no claimed job without a heartbeat");
    assert!(matches!(store.claim(&job.id, "host:2:b").await, Err(Error::JobState { .. })), "claimed once");
    store.heartbeat(&lease).await.unwrap();

    // a chunk, twice: the second changes nothing but the counters of this job
    let c = chunk(r#"{"offset":10}"#, true);
    let after = store.commit_chunk(&lease, &c).await.unwrap().job;
    assert_eq!((after.processed, after.skipped, after.vectors, after.chunks), (2, 1, 2, 1));
    assert_eq!(after.cursor.as_deref(), Some(r#"{"offset":10}"#));
    let d1 = store.digest("acme").await.unwrap();
    assert_eq!((d1.ledger, d1.processed, d1.skipped), (3, 2, 1));
    assert_eq!(d1.entities, 5, "ann, bob, cy, acme.com, beta.org");
    // a chunk does not count the tenant's graph (that would cost what the tenant
    // holds); the totals are read live, and set on the job when it ends
    assert_eq!((after.entities, after.relationships), (0, 0));
    assert_eq!(store.graph_totals("acme").await.unwrap(), (d1.entities, d1.edges));
    store.commit_chunk(&lease, &c).await.unwrap();
    assert_eq!(store.digest("acme").await.unwrap(), d1, "repeating a chunk is a no-op on the memory");

    // another tenant's rows are its own
    let other = store.create_job(&new_job("globex")).await.unwrap();
    let other_lease = store.claim(&other.id, "host:1:c").await.unwrap();
    store.commit_chunk(&other_lease, &chunk("{}", false)).await.unwrap();
    assert_eq!(store.digest("acme").await.unwrap(), d1);
    assert_eq!(store.digest("globex").await.unwrap().content_sha256, d1.content_sha256, "same rows, other tenant");

    // a stale token writes nothing at all
    let stolen = store.requeue(&store.job(&job.id).await.unwrap(), "test: owner presumed dead", false).await.unwrap();
    assert_eq!(stolen.state, JobState::Pending);
    let new_lease = store.claim(&job.id, "host:3:d").await.unwrap();
    assert!(new_lease.token > lease.token, "tokens only grow");
    let mut c2 = chunk(r#"{"offset":20}"#, false);
    c2.ledger[0].message_id = "new@x".into();
    assert!(matches!(store.commit_chunk(&lease, &c2).await, Err(Error::LeaseLost { .. })));
    assert!(matches!(store.heartbeat(&lease).await, Err(Error::LeaseLost { .. })));
    assert!(matches!(store.finish(&lease, JobState::Completed, None).await, Err(Error::LeaseLost { .. })));
    assert_eq!(store.digest("acme").await.unwrap(), d1, "the stale owner wrote nothing");
    assert_eq!(store.job(&job.id).await.unwrap().cursor.as_deref(), Some(r#"{"offset":10}"#));

    // requeue is guarded by what we observed
    let seen = store.job(&job.id).await.unwrap();
    store.finish(&new_lease, JobState::Failed, Some("boom")).await.unwrap();
    let failed = store.job(&job.id).await.unwrap();
    assert_eq!((failed.state, failed.last_error.as_deref()), (JobState::Failed, Some("boom")));
    assert!(store.requeue(&seen, "stale view", false).await.is_err(), "a stale view cannot re-queue");
    store.requeue(&failed, "resumed from failed", false).await.unwrap();
    let l3 = store.claim(&job.id, "host:4:e").await.unwrap();
    store.commit_chunk(&l3, &chunk(r#"{"offset":30}"#, false)).await.unwrap();
    store.finish(&l3, JobState::Completed, None).await.unwrap();
    let done = store.job(&job.id).await.unwrap();
    assert_eq!(done.state, JobState::Completed);
    assert_eq!((done.entities, done.relationships), store.graph_totals("acme").await.unwrap());
    assert_eq!(done.entities, d1.entities);
    assert!(!done.has_more && done.finished_at.is_some() && done.lease_owner.is_none());

    let kinds: Vec<String> = store.events(&done).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["created", "claimed", "requeued", "claimed", "failed", "requeued", "claimed", "completed"]);
    let skipped = store.skipped(&done).await.unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].reason.as_deref(), Some("empty message"));

    let acme = store.jobs(&JobFilter { tenant: Some("acme".into()), ..Default::default() }).await.unwrap();
    assert_eq!(acme.len(), 1);
    let completed = store.jobs(&JobFilter { state: Some(JobState::Completed), ..Default::default() }).await.unwrap();
    assert_eq!(completed.len(), 1);
}

/// Claiming the next job, the reaper's moves, and cooperative pause / cancel.
async fn queue_story(store: &dyn Store) {
    assert!(store.claim_next(None, "w:1:a", &Capabilities::ALL).await.unwrap().is_none(), "nothing pending");
    let a = store.create_job(&new_job("acme")).await.unwrap();
    let b = store.create_job(&new_job("globex")).await.unwrap();
    assert!(
        store.claim_next(Some("initech"), "w:1:a", &Capabilities::ALL).await.unwrap().is_none(),
        "scoped by tenant"
    );
    let la = store.claim_next(None, "w:1:a", &Capabilities::ALL).await.unwrap().unwrap();
    assert_eq!(la.job_id, a.id, "oldest first");
    let lb = store.claim_next(Some("globex"), "w:1:b", &Capabilities::ALL).await.unwrap().unwrap();
    assert_eq!(lb.job_id, b.id);
    assert!(store.claim_next(None, "w:1:c", &Capabilities::ALL).await.unwrap().is_none(), "each job claimed once");

    // pause is asked of a running job and delivered by its heartbeat
    assert_eq!(store.heartbeat(&la).await.unwrap(), None);
    let asked = store.request_stop(&store.job(&a.id).await.unwrap(), JobState::Paused).await.unwrap();
    assert_eq!((asked.state, asked.requested_state), (JobState::Running, Some(JobState::Paused)));
    assert_eq!(store.heartbeat(&la).await.unwrap(), Some(JobState::Paused));
    store.finish(&la, JobState::Paused, Some("paused on request")).await.unwrap();
    let paused = store.job(&a.id).await.unwrap();
    assert_eq!((paused.state, paused.requested_state), (JobState::Paused, None));
    assert!(store.request_stop(&paused, JobState::Paused).await.is_err(), "already paused");

    // the reaper re-queues a silent owner's job, guarded by the token it saw
    let seen = store.job(&b.id).await.unwrap();
    let reaped = store.rescue(&seen, "no heartbeat for 3m", false).await.unwrap();
    assert_eq!((reaped.state, reaped.rescues, reaped.lease_owner.clone()), (JobState::Pending, 1, None));
    assert!(store.rescue(&seen, "again", false).await.is_err(), "a job that moved on is left alone");
    assert!(matches!(store.heartbeat(&lb).await, Err(Error::LeaseLost { .. })), "the old owner learns it lost the job");
    let lb2 = store.claim(&b.id, "w:2:a").await.unwrap();
    let failed = store.rescue(&store.job(&b.id).await.unwrap(), "gave up after 2 attempts", true).await.unwrap();
    assert_eq!((failed.state, failed.rescues), (JobState::Failed, 2));
    assert_eq!(failed.last_error.as_deref(), Some("gave up after 2 attempts"));
    assert!(store.heartbeat(&lb2).await.is_err());

    // a pending job is cancelled at once; a re-run rewinds the checkpoint
    let c = store.create_job(&new_job("acme")).await.unwrap();
    let cancelled = store.request_stop(&c, JobState::Cancelled).await.unwrap();
    assert_eq!(cancelled.state, JobState::Cancelled);
    let again = store.requeue(&cancelled, "resumed from cancelled", false).await.unwrap();
    let lc = store.claim(&again.id, "w:3:a").await.unwrap();
    store.commit_chunk(&lc, &chunk(r#"{"offset":5}"#, false)).await.unwrap();
    store.finish(&lc, JobState::Completed, None).await.unwrap();
    let rerun = store.requeue(&store.job(&c.id).await.unwrap(), "re-run", true).await.unwrap();
    assert_eq!(
        (rerun.state, rerun.cursor.clone(), rerun.has_more, rerun.processed, rerun.chunks),
        (JobState::Pending, None, true, 0, 0)
    );
}

/// Keys by provider and name, and embedders, per tenant.
async fn tenant_settings_story(store: &dyn Store) {
    use atom_sync::embed::EmbedderSpec;
    use atom_sync::keys::KeyName;
    let default = KeyName::new("openai", None).unwrap();
    let project = KeyName::new("OpenAI", Some("Project_Key")).unwrap();
    let sealed = |n: &[u8], c: &[u8]| atom_sync::keys::SealedKey {
        nonce: n.to_vec(),
        ciphertext: c.to_vec(),
        sealed_version: atom_sync::keys::SEALED_VERSION,
    };
    store.put_key("acme", &default, &sealed(b"n1", b"c1"), "sk-…0001").await.unwrap();
    store.put_key("acme", &project, &sealed(b"n2", b"c2"), "sk-…0002").await.unwrap();
    store.put_key("globex", &default, &sealed(b"n3", b"c3"), "sk-…0003").await.unwrap();
    assert_eq!(store.get_key("acme", &project).await.unwrap().unwrap().ciphertext, b"c2");
    assert_eq!(store.get_key("acme", &default).await.unwrap().unwrap().ciphertext, b"c1");
    let listed: Vec<(String, String)> =
        store.list_keys(Some("acme")).await.unwrap().into_iter().map(|k| (k.provider, k.name)).collect();
    assert_eq!(listed, [("openai".into(), "openai_api_key".into()), ("openai".into(), "project_key".into())]);
    assert!(store.remove_key("acme", &project).await.unwrap());
    assert!(store.get_key("acme", &project).await.unwrap().is_none());
    assert!(store.get_key("globex", &default).await.unwrap().is_some(), "tenant-scoped");

    assert_eq!(store.embedder("acme").await.unwrap(), None);
    let spec = EmbedderSpec::parse("openai:text-embedding-3-small", Some(512)).unwrap();
    store.set_embedder("acme", &spec).await.unwrap();
    assert_eq!(store.embedder("acme").await.unwrap(), Some(spec.clone()));
    assert_eq!(store.embedder("globex").await.unwrap(), None);
    store.set_embedder("acme", &EmbedderSpec::Local).await.unwrap();
    assert_eq!(store.list_embedders(None).await.unwrap(), [("acme".to_string(), EmbedderSpec::Local)]);
}

#[tokio::test]
async fn conformance_on_every_backend() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let store = env.store().await;
        assert_eq!(store.backend(), if backend == Backend::Sqlite { "sqlite" } else { "postgres" });
        story(store.as_ref()).await;
        let env = Env::new(backend).await;
        queue_story(env.store().await.as_ref()).await;
        tenant_settings_story(env.store().await.as_ref()).await;
        // migrations are idempotent: opening again is fine
        env.store().await;
    }
}

/// Keys stored before keys had names (migrations up to 0005) open after the upgrade,
/// under the default name and whatever case it is asked for in.
#[tokio::test]
async fn keys_stored_before_names_existed_still_open_after_the_upgrade() {
    use atom_sync::keys::{KeyName, MasterKey, lookup};
    use atom_sync::secret::Secret;
    for backend in backends() {
        let env = Env::unmigrated(backend).await;
        let engine = if backend == Backend::Sqlite { "sqlite" } else { "postgres" };
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(engine);
        let mut before = sqlx::migrate::Migrator::new(dir).await.unwrap();
        before.migrations = before.migrations.iter().filter(|m| m.version < 6).cloned().collect::<Vec<_>>().into();
        let master = MasterKey::load(Some(&"ab".repeat(32)), env.data_dir(), false).unwrap();
        let secret = Secret::new("sk-old-0123456789abcdef");
        // sealed as versions before 0007 did: tenant and provider as associated data
        let (nonce, ct) = {
            use chacha20poly1305::aead::{Aead, KeyInit, Payload};
            let cipher = chacha20poly1305::ChaCha20Poly1305::new(&[0xab; 32].into());
            let nonce = [7u8; 12];
            let aad = b"atom-sync:v1:acme:openai";
            let ct = cipher.encrypt(&nonce.into(), Payload { msg: secret.expose().as_bytes(), aad }).unwrap();
            (nonce.to_vec(), ct)
        };
        let insert = "INSERT INTO tenant_keys (tenant_id, provider, nonce, ciphertext, hint, created_at, updated_at)
                      VALUES ($1, 'openai', $2, $3, 'sk-…cdef', 1, 1)";
        match &env.database_url {
            None => {
                let opts = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(env.data_dir().join("atom-sync.db"))
                    .create_if_missing(true);
                let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
                before.run(&pool).await.unwrap();
                sqlx::query(insert).bind("acme").bind(&nonce).bind(&ct).execute(&pool).await.unwrap();
                pool.close().await;
            }
            Some(url) => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                before.run(&pool).await.unwrap();
                sqlx::query(insert).bind("acme").bind(&nonce).bind(&ct).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
        let store = env.store().await; // migrates the rest
        for (provider, name) in [("openai", None), ("OpenAI", Some("OPENAI_API_KEY"))] {
            let key = KeyName::new(provider, name).unwrap();
            assert_eq!(
                lookup(store.as_ref(), Ok(&master), "acme", &key, None).await.unwrap().require().unwrap().expose(),
                secret.expose()
            );
        }
        assert_eq!(store.list_keys(None).await.unwrap()[0].name, "openai_api_key");
    }
}
