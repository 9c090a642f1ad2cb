//! The OpenAI-compatible provider of tenants that bring their own key: where it is,
//! which key a tenant's calls carry, and how fast this process may call it. Both the
//! LLM extraction and the OpenAI embedder go through here, so a key is looked up one
//! way only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_openai::Client;
use async_openai::config::OpenAIConfig;

use crate::Result;
use crate::extract::llm::LlmSettings;
use crate::keys::{KeyName, MasterKey, Secret};
use crate::source::graph::retry::Failure;
use crate::store::Store;

/// The environment variable of the operator-wide key, read only with `--llm-operator-key`.
pub const OPERATOR_KEY_ENV: &str = "ATOM_SYNC_LLM_API_KEY";

/// Requests and tokens per minute this process sends for one key and model; `None` =
/// no limit beyond concurrency and the provider's own 429s.
#[derive(Debug, Clone, Copy, Default)]
pub struct RateLimits {
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u32>,
}

#[derive(Debug)]
pub struct Provider {
    pub settings: LlmSettings,
    /// Opens tenants' keys, or why this process cannot.
    pub master: std::result::Result<MasterKey, String>,
    /// Which of a tenant's keys the calls carry.
    pub key_name: KeyName,
    /// The operator's own key for tenants without one: only when asked for explicitly.
    pub operator_key: Option<Secret>,
    pub limits: RateLimits,
    limiters: Mutex<HashMap<String, Arc<RateLimiter>>>,
}

/// The key a tenant's calls carry, or why there is none.
#[derive(Debug, Clone)]
pub enum TenantKey {
    Own(Secret),
    Operator(Secret),
    /// No key this process can use: the tenant stored none (and no operator key was
    /// allowed), or this process has no master key to open it.
    Missing(String),
    /// A stored key that does not open (another master key, damaged).
    Unusable(String),
}

impl Provider {
    pub fn new(
        settings: LlmSettings,
        master: std::result::Result<MasterKey, String>,
        key_name: KeyName,
        operator_key: Option<Secret>,
        limits: RateLimits,
    ) -> Self {
        Provider { settings, master, key_name, operator_key, limits, limiters: Mutex::new(HashMap::new()) }
    }

    /// The tenant's own key (case-insensitive on provider and name); else the operator
    /// key when the operator allowed it; never a made-up one.
    pub async fn key_for(&self, store: &dyn Store, tenant: &str) -> Result<TenantKey> {
        let Some(sealed) = store.get_key(tenant, &self.key_name).await? else {
            if let Some(k) = &self.operator_key {
                return Ok(TenantKey::Operator(k.clone()));
            }
            return Ok(TenantKey::Missing(format!(
                "tenant {tenant} has no {} (atom-sync keys set --tenant {tenant} --provider {} --name {})",
                self.key_name, self.key_name.provider, self.key_name.name
            )));
        };
        let master = match &self.master {
            Ok(m) => m,
            // never the operator's key instead: a tenant with its own key pays for itself
            Err(why) => return Ok(TenantKey::Missing(format!("tenant {tenant} has a key, but {why}"))),
        };
        match master.open(tenant, &self.key_name.provider, &sealed.nonce, &sealed.ciphertext) {
            Ok(k) => Ok(TenantKey::Own(k)),
            Err(e) => Ok(TenantKey::Unusable(e.to_string())),
        }
    }

    /// The limiter of one key and model in this process (shared by its jobs).
    pub fn limiter(&self, owner: &str, model: &str) -> Option<Arc<RateLimiter>> {
        let RateLimits { requests_per_minute, tokens_per_minute } = self.limits;
        if requests_per_minute.is_none() && tokens_per_minute.is_none() {
            return None;
        }
        let mut all = self.limiters.lock().unwrap_or_else(|p| p.into_inner());
        let l = all
            .entry(format!("{owner}\u{0}{model}"))
            .or_insert_with(|| Arc::new(RateLimiter::new(requests_per_minute, tokens_per_minute)));
        Some(l.clone())
    }
}

/// An async-openai client for `base_url` carrying `key`, with our own HTTP client so
/// the timeout holds; nothing from this process's environment (OPENAI_ORG_ID, …) rides
/// along with a tenant's key.
pub fn client(base_url: &str, timeout: Duration, key: &Secret) -> std::result::Result<Client<OpenAIConfig>, String> {
    // reqwest 0.13 (async-openai's) is built without a TLS provider of its own: use
    // the ring provider the rest of the binary already carries
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest013::Client::builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    // an HTTP header cannot carry it; async-openai would panic building one
    if !key.expose().chars().all(|c| c.is_ascii_graphic()) {
        return Err("the key has characters an HTTP header cannot carry".into());
    }
    let config = OpenAIConfig::new()
        .with_api_base(base_url.trim_end_matches('/'))
        .with_api_key(key.expose())
        .with_org_id("")
        .with_project_id("");
    Ok(Client::build(http, config))
}

/// How a failed call to the provider reads to the retry policy (one mapping for chat
/// and embeddings); `answer` names what a success would have been.
pub fn failure_of(err: async_openai::error::OpenAIError, answer: &str, key: &Secret) -> Failure {
    use async_openai::error::OpenAIError;
    match err {
        OpenAIError::ApiError(api) => Failure::Status {
            status: api.status_code.as_u16(),
            code: api.api_error.code.clone().unwrap_or_default(),
            message: scrub(&api.api_error.message, key),
            retry_after: None,
        },
        // not the answer at all (a proxy's page, a wrong base URL): retried, never kept
        OpenAIError::JSONDeserialize(err, _) => {
            Failure::Transport(format!("the provider's answer is not {answer} ({err})"))
        }
        other => Failure::Transport(scrub(&other.to_string(), key)),
    }
}

/// Provider text as status, errors and logs may hold it: the key cut out (some
/// providers echo it in a 401), one line, no control characters (Postgres TEXT refuses
/// NUL), at most 300 characters.
pub fn scrub(text: &str, key: &Secret) -> String {
    let k = key.expose();
    let text = if k.len() >= 8 { text.replace(k, "***") } else { text.to_string() };
    let one: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(300).collect();
    one.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Requests and tokens per minute as two token buckets holding one second's worth.
/// A call waits until both are positive, then takes what it expects to spend; the
/// bucket may go into debt (a request larger than a second's worth still passes), and
/// the real cost is settled when the answer arrives.
#[derive(Debug)]
pub struct RateLimiter {
    requests: Option<Bucket>,
    tokens: Option<Bucket>,
}

impl RateLimiter {
    pub fn new(requests_per_minute: Option<u32>, tokens_per_minute: Option<u32>) -> Self {
        RateLimiter {
            requests: requests_per_minute.map(Bucket::per_minute),
            tokens: tokens_per_minute.map(Bucket::per_minute),
        }
    }

    /// Wait for room for one request expected to spend `tokens`.
    pub async fn acquire(&self, tokens: u64) {
        if let Some(b) = &self.requests {
            b.take(1.0).await;
        }
        if let Some(b) = &self.tokens {
            b.take(tokens as f64).await;
        }
    }

    /// The request spent `actual` tokens where `expected` were taken.
    pub fn settle(&self, expected: u64, actual: u64) {
        if let Some(b) = &self.tokens {
            b.add(expected as f64 - actual as f64);
        }
    }
}

#[derive(Debug)]
struct Bucket {
    per_sec: f64,
    capacity: f64,
    /// (level, when it was last refilled)
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    fn per_minute(n: u32) -> Self {
        let per_sec = n.max(1) as f64 / 60.0;
        let capacity = per_sec.max(1.0);
        Bucket { per_sec, capacity, state: Mutex::new((capacity, Instant::now())) }
    }

    fn refill(&self, s: &mut (f64, Instant), now: Instant) {
        s.0 = (s.0 + now.saturating_duration_since(s.1).as_secs_f64() * self.per_sec).min(self.capacity);
        s.1 = s.1.max(now);
    }

    /// Take `n` at `now`, or say how long until there is room.
    fn take_at(&self, n: f64, now: Instant) -> Option<Duration> {
        // a call needs the bucket at least this full (never more than it holds)
        let need = n.min(self.capacity);
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        self.refill(&mut s, now);
        if s.0 >= need {
            s.0 -= n;
            return None;
        }
        Some(Duration::from_secs_f64(((need - s.0) / self.per_sec).max(0.001)))
    }

    async fn take(&self, n: f64) {
        while let Some(wait) = self.take_at(n, Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }

    fn add_at(&self, n: f64, now: Instant) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        self.refill(&mut s, now);
        s.0 = (s.0 + n).min(self.capacity);
    }

    fn add(&self, n: f64) {
        self.add_at(n, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_text_loses_the_key_and_its_control_characters() {
        let key = Secret::new("sk-abcdefghijklmnop");
        let t = scrub("Incorrect API key provided: sk-abcdefghijklmnop.\n\0 next", &key);
        assert_eq!(t, "Incorrect API key provided: ***. next");
    }

    /// Take `n` from the bucket as soon as it allows, starting at `t` seconds.
    fn next(b: &Bucket, t0: Instant, t: &mut f64, n: f64) {
        loop {
            match b.take_at(n, t0 + Duration::from_secs_f64(*t)) {
                None => return,
                Some(wait) => *t += wait.as_secs_f64(),
            }
        }
    }

    #[test]
    fn requests_are_spread_to_the_rate() {
        let b = Bucket::per_minute(120); // 2 per second, a burst of 2
        let t0 = *b.state.lock().unwrap();
        let (t0, mut t) = (t0.1, 0.0);
        let mut at = Vec::new();
        for _ in 0..6 {
            next(&b, t0, &mut t, 1.0);
            at.push(t);
        }
        assert!(at[1] < 0.01 && (0.49..0.52).contains(&at[2]) && (1.99..2.02).contains(&at[5]), "{at:?}");
    }

    #[test]
    fn tokens_are_settled_with_what_was_spent() {
        let b = Bucket::per_minute(6000); // 100 tokens per second
        let t0 = b.state.lock().unwrap().1;
        let mut t = 0.0;
        next(&b, t0, &mut t, 100.0);
        b.add_at(100.0 - 400.0, t0); // it cost 300 more: 3 s of debt, then 1 s for the next
        next(&b, t0, &mut t, 100.0);
        assert!((3.99..4.02).contains(&t), "{t}");
        // a request bigger than a second's worth still passes once the bucket is full
        next(&b, t0, &mut t, 1000.0);
        assert!((4.99..5.02).contains(&t), "{t}");
    }
}
