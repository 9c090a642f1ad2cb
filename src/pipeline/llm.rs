//! A job's LLM path: decided when the job starts (on with the tenant's key, off and
//! why), paused at the job's token cap, stopped for good by a refused key. Memoised
//! answers apply whatever state the path is in: what was paid for is never lost.

use std::collections::HashMap;
use std::sync::Arc;

use crate::Result;
use crate::email::Email;
use crate::event::{Emitter, Event};
use crate::extract::llm::{Answer, Extraction, LlmExtractor, LlmStop, Missed, PROMPT_VERSION};
use crate::job::Job;
use crate::keys::TenantKey;
use crate::provider::Provider;
use crate::store::{MemoRow, Store};

/// The LLM path of a job.
#[derive(Debug, Clone)]
pub(super) enum LlmPath {
    /// This process has no provider configured.
    Unconfigured,
    Off(String),
    /// The extractor, and whether it carries the operator's key (not the tenant's).
    On(Arc<LlmExtractor>, bool),
    /// The job's token cap is reached: no more calls in this job.
    Paused(String),
    Failed(String),
}

/// The ledger's LLM status of a message left for a re-run with a higher cap.
const PAUSED: &str = "paused: token cap reached";

/// How a memoised answer is kept: the extraction, or why there was none.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum MemoAnswer {
    Extraction(Extraction),
    Malformed(String),
}

/// The LLM side of one chunk.
#[derive(Default)]
pub(super) struct LlmChunk {
    /// Per email (same order): the extraction to apply, and the ledger status.
    pub results: Vec<(Option<Extraction>, Option<String>)>,
    pub memo: Vec<MemoRow>,
    pub tokens: i64,
    pub stop: Option<LlmStop>,
    /// Some messages were not asked: the job's token cap has no room left.
    pub over_budget: bool,
}

impl LlmPath {
    /// The job's path: on when the tenant has a key this process can open (or the
    /// operator allowed the operator's key).
    pub async fn decide(provider: Option<&Provider>, store: &dyn Store, job: &Job) -> Result<LlmPath> {
        let Some(p) = provider else { return Ok(LlmPath::Unconfigured) };
        let found = p.key_for(store, &job.tenant).await?;
        let (key, operator) = match found {
            TenantKey::Own(k) => (k, false),
            TenantKey::Operator(k) => (k, true),
            // a key sealed under another master key, or damaged: say so, go on without
            TenantKey::Unusable(why) => return Ok(LlmPath::Failed(why)),
            missing => return Ok(LlmPath::Off(missing.reason().unwrap_or_default())),
        };
        // rate limits are per key: the operator's is shared by every tenant using it
        let owner = if operator { "operator".to_string() } else { format!("tenant:{}", job.tenant) };
        let limiter = p.limiter(&owner, &p.settings.model);
        match LlmExtractor::new(p.settings.clone(), &key, limiter) {
            Ok(x) => Ok(LlmPath::On(Arc::new(x), operator)),
            Err(e) => Ok(LlmPath::Failed(format!("tenant {}: {e}", job.tenant))),
        }
    }

    /// As `status` and the job row show it.
    pub fn status(&self) -> Option<String> {
        match self {
            LlmPath::Unconfigured => None,
            LlmPath::Off(why) => Some(format!("off: {why}")),
            LlmPath::On(x, false) => Some(format!("on: model {}", x.model())),
            LlmPath::On(x, true) => Some(format!("on: model {}, the operator's key", x.model())),
            LlmPath::Paused(why) => Some(format!("paused: {why}")),
            LlmPath::Failed(why) => Some(format!("failed: {why}")),
        }
    }

    /// The job has used `used` of its `cap` tokens: no more calls in this job.
    pub fn pause(&mut self, job: &Job, used: i64, cap: i64, events: &Emitter) {
        let why = format!(
            "the job used {used} of its {cap} LLM tokens (--max-llm-tokens); re-run with a higher cap to extract the rest, memoised answers cost nothing"
        );
        events.emit(Event::Warning { job_id: job.id.clone(), message: format!("LLM extraction paused: {why}") });
        *self = LlmPath::Paused(why);
    }

    /// After a chunk's calls: pause at the cap, or stop for good on a refused key.
    pub fn settle(&mut self, job: &Job, chunk: &LlmChunk, events: &Emitter) {
        if let (true, Some(cap)) = (chunk.over_budget, job.llm_token_cap) {
            self.pause(job, job.llm_tokens + chunk.tokens, cap, events);
        }
        if let Some(stop) = &chunk.stop {
            let why = format!("tenant {}: {stop}", job.tenant);
            events.emit(Event::Warning {
                job_id: job.id.clone(),
                message: format!("LLM extraction stopped for {why}; vectors and the rule-based graph go on"),
            });
            *self = LlmPath::Failed(why);
        }
    }
}

/// A chunk's extractions: memoised answers first (whatever state the path is in); the
/// model only for unseen content, and only while the path is on.
pub(super) async fn extract(
    provider: Option<&Provider>,
    store: &dyn Store,
    job: &Job,
    path: &LlmPath,
    emails: &[Email],
) -> Result<LlmChunk> {
    let mut out = LlmChunk::default();
    let (Some(p), LlmPath::On(..) | LlmPath::Paused(_) | LlmPath::Failed(_)) = (provider, path) else {
        out.results = emails.iter().map(|_| (None, None)).collect();
        return Ok(out);
    };
    let model = p.settings.model.as_str();
    let hashes: Vec<String> = emails.iter().map(|e| e.content_hash().to_string()).collect();
    let memo = store.llm_memo(&job.tenant, model, PROMPT_VERSION, &hashes).await?;
    let misses: Vec<&Email> = emails.iter().filter(|e| !memo.contains_key(e.content_hash())).collect();
    let mut fresh: HashMap<&str, (Option<Extraction>, String)> = HashMap::new();
    if let (LlmPath::On(x, _), false) = (path, misses.is_empty()) {
        let budget = job.llm_token_cap.map(|cap| cap - job.llm_tokens);
        let batch = x.extract(&misses, budget).await;
        out.stop = batch.stop;
        out.over_budget = batch.over_budget;
        for (e, a) in misses.iter().zip(batch.answers) {
            let (kept, status, tokens) = match a {
                Ok(Answer::Extracted { extraction, tokens }) => {
                    (MemoAnswer::Extraction(extraction), "extracted".to_string(), tokens)
                }
                Ok(Answer::Malformed { reason, tokens }) => {
                    (MemoAnswer::Malformed(reason.clone()), format!("malformed: {reason}"), tokens)
                }
                Err(Missed::Message { why, tokens }) => {
                    out.tokens += tokens;
                    fresh.insert(e.content_hash(), (None, format!("failed: {why}")));
                    continue;
                }
                Err(Missed::OverBudget) => {
                    fresh.insert(e.content_hash(), (None, PAUSED.to_string()));
                    continue;
                }
                Err(Missed::Stopped(_)) => continue,
            };
            out.tokens += tokens;
            out.memo.push(MemoRow {
                content_hash: e.content_hash().to_string(),
                prompt_version: PROMPT_VERSION.into(),
                model: model.into(),
                answer: serde_json::to_string(&kept).unwrap_or_default(),
                tokens,
            });
            let extraction = match kept {
                MemoAnswer::Extraction(x) => Some(x),
                MemoAnswer::Malformed(_) => None,
            };
            fresh.insert(e.content_hash(), (extraction, status));
        }
    }
    let unasked = match path {
        LlmPath::Paused(_) => PAUSED,
        _ => "failed: the LLM path stopped",
    };
    out.results = emails
        .iter()
        .map(|e| match (memo.get(e.content_hash()), fresh.remove(e.content_hash())) {
            (Some(answer), _) => match serde_json::from_str::<MemoAnswer>(answer) {
                Ok(MemoAnswer::Extraction(x)) => (Some(x), Some("memoised".to_string())),
                Ok(MemoAnswer::Malformed(why)) => (None, Some(format!("malformed (memoised): {why}"))),
                Err(_) => (None, None),
            },
            (None, Some((x, status))) => (x, Some(status)),
            (None, None) => (None, Some(unasked.to_string())),
        })
        .collect();
    Ok(out)
}
