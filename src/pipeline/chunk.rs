//! One chunk through every stage, as a sequence of named steps: partition the page →
//! removals → rules ∥ embeddings ∥ LLM → vectors → commit (DESIGN §3).

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use super::Pipeline;
use super::llm::{self, LlmChunk, LlmPath};
use crate::email::Email;
use crate::event::{ChunkSteps, Emitter, Event};
use crate::extract::{GraphWrite, resolve, rules};
use crate::job::{Job, Lease};
use crate::memory::Memory;
use crate::sink::VectorRecord;
use crate::source::{Item, Page};
use crate::store::{ChunkCommit, LedgerRow, PROCESSED, SHARED, SKIPPED, Store, SyncLink, WRITTEN};
use crate::{Error, Result};
use tracing::Instrument;

/// A page split into the messages to process and the ledger rows of those it skips.
#[derive(Debug, Default)]
pub(super) struct Partition {
    pub emails: Vec<Email>,
    pub skipped: Vec<LedgerRow>,
}

/// Step 1. Usable messages (a message repeated inside one page, as copies in an
/// export, is one message: embedded once, counted once, one ledger row) and the
/// rows of those the source could not use.
pub(super) fn partition(mailbox: &str, items: Vec<Item>) -> Partition {
    let mut out = Partition::default();
    let mut seen = HashSet::new();
    for item in items {
        match item {
            Item::Message(e) => {
                if seen.insert(e.message_id.clone()) {
                    out.emails.push(e);
                }
            }
            Item::Skipped(r) => out.skipped.push(LedgerRow {
                mailbox: mailbox.to_string(),
                message_id: r.message_id,
                source_id: None,
                content_hash: String::new(),
                status: SKIPPED.into(),
                reason: Some(r.reason),
                vector_status: SKIPPED.into(),
                graph_status: SKIPPED.into(),
                subject: None,
                sender: None,
                sent_at: None,
                source_ref: Some(r.source_ref),
                llm_status: None,
            }),
        }
    }
    out
}

/// The ledger rows of the processed messages, with each one's LLM status.
pub(super) fn processed_rows(mailbox: &str, emails: &[Email], llm: &LlmChunk) -> Vec<LedgerRow> {
    emails
        .iter()
        .enumerate()
        .map(|(i, e)| LedgerRow {
            llm_status: llm.results.get(i).and_then(|(_, s)| s.clone()),
            mailbox: mailbox.to_string(),
            message_id: e.message_id.clone(),
            source_id: e.source_id.clone(),
            content_hash: e.content_hash().to_string(),
            status: PROCESSED.into(),
            reason: e.body_truncated.then(|| "body truncated to the configured cap".to_string()),
            vector_status: WRITTEN.into(),
            graph_status: WRITTEN.into(),
            subject: Some(e.subject.clone()),
            sender: e.from.as_ref().map(|m| m.address.clone()),
            sent_at: e.date_ms,
            source_ref: Some(e.source_ref.clone()),
        })
        .collect()
}

/// The ledger rows of messages whose vector and graph support another mailbox's copy
/// of the same content wrote: this mailbox holds them too, and nothing is made again.
pub(super) fn shared_rows(mailbox: &str, emails: &[Email]) -> Vec<LedgerRow> {
    let mut rows = processed_rows(mailbox, emails, &LlmChunk::default());
    for r in &mut rows {
        r.vector_status = SHARED.into();
        r.graph_status = SHARED.into();
    }
    rows
}

/// A chunk's messages as copies: those to make, those another mailbox's copy made,
/// and which of the ones to make other mailboxes hold (their vector is rewritten).
#[derive(Default)]
struct Copies {
    emails: Vec<Email>,
    shared: Vec<Email>,
    taken_over: Vec<String>,
}

/// What the side-by-side stages produced.
struct Stages {
    vectors: Vec<crate::embed::MessageVectors>,
    graph: GraphWrite,
    llm: LlmChunk,
}

/// A chunk through its stages: its vectors are still to be written.
pub(super) struct Staged {
    commit: Arc<ChunkCommit>,
    pub steps: ChunkSteps,
    emails: Arc<Vec<Email>>,
    vectors: Vec<crate::embed::MessageVectors>,
}

/// A chunk whose vectors are written: what the store's transaction still has to make
/// permanent, and the step times so far.
pub(super) struct Prepared {
    commit: Arc<ChunkCommit>,
    pub steps: ChunkSteps,
}

impl Staged {
    /// What the store will be asked to commit (to pass over in the chunks after it).
    pub fn commit(&self) -> Arc<ChunkCommit> {
        self.commit.clone()
    }
}

/// The chunks handed on from their stages and not yet committed, oldest first: what
/// a page's stages pass over as committed, and what a commit must leave in place.
#[derive(Default)]
pub(super) struct InHand(std::sync::Mutex<VecDeque<Arc<ChunkCommit>>>);

impl InHand {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<ChunkCommit>>> {
        // the lock is never held across an await or a panic site: a poisoned one is whole
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn push(&self, chunk: Arc<ChunkCommit>) {
        self.lock().push_back(chunk);
    }

    pub fn all(&self) -> Vec<Arc<ChunkCommit>> {
        self.lock().iter().cloned().collect()
    }

    /// The oldest chunk committed: it is in the store now.
    fn committed(&self) {
        self.lock().pop_front();
    }

    /// Of `ids`, those whose vectors a later chunk writes: its upsert may already have
    /// replaced what an earlier chunk wrote under the same id.
    fn written_later(&self, ids: &[String]) -> HashSet<String> {
        let ids: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let in_hand = self.lock();
        let later = in_hand.iter().flat_map(|c| &c.ledger);
        later
            .filter(|r| r.vector_status == WRITTEN && ids.contains(r.message_id.as_str()))
            .map(|r| r.message_id.clone())
            .collect()
    }
}

/// Whether `page` may be staged while the chunks before it are still uncommitted.
/// Only a page that just adds messages: one that deletes (removals, a re-list's
/// reconcile, new versions of stored messages) reads what earlier chunks committed,
/// and the LLM path checks its token cap against the committed job, so those wait.
pub(super) fn may_overlap(page: &Page, path: &LlmPath) -> bool {
    page.removed.is_empty() && !page.reconcile && !page.replace && !matches!(path, LlmPath::On(..))
}

impl Pipeline {
    /// Steps 1-3 of one chunk: everything but its vectors and the commit. `ahead` are
    /// the chunks before it not yet committed, oldest first.
    pub(super) async fn stage(
        &self,
        lease: &Lease,
        job: &Job,
        page: Page,
        memory: &Memory,
        path: &mut LlmPath,
        ahead: &[Arc<ChunkCommit>],
    ) -> Result<Staged> {
        let started = Instant::now();
        if let (LlmPath::On(..), Some(cap)) = (&*path, job.llm_token_cap)
            && job.llm_tokens >= cap
        {
            path.pause(job, job.llm_tokens, cap, &self.events);
        }
        let Partition { emails, mut skipped } = partition(&job.mailbox, page.items);
        fault::panic_on(&emails);
        let (emails, skipped_now) = self.unseen(job, emails, std::mem::take(&mut skipped), ahead).await?;
        skipped = skipped_now;
        for r in &skipped {
            self.events.emit(Event::MessageSkipped {
                job_id: job.id.clone(),
                message_id: r.message_id.clone(),
                source_ref: r.source_ref.clone().unwrap_or_default(),
                reason: r.reason.clone().unwrap_or_default(),
            });
        }
        let removed = self.removals(job, &page.removed, page.reconcile, &skipped, &emails).await?;
        // a new version of a message that is now unusable keeps no old vector
        let unusable = skipped.iter().filter(|_| page.replace).map(|r| r.message_id.clone());
        let gone: Vec<String> = removed.iter().cloned().chain(unusable).collect();
        let gone = self.only_here(job, gone).await?;
        if !gone.is_empty() {
            // vectors first, as for upserts: a crash before the commit repeats the delete
            self.memories.delete_everywhere(&job.tenant, &gone).await?;
        }
        let (emails, unchanged) = self.unchanged(job, emails, page.replace).await?;
        let Copies { emails, shared, taken_over } = self.copies(job, emails).await?;
        // new versions replace their support; so do messages that are now unusable
        let replaced: Vec<String> = match page.replace {
            true => emails
                .iter()
                .map(|e| e.message_id.clone())
                .chain(skipped.iter().map(|r| r.message_id.clone()))
                .collect(),
            false => Vec::new(),
        };
        let emails = Arc::new(emails);
        let Stages { vectors, mut graph, llm } = self.stages(lease, job, memory, path, emails.clone()).await?;
        path.settle(job, &llm, &self.events);
        for (e, (x, _)) in emails.iter().zip(&llm.results) {
            if let Some(x) = x {
                resolve::apply(e, x, &mut graph);
            }
        }
        let stages_ms = millis(started);
        let mut ledger = std::mem::take(&mut skipped);
        ledger.extend(processed_rows(&job.mailbox, &emails, &llm));
        ledger.extend(shared_rows(&job.mailbox, &shared));
        ledger.extend(unchanged);
        let commit = ChunkCommit {
            cursor: page.cursor,
            has_more: page.has_more,
            ledger,
            graph,
            removed: removed.into_iter().map(|id| (job.mailbox.clone(), id)).collect(),
            taken_over,
            replaced,
            sync_links: page
                .sync_links
                .into_iter()
                .map(|(folder, link)| SyncLink { mailbox: job.mailbox.clone(), folder, link })
                .collect(),
            embedder: Some((memory.spec.stored_name(), memory.spec.dimensions().map(i64::from))),
            llm_status: path.status(),
            estimated_total: page.estimated_total,
            source_status: page.source_status,
        };
        let steps = ChunkSteps { stages_ms, ..Default::default() };
        Ok(Staged { commit: Arc::new(commit), steps, emails, vectors })
    }

    /// Step 4. One upsert of the chunk's vectors, before the commit: a crash after
    /// this repeats the chunk, and the upsert makes the repeat a no-op.
    pub(super) async fn write(&self, job: &Job, memory: &Memory, chunk: Staged) -> Result<Prepared> {
        let started = Instant::now();
        let Staged { commit, steps, emails, vectors } = chunk;
        let records: Vec<VectorRecord> =
            emails.iter().zip(vectors).map(|(e, v)| VectorRecord::of(&job.tenant, &job.mailbox, e, v)).collect();
        memory.sink.upsert(&records).await?;
        Ok(Prepared { commit, steps: ChunkSteps { vectors_ms: millis(started), ..steps } })
    }

    /// Step 1b. What this run already committed with the same content (a Message-ID
    /// repeated in the export, a resumed folder read again) is passed over: not
    /// embedded, extracted or counted again.
    async fn unseen(
        &self,
        job: &Job,
        emails: Vec<Email>,
        skipped: Vec<LedgerRow>,
        ahead: &[Arc<ChunkCommit>],
    ) -> Result<(Vec<Email>, Vec<LedgerRow>)> {
        // what the chunks before it carry counts as committed: they commit first
        let ahead: HashSet<(&str, &str, &str)> = ahead
            .iter()
            .flat_map(|c| &c.ledger)
            .map(|r| (r.mailbox.as_str(), r.message_id.as_str(), r.content_hash.as_str()))
            .collect();
        let pending = |mailbox: &str, id: &str, hash: &str| ahead.contains(&(mailbox, id, hash));
        let (emails, skipped): (Vec<Email>, Vec<LedgerRow>) = (
            emails.into_iter().filter(|e| !pending(&job.mailbox, &e.message_id, e.content_hash())).collect(),
            skipped.into_iter().filter(|r| !pending(&r.mailbox, &r.message_id, &r.content_hash)).collect(),
        );
        let keys: Vec<(String, String, String)> = emails
            .iter()
            .map(|e| (job.mailbox.clone(), e.message_id.clone(), e.content_hash().to_string()))
            .chain(skipped.iter().map(|r| (r.mailbox.clone(), r.message_id.clone(), r.content_hash.clone())))
            .collect();
        if keys.is_empty() {
            return Ok((emails, skipped));
        }
        let done = self.store.committed(job, &keys).await?;
        if done.is_empty() {
            return Ok((emails, skipped));
        }
        let seen = |id: &str| done.contains(&(job.mailbox.clone(), id.to_string()));
        Ok((
            emails.into_iter().filter(|e| !seen(&e.message_id)).collect(),
            skipped.into_iter().filter(|r| !seen(&r.message_id)).collect(),
        ))
    }

    /// Of `ids` leaving this mailbox, those no other mailbox of the tenant holds: their
    /// vectors go. The others' stay, for the mailboxes that still hold them.
    async fn only_here(&self, job: &Job, mut ids: Vec<String>) -> Result<Vec<String>> {
        if ids.is_empty() {
            return Ok(ids);
        }
        let held: HashSet<String> =
            self.store.held_elsewhere(&job.tenant, &job.mailbox, &ids).await?.into_iter().map(|(id, _)| id).collect();
        ids.retain(|id| !held.contains(id));
        Ok(ids)
    }

    /// Step 1c. Of a page of possibly new versions (`replace`: a delta round, the
    /// whole mailbox in the first `sync` after a backfill), the messages this mailbox
    /// already holds with the same content: their rows are written again (this job
    /// holds them now) as they stand, and nothing is embedded or extracted again.
    async fn unchanged(&self, job: &Job, emails: Vec<Email>, replace: bool) -> Result<(Vec<Email>, Vec<LedgerRow>)> {
        if !replace || emails.is_empty() {
            return Ok((emails, Vec::new()));
        }
        let ids: Vec<String> = emails.iter().map(|e| e.message_id.clone()).collect();
        let held: HashMap<String, LedgerRow> = self
            .store
            .ledger_rows(&job.tenant, &job.mailbox, &ids)
            .await?
            .into_iter()
            .filter(|r| r.status == PROCESSED)
            .map(|r| (r.message_id.clone(), r))
            .collect();
        let (mut same, mut rows) = (HashSet::new(), Vec::new());
        for e in &emails {
            if let Some(old) = held.get(&e.message_id).filter(|r| r.content_hash == e.content_hash()) {
                let mut row = processed_rows(&job.mailbox, std::slice::from_ref(e), &LlmChunk::default()).remove(0);
                row.vector_status.clone_from(&old.vector_status);
                row.graph_status.clone_from(&old.graph_status);
                row.llm_status.clone_from(&old.llm_status);
                rows.push(row);
                same.insert(e.message_id.clone());
            }
        }
        Ok((emails.into_iter().filter(|e| !same.contains(&e.message_id)).collect(), rows))
    }

    /// Step 1d. Of `emails`, the copies of messages another mailbox of the tenant
    /// already holds with the same content (the sender's Sent Items, each recipient's
    /// Inbox): set apart, so the message is embedded and extracted once. The vectors
    /// of the others, where other mailboxes hold them, are now this mailbox's, and
    /// the other copies' rows say so.
    async fn copies(&self, job: &Job, emails: Vec<Email>) -> Result<Copies> {
        if emails.is_empty() {
            return Ok(Copies { emails, ..Default::default() });
        }
        let ids: Vec<String> = emails.iter().map(|e| e.message_id.clone()).collect();
        let held = self.store.held_elsewhere(&job.tenant, &job.mailbox, &ids).await?;
        if held.is_empty() {
            return Ok(Copies { emails, ..Default::default() });
        }
        let same: HashSet<(&str, &str)> = held.iter().map(|(id, h)| (id.as_str(), h.as_str())).collect();
        let (shared, emails): (Vec<Email>, Vec<Email>) =
            emails.into_iter().partition(|e| same.contains(&(e.message_id.as_str(), e.content_hash())));
        let rewritten: HashSet<&str> = emails.iter().map(|e| e.message_id.as_str()).collect();
        let mut taken_over: Vec<String> =
            held.iter().filter(|(id, _)| rewritten.contains(id.as_str())).map(|(id, _)| id.clone()).collect();
        taken_over.sort();
        taken_over.dedup();
        Ok(Copies { emails, shared, taken_over })
    }

    /// Step 2. What this chunk deletes: the source's removals, except messages this
    /// job wrote again (moved to a folder read later in the run), and after a full
    /// re-list the mailbox's rows from this source the job did not write; never a
    /// message this chunk carries.
    async fn removals(
        &self,
        job: &Job,
        removed: &[String],
        reconcile: bool,
        skipped: &[LedgerRow],
        emails: &[Email],
    ) -> Result<Vec<String>> {
        // the source names its copies by its own ids; the ledger keys them tenant-wide
        let mut out: BTreeSet<String> = match removed.is_empty() {
            true => BTreeSet::new(),
            false => self.store.ledger_ids_of_sources(&job.tenant, &job.mailbox, removed).await?,
        };
        if !out.is_empty() {
            let candidates: Vec<String> = out.iter().cloned().collect();
            let again = self.store.ledger_written_by(&job.tenant, &job.mailbox, &job.id, &candidates).await?;
            out.retain(|id| !again.contains(id));
        }
        if reconcile {
            out.extend(self.store.ledger_not_written_by(&job.tenant, &job.mailbox, &job.id, "graph:").await?);
        }
        for id in emails.iter().map(|e| &e.message_id).chain(skipped.iter().map(|r| &r.message_id)) {
            out.remove(id);
        }
        Ok(out.into_iter().collect())
    }

    /// Step 3. Rules, embeddings and the LLM are independent: side by side. The LLM's
    /// spend is kept before anything else can fail the chunk, so what was paid for is
    /// kept and counted even if the embedder refuses.
    async fn stages(
        &self,
        lease: &Lease,
        job: &Job,
        memory: &Memory,
        path: &LlmPath,
        emails: Arc<Vec<Email>>,
    ) -> Result<Stages> {
        let for_rules = emails.clone();
        let (vectors, graph, llm) = tokio::join!(
            crate::embed::embed_messages(memory.embedder.as_ref(), &emails),
            tokio::task::spawn_blocking(move || {
                let mut g = GraphWrite::default();
                rules::extract(&for_rules, &mut g);
                g
            }),
            llm::extract(self.llm.as_deref(), self.store.as_ref(), job, path, &emails)
        );
        let llm = llm?;
        if !llm.memo.is_empty() || llm.tokens > 0 {
            self.store.put_llm_spend(lease, &llm.memo, llm.tokens).await?;
        }
        let vectors = vectors?;
        let graph = graph
            .map_err(|e| Error::Embed { name: "rules".into(), message: format!("extraction task failed: {e}") })?;
        Ok(Stages { vectors, graph, llm })
    }

    /// Step 5. One transaction with the checkpoint, then the progress event. A
    /// message the database refused is skipped (its vector goes too, unless a chunk
    /// still in hand writes one under its id); the rest stands. The chunk is the
    /// oldest of `in_hand`, and leaves it once committed.
    pub(super) async fn commit(
        &self,
        lease: &Lease,
        memory: &Memory,
        chunk: &Prepared,
        in_hand: &InHand,
    ) -> Result<Job> {
        let started = Instant::now();
        let in_chunk = chunk.commit.ledger.len();
        // on a task of its own: the later chunks' stages and vector upsert, on this
        // task, must not hold up this transaction's statements between its awaits.
        // Dropping it (pause, cancel, a lost lease) aborts the task and rolls the
        // transaction back
        let task = {
            let (store, events, lease, commit) =
                (self.store.clone(), self.events.clone(), lease.clone(), chunk.commit.clone());
            crate::task::Owned(tokio::spawn(
                async move { commit_retrying(store.as_ref(), &events, &lease, &commit).await }.in_current_span(),
            ))
        };
        let committed = task.await.map_err(|e| Error::Panic {
            job: lease.job_id.clone(),
            message: format!("the chunk's commit task failed: {e}"),
        })??;
        in_hand.committed();
        if !committed.refused.is_empty() {
            let ids: Vec<String> = committed.refused.iter().map(|r| r.message_id.clone()).collect();
            let mailbox = committed.job.mailbox.clone();
            let mut held: HashSet<String> =
                self.store.held_elsewhere(&lease.tenant, &mailbox, &ids).await?.into_iter().map(|(id, _)| id).collect();
            held.extend(in_hand.written_later(&ids));
            let ids: Vec<String> = ids.into_iter().filter(|id| !held.contains(id)).collect();
            memory.sink.delete(&lease.tenant, &ids).await?;
            for r in &committed.refused {
                self.events.emit(Event::MessageSkipped {
                    job_id: lease.job_id.clone(),
                    message_id: r.message_id.clone(),
                    source_ref: r.source_ref.clone().unwrap_or_default(),
                    reason: r.reason.clone(),
                });
            }
        }
        let updated = committed.job;
        self.events.emit(Event::ChunkCommitted {
            job_id: updated.id.clone(),
            chunk: updated.chunks,
            in_chunk,
            processed: updated.processed,
            skipped: updated.skipped,
            vectors: updated.vectors,
            has_more: updated.has_more,
            estimated_total: updated.estimated_total,
            steps: ChunkSteps { commit_ms: millis(started), ..chunk.steps },
        });
        Ok(updated)
    }
}

/// The commit, tried again a few times when the database drops the connection or
/// aborts the transaction (a killed backend, a deadlock): it is idempotent, and a
/// chunk whose vectors are written is worth more than a reconnect.
async fn commit_retrying(
    store: &dyn Store,
    events: &Emitter,
    lease: &Lease,
    commit: &ChunkCommit,
) -> Result<crate::store::Committed> {
    let mut wait = std::time::Duration::from_millis(200);
    for _ in 0..4 {
        match store.commit_chunk(lease, commit).await {
            Err(e) if e.fault() == crate::error::Fault::Transient && !matches!(e, Error::LeaseLost { .. }) => {
                events.emit(Event::Warning {
                    job_id: lease.job_id.clone(),
                    message: format!("{e}; committing the chunk again"),
                });
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            other => return other,
        }
    }
    store.commit_chunk(lease, commit).await
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Fault injection for the test suite, compiled into debug builds only.
mod fault {
    use crate::email::Email;

    /// `ATOM_SYNC_TEST_PANIC_ON=ID` makes a chunk holding a message whose id contains
    /// `ID` panic, as a bug would.
    #[cfg(debug_assertions)]
    pub fn panic_on(emails: &[Email]) {
        if let Ok(id) = std::env::var("ATOM_SYNC_TEST_PANIC_ON")
            && let Some(e) = emails.iter().find(|e| e.message_id.contains(&id))
        {
            panic!("injected panic at message {}", e.message_id);
        }
    }

    #[cfg(not(debug_assertions))]
    pub fn panic_on(_: &[Email]) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::{Rejected, parse_rfc822};

    #[test]
    fn a_refused_message_keeps_the_vector_a_later_chunk_in_hand_writes_under_its_id() {
        let raw = |id: &str, body: &str| format!("Message-ID: <{id}>\nFrom: a@x.com\nSubject: s\n\n{body}\n");
        let chunk = |mail: &[(&str, &str)]| {
            let emails: Vec<Email> =
                mail.iter().map(|(id, b)| parse_rfc822(raw(id, b).as_bytes(), id, 1000).unwrap()).collect();
            Arc::new(ChunkCommit {
                ledger: processed_rows("inbox", &emails, &LlmChunk::default()),
                ..Default::default()
            })
        };
        let in_hand = InHand::default();
        in_hand.push(chunk(&[("a@x", "first"), ("b@x", "first")]));
        in_hand.push(chunk(&[("b@x", "second version")]));
        let mut shared = chunk(&[("c@x", "copy")]);
        Arc::get_mut(&mut shared).unwrap().ledger[0].vector_status = SHARED.into();
        in_hand.push(shared);
        assert_eq!(in_hand.all().len(), 3, "the stages pass over every chunk in hand");
        // the oldest commits, and the store refused a, b and c
        in_hand.committed();
        let ids = ["a@x", "b@x", "c@x"].map(String::from);
        assert_eq!(
            in_hand.written_later(&ids),
            HashSet::from(["b@x".to_string()]),
            "only a vector a later chunk writes"
        );
        in_hand.committed();
        in_hand.committed();
        assert!(in_hand.all().is_empty() && in_hand.written_later(&ids).is_empty());
    }

    #[test]
    fn a_page_splits_into_unique_messages_and_skipped_rows() {
        let raw = |id: &str| format!("Message-ID: <{id}>\nFrom: a@x.com\nSubject: s\n\nbody {id}\n");
        let mail = |id: &str| Item::Message(parse_rfc822(raw(id).as_bytes(), id, 1000).unwrap());
        let bad = Item::Skipped(Rejected::new("broken:1", "f@9", "empty"));
        let p = partition("inbox", vec![mail("1@x"), bad, mail("2@x"), mail("1@x")]);
        let ids: Vec<&str> = p.emails.iter().map(|e| e.message_id.as_str()).collect();
        assert_eq!(ids, ["1@x", "2@x"], "a copy inside one page is one message");
        assert_eq!(p.skipped.len(), 1);
        let row = &p.skipped[0];
        assert_eq!(
            (row.status.as_str(), row.reason.as_deref(), row.mailbox.as_str()),
            ("skipped", Some("empty"), "inbox")
        );
        let rows = processed_rows("inbox", &p.emails, &LlmChunk::default());
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.status == "processed" && r.llm_status.is_none() && r.content_hash.len() == 64));
    }
}
