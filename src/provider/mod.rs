//! The OpenAI-compatible provider of tenants that bring their own key: where it is,
//! which key a tenant's calls carry, and how fast this process may call it. Both the
//! LLM extraction and the OpenAI embedder go through here, so a key is looked up one
//! way only.

mod limit;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;

use crate::Result;
use crate::keys::{KeyName, KeyVault, MasterKey, TenantKey};
use crate::retry::{Failure, Policy};
use crate::secret::Secret;

pub use limit::RateLimiter;

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";
/// The provider name tenants' keys are stored under.
pub const PROVIDER: &str = "openai";

/// Where the provider is and how every call to it behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    pub base_url: String,
    /// The chat model for extraction.
    pub model: String,
    /// Chat requests in flight per chunk.
    pub concurrency: usize,
    /// Timeout of one chat or embedding request.
    pub timeout: Duration,
    /// Retries of chat and embedding calls (`--llm-max-retries`, `--llm-retry-base`).
    pub retry: Policy,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            base_url: DEFAULT_BASE_URL.into(),
            model: DEFAULT_MODEL.into(),
            concurrency: 8,
            timeout: Duration::from_secs(60),
            retry: Policy::default(),
        }
    }
}

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
    pub settings: Settings,
    /// Opens tenants' keys, or why this process cannot.
    pub master: std::result::Result<Arc<MasterKey>, String>,
    /// Which of a tenant's keys the calls carry.
    pub key_name: KeyName,
    /// The operator's own key for tenants without one: only when asked for explicitly.
    pub operator_key: Option<Secret>,
    pub limits: RateLimits,
    limiters: Mutex<HashMap<String, Arc<RateLimiter>>>,
}

impl Provider {
    pub fn new(
        settings: Settings,
        master: std::result::Result<Arc<MasterKey>, String>,
        key_name: KeyName,
        operator_key: Option<Secret>,
        limits: RateLimits,
    ) -> Self {
        Provider { settings, master, key_name, operator_key, limits, limiters: Mutex::new(HashMap::new()) }
    }

    /// The key a tenant's calls carry: [`crate::keys::lookup`] with this process's
    /// master key, key name and (when allowed) operator key.
    pub async fn key_for<V: KeyVault + ?Sized>(&self, vault: &V, tenant: &str) -> Result<TenantKey> {
        let master = self.master.as_deref().map_err(String::as_str);
        crate::keys::lookup(vault, master, tenant, &self.key_name, self.operator_key.as_ref()).await
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

/// Whether the provider takes `key`: one `GET /models` (`doctor`), nothing billed.
pub async fn answers(settings: &Settings, key: &Secret) -> std::result::Result<String, String> {
    let url = format!("{}/models", settings.base_url.trim_end_matches('/'));
    let http = reqwest::Client::builder()
        .connect_timeout(settings.timeout)
        .timeout(settings.timeout)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let resp = http
        .get(&url)
        .bearer_auth(key.expose())
        .send()
        .await
        .map_err(|e| scrub(&format!("{} did not answer: {e}", shown_url(&url)), key))?;
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    match status {
        200..=299 => Ok(format!(
            "{} answered with {} models",
            shown_url(&settings.base_url),
            body["data"].as_array().map_or(0, Vec::len)
        )),
        _ => Err(scrub(
            &format!(
                "{} refused: HTTP {status} {}",
                shown_url(&url),
                body["error"]["message"].as_str().unwrap_or_default()
            ),
            key,
        )),
    }
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
    let text = without_url_secrets(&text);
    let one: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(300).collect();
    one.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every URL in `text` without its query string or user-info: some deployments put a
/// key there (`?api-key=…`, `https://user:key@host`), and status tables are read by many.
pub fn without_url_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        // the scheme is the letters before "://"
        let start = rest[..i].rfind(|c: char| !c.is_ascii_alphanumeric() && c != '+' && c != '.' && c != '-');
        let start = start.map_or(0, |s| s + 1);
        out.push_str(&rest[..start]);
        let end = rest[i + 3..]
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '>' | ']'))
            .map_or(rest.len(), |e| i + 3 + e);
        out.push_str(&shown_url(&rest[start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// One URL as errors and status show it: scheme, host, port and path.
pub fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        // not a URL we can read: keep what cannot hold a secret
        Err(_) => url.split(['?', '#']).next().unwrap_or_default().rsplit('@').next().unwrap_or_default().to_string(),
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

    #[test]
    fn urls_in_provider_text_lose_their_query_and_user_info() {
        let key = Secret::new("sk-abcdefghijklmnop");
        let t = scrub(
            "error sending request for url (https://u:pw@llm.example.com/v1/chat?api-key=XYZ&v=2): timed out",
            &key,
        );
        assert_eq!(t, "error sending request for url (https://llm.example.com/v1/chat): timed out");
        assert_eq!(shown_url("http://h:8080/v1?key=1#f"), "http://h:8080/v1");
        assert_eq!(without_url_secrets("no url here"), "no url here");
    }
}
