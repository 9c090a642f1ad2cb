//! `verify`: reconcile the ledger, the vector table, the graph and the jobs of a
//! tenant, and repair in place what can be repaired. Checks are named (stable names
//! for scripts), counted, and shown with their first examples.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::Result;
use crate::email::Email;
use crate::embed::Embedder;
use crate::job::{Job, JobState};
use crate::sink::{LanceSink, VectorRecord};
use crate::source::{Item, SourceSpec};
use crate::store::{JobFilter, PROCESSED, Store};

/// Examples kept per finding.
pub const EXAMPLES: usize = 5;

/// Message ids per page when the ledger and the vectors are compared.
const PAGE: usize = 10_000;

#[derive(Debug, Clone)]
pub struct Scope {
    pub tenant: String,
    pub mailbox: Option<String>,
    /// Only this job's counters and source.
    pub job: Option<String>,
    /// Clients for reading sources back (`--against-source`, repair).
    pub sources: crate::source::Sources,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub count: usize,
    pub examples: Vec<String>,
    /// Whether `--repair` can fix it in place.
    pub repairable: bool,
    #[serde(skip)]
    all: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Checked {
    pub ledger: usize,
    pub vectors: usize,
    pub jobs: usize,
    pub source_messages: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tenant: String,
    pub clean: bool,
    pub checked: Checked,
    pub findings: Vec<Finding>,
}

impl Report {
    fn add(&mut self, check: &'static str, items: Vec<String>, repairable: bool) {
        if items.is_empty() {
            return;
        }
        self.findings.push(Finding {
            check,
            count: items.len(),
            examples: items.iter().take(EXAMPLES).cloned().collect(),
            repairable,
            all: items,
        });
    }

    pub fn finding(&self, check: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.check == check)
    }
}

/// The jobs whose rows the ledger holds now (each mailbox's latest writer), in scope.
async fn jobs_in_scope(store: &dyn Store, scope: &Scope) -> Result<Vec<Job>> {
    let mut jobs = store.jobs(&JobFilter { tenant: Some(scope.tenant.clone()), ..Default::default() }).await?;
    if let Some(id) = &scope.job {
        let job = store.job(id).await?;
        if job.tenant != scope.tenant {
            return Err(crate::Error::Invalid(format!(
                "job {} belongs to tenant {}, not {}",
                job.id, job.tenant, scope.tenant
            )));
        }
        jobs.retain(|j| j.id == job.id);
    }
    if let Some(m) = &scope.mailbox {
        jobs.retain(|j| &j.mailbox == m);
    }
    Ok(jobs)
}

pub async fn verify(store: &dyn Store, sink: &LanceSink, scope: &Scope, against_source: bool) -> Result<Report> {
    let t = scope.tenant.as_str();
    let jobs = jobs_in_scope(store, scope).await?;
    let mailbox =
        scope.mailbox.clone().or_else(|| scope.job.as_ref().and_then(|_| jobs.first().map(|j| j.mailbox.clone())));
    let in_scope = |m: &str| mailbox.as_deref().is_none_or(|want| want == m);
    let mut report = Report {
        tenant: t.to_string(),
        clean: true,
        checked: Checked { ledger: 0, vectors: 0, jobs: jobs.len(), source_messages: None },
        findings: Vec::new(),
    };

    // ledger against vectors. Vectors are keyed by tenant + message id (one per
    // message, however many mailboxes hold it; the row names the mailbox whose copy
    // wrote it last), so both sides are read tenant-wide and the scope only narrows
    // what is reported. Both are read page by page over the same ranges of ids, so
    // memory follows the page, not the tenant.
    let (mut missing, mut orphans, mut duplicates, mut foreign) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // rows without their passages' vectors (written before passages, or by hand):
    // search finds them by the message vector only
    let mut no_passages = Vec::new();
    // copies whose row says they wrote the vector while it names another mailbox:
    // `search --mailbox` asks for the others' vectors by id, and would miss these
    let mut unfindable = Vec::new();
    // per job: (processed, skipped) rows
    let mut counts: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    // per mailbox, the ids held (only to compare with the source, which is read whole)
    let mut held: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let slice = store.ledger_slice(t, after.as_deref(), PAGE).await?;
        let vectors = sink.rows_between(t, after.as_deref(), slice.through.as_deref()).await?;
        let anywhere_in_ledger: BTreeSet<&str> = slice.entries.iter().map(|l| l.message_id.as_str()).collect();
        let with_vector: BTreeSet<&str> = vectors.iter().map(|v| v.message_id.as_str()).collect();
        let named: BTreeSet<(&str, &str)> =
            vectors.iter().map(|v| (v.message_id.as_str(), v.mailbox.as_str())).collect();
        let mut processed: BTreeSet<&str> = BTreeSet::new();
        for l in slice.entries.iter().filter(|l| in_scope(&l.mailbox)) {
            report.checked.ledger += 1;
            let c = counts.entry(l.job_id.clone()).or_default();
            if l.status == PROCESSED {
                c.0 += 1;
                processed.insert(&l.message_id);
                let id = l.message_id.as_str();
                // (search asks by id for a copy other mailboxes also hold)
                let elsewhere = || {
                    let same = slice.entries.partition_point(|o| o.message_id.as_str() < id);
                    slice.entries[same..]
                        .iter()
                        .take_while(|o| o.message_id == l.message_id)
                        .any(|o| o.mailbox != l.mailbox && o.status == PROCESSED)
                };
                if l.vector_status == "written"
                    && with_vector.contains(id)
                    && !named.contains(&(id, l.mailbox.as_str()))
                    && !elsewhere()
                {
                    unfindable.push(format!("{}: {id}", l.mailbox));
                }
            } else {
                c.1 += 1;
            }
            if against_source {
                held.entry(l.mailbox.clone()).or_default().insert(l.message_id.clone());
            }
        }
        missing.extend(processed.iter().filter(|id| !with_vector.contains(**id)).map(|s| s.to_string()));
        let mut per_id: BTreeMap<&str, usize> = BTreeMap::new();
        for v in vectors.iter().filter(|v| in_scope(&v.mailbox)) {
            report.checked.vectors += 1;
            *per_id.entry(v.message_id.as_str()).or_default() += 1;
            if v.embedder != sink.embedder() {
                foreign.push(format!("{} ({})", v.message_id, v.embedder));
            } else if v.vectors.is_none() && anywhere_in_ledger.contains(v.message_id.as_str()) {
                no_passages.push(v.message_id.clone());
            }
        }
        orphans.extend(per_id.keys().filter(|id| !anywhere_in_ledger.contains(**id)).map(|s| s.to_string()));
        duplicates.extend(per_id.iter().filter(|(_, n)| **n > 1).map(|(id, n)| format!("{id} ({n} rows)")));
        match slice.through {
            Some(last) => after = Some(last),
            None => break,
        }
    }
    report.add("missing_vectors", missing, true);
    report.add("orphan_vectors", orphans, true);
    report.add("duplicate_vectors", duplicates, true);
    report.add("foreign_embedder_vectors", foreign, true);
    report.add("missing_passages", no_passages, true);
    report.add("unfindable_copies", unfindable, true);

    // the graph
    let g = store.graph_problems(t).await?;
    report.add("orphan_edges", g.orphan_edges, true);
    report.add("unsupported_nodes", g.unsupported_nodes, true);
    report.add("unsupported_edges", g.unsupported_edges, true);
    report.add("duplicate_nodes", g.duplicate_nodes, false);

    // jobs
    report.add(
        "completed_with_more",
        jobs.iter().filter(|j| j.state == JobState::Completed && j.has_more).map(|j| j.id.clone()).collect(),
        false,
    );
    // counters against the rows, for the job whose rows they are: each mailbox's
    // latest job (an older job's rows may since belong to a re-run)
    report.add(
        "counter_mismatch",
        latest_per_mailbox(&jobs)
            .into_iter()
            .filter(|j| j.state == JobState::Completed)
            .filter_map(|j| {
                let (p, s) = counts.get(j.id.as_str()).copied().unwrap_or_default();
                (p != j.processed || s != j.skipped).then(|| {
                    format!("{}: processed {} skipped {}, ledger {p} and {s}", j.short_id(), j.processed, j.skipped)
                })
            })
            .collect(),
        true,
    );

    if against_source {
        let mut in_source = 0;
        let mut missing = Vec::new();
        let mut extra = Vec::new();
        for job in latest_per_mailbox(&jobs) {
            let mut ids: BTreeSet<String> = BTreeSet::new();
            each_page(
                job,
                &scope.sources,
                |_| true,
                async |items| {
                    ids.extend(items.iter().map(item_id));
                    Ok(())
                },
            )
            .await?;
            in_source += ids.len();
            let held = held.get(&job.mailbox).cloned().unwrap_or_default();
            missing.extend(ids.difference(&held).map(|id| format!("{}: {id}", job.mailbox)));
            extra.extend(held.difference(&ids).map(|id| format!("{}: {id}", job.mailbox)));
        }
        report.checked.source_messages = Some(in_source);
        report.add("missing_from_ledger", missing, false);
        report.add("not_in_source", extra, false);
    }
    report.clean = report.findings.is_empty();
    Ok(report)
}

fn latest_per_mailbox(jobs: &[Job]) -> Vec<&Job> {
    let mut latest: BTreeMap<&str, &Job> = BTreeMap::new();
    for j in jobs {
        let e = latest.entry(j.mailbox.as_str()).or_insert(j);
        if j.created_at > e.created_at {
            *e = j;
        }
    }
    latest.into_values().collect()
}

fn item_id(i: &Item) -> String {
    match i {
        Item::Message(e) => e.message_id.clone(),
        Item::Skipped(r) => r.message_id.clone(),
    }
}

/// Read a job's whole source from the start, page by page, handing `each` the items
/// `keep` wants: memory follows the page, not the mailbox.
async fn each_page(
    job: &Job,
    sources: &crate::source::Sources,
    keep: impl Fn(&Item) -> bool,
    mut each: impl AsyncFnMut(Vec<Item>) -> Result<()>,
) -> Result<()> {
    let spec = match SourceSpec::parse(&job.source)? {
        // the mailbox as it is now: mail received after the job was created counts
        SourceSpec::Graph(g) => SourceSpec::Graph(crate::source::graph::GraphSpec { to_ms: None, ..g }),
        other => other,
    };
    let mut source = spec.open(None, job.max_body_bytes as usize, sources)?;
    loop {
        let page = source.next_page(job.chunk_size.max(1) as usize).await?;
        let items: Vec<Item> = page.items.into_iter().filter(|i| keep(i)).collect();
        if !items.is_empty() {
            each(items).await?;
        }
        if !page.has_more {
            return Ok(());
        }
    }
}

/// A running job writes vectors before its ledger rows: they would look orphaned.
/// Every job of the tenant counts, whatever the scope (vectors are tenant-wide).
async fn refuse_while_running(store: &dyn Store, scope: &Scope) -> Result<()> {
    let running = store
        .jobs(&JobFilter { tenant: Some(scope.tenant.clone()), state: Some(JobState::Running), limit: Some(1) })
        .await?;
    match running.first() {
        Some(j) => Err(crate::Error::JobState {
            job: j.id.clone(),
            why: "is running; repair once the tenant's jobs have ended (or pause them)".into(),
        }),
        None => Ok(()),
    }
}

/// Fix in place what `report` found and can be fixed; returns what was done. Run
/// `verify` again afterwards: repair is idempotent, and says what it could not fix.
pub async fn repair(
    store: &dyn Store,
    sink: &LanceSink,
    embedder: &dyn Embedder,
    scope: &Scope,
    report: &Report,
) -> Result<Vec<String>> {
    let t = scope.tenant.as_str();
    let mut done = Vec::new();
    let all = |check: &str| report.finding(check).map(|f| f.all.clone()).unwrap_or_default();
    let id_of = |s: &String| s.split(" (").next().unwrap_or(s).to_string();

    refuse_while_running(store, scope).await?;
    let jobs = jobs_in_scope(store, scope).await?;

    // vectors: rebuild what is missing, duplicated or foreign from the source first;
    // only then replace, so a source that is gone costs nothing already there
    let redo: Vec<String> = ["duplicate_vectors", "foreign_embedder_vectors", "missing_passages"]
        .into_iter()
        .flat_map(|check| all(check))
        .map(|s| id_of(&s))
        .collect();
    let wanted: BTreeSet<String> = all("missing_vectors").into_iter().chain(redo.iter().cloned()).collect();
    if !wanted.is_empty() {
        // a page at a time: embedded, its stale rows replaced, written
        let redo: BTreeSet<&str> = redo.iter().map(String::as_str).collect();
        let mut written = 0;
        for job in latest_per_mailbox(&jobs) {
            let keep = |i: &Item| matches!(i, Item::Message(e) if wanted.contains(&e.message_id));
            each_page(job, &scope.sources, keep, async |items| {
                let emails: Vec<Email> =
                    items.into_iter().filter_map(|i| if let Item::Message(e) = i { Some(e) } else { None }).collect();
                let vectors = crate::embed::embed_messages(embedder, &emails).await?;
                let records: Vec<VectorRecord> =
                    emails.iter().zip(vectors).map(|(e, v)| VectorRecord::of(t, &job.mailbox, e, v)).collect();
                let replace: Vec<String> = records
                    .iter()
                    .filter(|r| redo.contains(r.message_id.as_str()))
                    .map(|r| r.message_id.clone())
                    .collect();
                sink.delete(t, &replace).await?;
                written += sink.upsert(&records).await?;
                Ok(())
            })
            .await?;
        }
        done.push(format!("re-embedded {written} of {} messages from their source", wanted.len()));
    }
    let orphans = all("orphan_vectors");
    if !orphans.is_empty() {
        // what a chunk committed since the report is no orphan: look again right
        // before deleting, and not while a job of the tenant runs
        refuse_while_running(store, scope).await?;
        let held = store.ledger_holds(t, &orphans).await?;
        let orphans: Vec<String> = orphans.into_iter().filter(|id| !held.contains(id)).collect();
        sink.delete(t, &orphans).await?;
        done.push(format!("deleted {} orphan vectors", orphans.len()));
    }

    // copies that another mailbox's vector serves: say so, so search finds them
    let unfindable: Vec<(String, String)> = all("unfindable_copies")
        .iter()
        .filter_map(|s| s.split_once(": ").map(|(m, id)| (m.to_string(), id.to_string())))
        .collect();
    if !unfindable.is_empty() {
        let n = store.mark_shared(t, &unfindable).await?;
        done.push(format!("marked {n} copies as served by another mailbox's vector"));
    }

    // graph: drop what nothing supports
    if ["orphan_edges", "unsupported_nodes", "unsupported_edges"].iter().any(|c| report.finding(c).is_some()) {
        let removed = store.prune_graph(t).await?;
        done.push(format!(
            "removed {} orphan edges, {} unsupported nodes, {} unsupported edges",
            removed.orphan_edges.len(),
            removed.unsupported_nodes.len(),
            removed.unsupported_edges.len()
        ));
    }

    // counters: set from the ledger
    let mismatched = all("counter_mismatch");
    if !mismatched.is_empty() {
        // only the jobs found wrong: an older job whose rows a re-run took over keeps
        // the counters of its own run
        for job in jobs.iter().filter(|j| mismatched.iter().any(|m| m.starts_with(&format!("{}:", j.short_id())))) {
            store.recount(job).await?;
        }
        done.push(format!("recounted {} job(s) from the ledger", mismatched.len()));
    }
    Ok(done)
}
