//! The one HTTP client for Microsoft Graph: app-only tokens, a timeout on every call,
//! a per-mailbox gate (at most `max_in_flight` requests, and `Retry-After` honoured
//! by every request to that mailbox), and the retry loop that [`super::retry`] steers.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use tokio::time::Instant;

use super::gate::{BUDGET_PERIOD, BUDGET_REQUESTS, Gate, GateStatus, Gates};
use crate::connection::{ClientCertificate, Credential};
use crate::retry::{Failure, Policy, parse_retry_after};
use crate::secret::Secret;
use crate::{Error, Result};

pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";
pub const DEFAULT_LOGIN_URL: &str = "https://login.microsoftonline.com";
pub use crate::connection::GLOBAL_SCOPE as SCOPE;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4;
/// Consecutive gateway timeouts on one request before the page size is halved.
const SHRINK_AFTER: u32 = 2;

/// Where Graph is and how to call it. `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct GraphConfig {
    /// The directory (Entra tenant) the app signs in to.
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub credential: Option<Credential>,
    pub graph_url: String,
    pub login_url: String,
    /// Connect + whole-response timeout of every call.
    pub timeout: Duration,
    /// Requests in flight per mailbox, across this process (at most; 429s lower it
    /// for a while).
    pub max_in_flight: usize,
    /// Requests per mailbox per period, across this process (Microsoft's budget).
    pub budget: (u32, Duration),
    pub retry: Policy,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            tenant_id: None,
            client_id: None,
            credential: None,
            graph_url: DEFAULT_GRAPH_URL.into(),
            login_url: DEFAULT_LOGIN_URL.into(),
            timeout: DEFAULT_TIMEOUT,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            budget: (BUDGET_REQUESTS, BUDGET_PERIOD),
            retry: Policy::default(),
        }
    }
}

impl GraphConfig {
    /// Whether this configuration can sign in at all.
    pub fn has_credentials(&self) -> bool {
        self.credentials().is_ok()
    }

    /// The credentials, or an error naming each missing setting.
    fn credentials(&self) -> Result<(&str, &str, &Credential)> {
        let missing: Vec<&str> = [
            (self.tenant_id.is_none(), "ATOM_SYNC_GRAPH_TENANT_ID (--graph-tenant-id)"),
            (self.client_id.is_none(), "ATOM_SYNC_GRAPH_CLIENT_ID (--graph-client-id)"),
            (self.credential.is_none(), "ATOM_SYNC_GRAPH_CLIENT_SECRET (--graph-client-secret)"),
        ]
        .into_iter()
        .filter_map(|(m, name)| m.then_some(name))
        .collect();
        match (&self.tenant_id, &self.client_id, &self.credential) {
            (Some(t), Some(c), Some(s)) => Ok((t, c, s)),
            _ => Err(Error::Invalid(format!("Microsoft Graph app credentials: {} not set", missing.join(", ")))),
        }
    }
}

/// One request, described for errors and the gate.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    pub mailbox: &'a str,
    /// What the call is for, as an operator reads it: `window 2026-08-01..2026-08-08`.
    pub what: &'a str,
    pub url: String,
    /// Extra `Prefer` values beyond the body type and id type every call asks for.
    pub prefer: Option<String>,
}

/// A call that failed for good.
#[derive(Debug)]
pub enum CallError {
    /// Graph (or the network) answered with a failure, after `attempts` tries.
    Failed { failure: Failure, attempts: u32 },
    /// No token: credentials missing or refused.
    Token(Error),
}

/// What went wrong, without the call's context (that is [`CallError::into_error`]'s).
impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Failed { failure, .. } => failure.fmt(f),
            CallError::Token(e) => e.fmt(f),
        }
    }
}

impl CallError {
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            CallError::Failed { failure, .. } => Some(failure),
            CallError::Token(_) => None,
        }
    }

    pub fn into_error(self, call: &Call<'_>) -> Error {
        match self {
            // the token is fetched for whichever mailbox asked first: name this one
            CallError::Token(Error::Graph { mailbox, context, message, transient }) if mailbox == "-" => {
                Error::Graph { mailbox: call.mailbox.to_string(), context, message, transient }
            }
            CallError::Token(e) => e,
            CallError::Failed { failure, attempts } => {
                let tries = if attempts > 1 { format!(" (gave up after {attempts} attempts)") } else { String::new() };
                Error::Graph {
                    mailbox: call.mailbox.to_string(),
                    context: call.what.to_string(),
                    message: format!("{failure}{tries}"),
                    transient: failure.retryable(),
                }
            }
        }
    }
}

struct Token {
    value: Secret,
    refresh_at: Instant,
}

pub struct GraphClient {
    cfg: GraphConfig,
    http: reqwest::Client,
    token: tokio::sync::Mutex<Option<Token>>,
    gates: Arc<Gates>,
    /// The certificate, parsed once, when the app signs in with one.
    cert: Option<ClientCertificate>,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient").field("cfg", &self.cfg).finish_non_exhaustive()
    }
}

impl GraphClient {
    /// A client with gates of its own (one client per process: the usual case).
    pub fn new(cfg: GraphConfig) -> Result<Self> {
        Self::with_gates(cfg, Arc::default())
    }

    /// A client sharing the process's mailbox gates with other clients.
    pub fn with_gates(cfg: GraphConfig, gates: Arc<Gates>) -> Result<Self> {
        let cert = match &cfg.credential {
            Some(Credential::Certificate(pem)) => Some(
                ClientCertificate::from_pem(pem.expose())
                    .map_err(|e| Error::Invalid(format!("Microsoft Graph app certificate: {e}")))?,
            ),
            _ => None,
        };
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.timeout)
            .timeout(cfg.timeout)
            .user_agent(concat!("atom-sync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Invalid(format!("Microsoft Graph: cannot build the HTTP client: {e}")))?;
        Ok(GraphClient { cfg, http, token: tokio::sync::Mutex::new(None), gates, cert })
    }

    pub fn config(&self) -> &GraphConfig {
        &self.cfg
    }

    /// Fail early, before any job is created, when credentials are missing.
    pub fn check_credentials(&self) -> Result<()> {
        self.cfg.credentials().map(|_| ())
    }

    /// GET a Graph URL as JSON, retrying what can be retried. `shrink` is asked for a
    /// replacement URL (a smaller page) after repeated gateway timeouts.
    pub async fn get_json(
        &self,
        call: &Call<'_>,
        shrink: Option<&mut (dyn FnMut() -> Option<String> + Send)>,
    ) -> std::result::Result<Value, CallError> {
        self.get(call, shrink, |body| serde_json::from_slice(body).map_err(|e| e.to_string())).await.map(|(v, _)| v)
    }

    /// GET a Graph URL and read its answer with `parse`, retrying what can be
    /// retried; an answer `parse` cannot read (cut short, not JSON) is retried like a
    /// transport failure. Returns what `parse` made, and whether the page was shrunk.
    pub async fn get<T>(
        &self,
        call: &Call<'_>,
        mut shrink: Option<&mut (dyn FnMut() -> Option<String> + Send)>,
        parse: impl Fn(&[u8]) -> std::result::Result<T, String>,
    ) -> std::result::Result<(T, bool), CallError> {
        let gate = self.gate(call.mailbox);
        let mut url = call.url.clone();
        let mut retries = 0u32;
        let mut gateway_timeouts = 0u32;
        let mut refreshed = false;
        let mut shrunk = false;
        loop {
            let failure = match self.attempt(&gate, call, &url).await {
                Ok(body) => match parse(&body) {
                    Ok(v) => return Ok((v, shrunk)),
                    Err(e) => {
                        Failure::Transport(format!("the response was not complete JSON ({e}), {} bytes", body.len()))
                    }
                },
                Err(Attempt::Unauthorized(_, used)) if !refreshed => {
                    // an expired or revoked token: one fresh token, then a real answer;
                    // only ours is dropped (another call may have refreshed it already)
                    refreshed = true;
                    let mut cached = self.token.lock().await;
                    if cached.as_ref().is_some_and(|t| t.value == used) {
                        *cached = None;
                    }
                    tracing::debug!(mailbox = call.mailbox, "401 from Graph: refreshing the token once");
                    continue;
                }
                Err(Attempt::Unauthorized(f, _)) | Err(Attempt::Failed(f)) => f,
                Err(Attempt::Token(e)) => return Err(CallError::Token(e)),
            };
            let Some(wait) = self.cfg.retry.next_wait(retries, &failure) else {
                return Err(CallError::Failed { failure, attempts: retries + 1 });
            };
            retries += 1;
            if failure.too_slow() {
                gateway_timeouts += 1;
                if gateway_timeouts >= SHRINK_AFTER
                    && let Some(smaller) = shrink.as_mut().and_then(|f| f())
                {
                    tracing::info!(mailbox = call.mailbox, what = call.what, "repeated 504s: asking for smaller pages");
                    url = smaller;
                    gateway_timeouts = 0;
                    shrunk = true;
                }
            } else {
                gateway_timeouts = 0;
            }
            tracing::warn!(
                mailbox = call.mailbox,
                what = call.what,
                retry = retries,
                wait_ms = wait.as_millis() as u64,
                "Graph call failed ({failure}); retrying"
            );
            if failure.status() == Some(429) {
                // throttled: fewer at once for a while, and with Retry-After every
                // request to the mailbox waits, not just this one
                gate.throttled(failure.retry_after().map(|_| wait));
                if failure.retry_after().is_none() {
                    tokio::time::sleep(wait).await;
                }
            } else if failure.retry_after().is_some() {
                gate.pause_until(Instant::now() + wait);
            } else {
                tokio::time::sleep(wait).await;
            }
        }
    }

    /// A mailbox's gate: per directory, since two customers may each have a
    /// `ceo@` mailbox.
    fn gate(&self, mailbox: &str) -> Arc<Gate> {
        let directory = self.cfg.tenant_id.as_deref().unwrap_or("-");
        self.gates.get(format!("{directory}/{}", mailbox.to_ascii_lowercase()), self.cfg.max_in_flight, self.cfg.budget)
    }

    /// How the mailbox's gate stands (concurrency now, throttling so far).
    pub fn gate_status(&self, mailbox: &str) -> GateStatus {
        self.gate(mailbox).status()
    }

    /// Sign in, and read one page of one mailbox when one is named (`doctor`).
    pub async fn probe(&self, mailbox: Option<&str>) -> Result<String> {
        let directory = self.cfg.tenant_id.as_deref().unwrap_or("-");
        // a token is all a sign-in check needs; it is never shown
        self.token().await.map_err(|e| match e {
            TokenError::Fatal(e) => e,
            TokenError::Retry(f) => Error::Graph {
                mailbox: "-".into(),
                context: format!("getting an app token for Graph tenant {directory}"),
                message: f.to_string(),
                transient: f.retryable(),
            },
        })?;
        let Some(mailbox) = mailbox else { return Ok(format!("signed in to directory {directory}")) };
        let mut u = url::Url::parse(&format!("{}/users", self.cfg.graph_url.trim_end_matches('/')))
            .map_err(|e| Error::Invalid(format!("Graph URL {:?}: {e}", self.cfg.graph_url)))?;
        u.path_segments_mut()
            .map_err(|_| Error::Invalid("Graph URL: not a base URL".into()))?
            .push(mailbox)
            .push("messages");
        u.query_pairs_mut().append_pair("$top", "1").append_pair("$select", "id");
        let call = Call { mailbox, what: "reading one page (doctor)", url: u.to_string(), prefer: None };
        self.get_json(&call, None).await.map_err(|e| e.into_error(&call))?;
        Ok(format!("signed in to directory {directory} and read a page of mailbox {mailbox}"))
    }

    /// Whether `url` is on the configured Graph (scheme, host and port): the bearer
    /// token is sent nowhere else, whatever link an answer hands us.
    pub fn is_graph(&self, url: &str) -> bool {
        let origin = |u: &str| url::Url::parse(u).map(|u| u.origin());
        matches!((origin(url), origin(&self.cfg.graph_url)), (Ok(a), Ok(b)) if a == b)
    }

    async fn attempt(&self, gate: &Gate, call: &Call<'_>, url: &str) -> std::result::Result<bytes::Bytes, Attempt> {
        if !self.is_graph(url) {
            return Err(Attempt::Token(Error::Graph {
                mailbox: call.mailbox.to_string(),
                context: call.what.to_string(),
                message: format!(
                    "refusing to follow a link to {} outside the configured Graph {}: the token goes nowhere else",
                    origin_of(url),
                    self.cfg.graph_url
                ),
                transient: false,
            }));
        }
        let token = self.token().await.map_err(|e| match e {
            TokenError::Fatal(e) => Attempt::Token(e),
            TokenError::Retry(f) => Attempt::Failed(f),
        })?;
        let _permit = gate.admit().await;
        let mut req = self
            .http
            .get(url)
            .bearer_auth(token.expose())
            .header("Prefer", "outlook.body-content-type=\"text\"")
            .header("Prefer", "IdType=\"ImmutableId\"");
        if let Some(p) = &call.prefer {
            req = req.header("Prefer", p.as_str());
        }
        tracing::trace!(mailbox = call.mailbox, what = call.what, "GET {}", path_of(url));
        let resp = req.send().await.map_err(|e| Attempt::Failed(transport(e)))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = resp.bytes().await.map_err(|e| Attempt::Failed(transport(e)))?;
        if status != 429 {
            gate.succeeded();
        }
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let (code, message) = graph_error(&body);
        let f = Failure::Status { status, code, message, retry_after };
        Err(if status == 401 { Attempt::Unauthorized(f, token) } else { Attempt::Failed(f) })
    }

    /// A cached token, refreshed shortly before it expires. One request: a failure
    /// that can be retried is retried by the caller's loop, with the call's budget.
    async fn token(&self) -> std::result::Result<Secret, TokenError> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref()
            && Instant::now() < t.refresh_at
        {
            return Ok(t.value.clone());
        }
        let fresh = self.fetch_token().await?;
        let value = fresh.value.clone();
        *cached = Some(fresh);
        Ok(value)
    }

    async fn fetch_token(&self) -> std::result::Result<Token, TokenError> {
        let (tenant, client, credential) = self.cfg.credentials().map_err(TokenError::Fatal)?;
        let url = format!("{}/{}/oauth2/v2.0/token", self.cfg.login_url.trim_end_matches('/'), tenant);
        // built in a block of its own: the serializer is not Send, and must not live
        // across the request's await
        let form = {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("client_id", client)
                .append_pair("scope", &crate::connection::scope_of(&self.cfg.graph_url))
                .append_pair("grant_type", "client_credentials");
            match (credential, &self.cert) {
                (Credential::Certificate(_), Some(cert)) => {
                    let assertion = cert.assertion(client, &url, crate::time::now_ms() / 1000).map_err(|e| {
                        TokenError::Fatal(Error::Graph {
                            mailbox: "-".into(),
                            context: format!("signing in to Graph tenant {tenant}, client {client}"),
                            message: e,
                            transient: false,
                        })
                    })?;
                    form.append_pair("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                        .append_pair("client_assertion", &assertion);
                }
                (Credential::Secret(secret), _) => {
                    form.append_pair("client_secret", secret.expose());
                }
                // parsed when the client was made: never reached, and never sent as a secret
                (Credential::Certificate(_), None) => {
                    return Err(TokenError::Fatal(Error::Invalid(
                        "Microsoft Graph app certificate: not parsed".into(),
                    )));
                }
            }
            form.finish()
        };
        let resp = self
            .http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .map_err(|e| TokenError::Retry(transport(e)))?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| TokenError::Retry(transport(e)))?;
        let json: Option<Value> = serde_json::from_slice(&body).ok();
        if !(200..300).contains(&status) {
            let field = |k: &str| json.as_ref().and_then(|j| j[k].as_str()).unwrap_or_default().to_string();
            let f = Failure::Status {
                status,
                code: field("error"),
                message: first_line(&field("error_description")),
                retry_after: None,
            };
            if f.retryable() {
                return Err(TokenError::Retry(f));
            }
            return Err(TokenError::Fatal(Error::Graph {
                mailbox: "-".into(),
                context: format!("getting an app token for Graph tenant {tenant}, client {client}"),
                message: f.to_string(),
                transient: false,
            }));
        }
        let json = json.ok_or_else(|| TokenError::Retry(Failure::Transport("token response was not JSON".into())))?;
        let value = json["access_token"]
            .as_str()
            .ok_or_else(|| TokenError::Retry(Failure::Transport("token response without access_token".into())))?;
        let lifetime = Duration::from_secs(json["expires_in"].as_u64().unwrap_or(3599));
        let margin = (lifetime / 10).min(Duration::from_secs(300));
        tracing::debug!(lifetime_s = lifetime.as_secs(), "got a Graph app token");
        Ok(Token { value: Secret::new(value), refresh_at: Instant::now() + lifetime - margin })
    }
}

enum Attempt {
    /// With the token that was refused.
    Unauthorized(Failure, Secret),
    Failed(Failure),
    Token(Error),
}

enum TokenError {
    Fatal(Error),
    Retry(Failure),
}

fn transport(e: reqwest::Error) -> Failure {
    // reqwest's Display of a request error includes the URL: keep the path only
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the response body was cut short"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(&e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() { Failure::Transport(what.into()) } else { Failure::Transport(format!("{what}: {detail}")) }
}

/// Graph's `{"error": {"code", "message"}}`, or the start of whatever came instead.
fn graph_error(body: &[u8]) -> (String, String) {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) if v["error"].is_object() => (
            v["error"]["code"].as_str().unwrap_or_default().to_string(),
            first_line(v["error"]["message"].as_str().unwrap_or_default()),
        ),
        _ => (String::new(), first_line(&String::from_utf8_lossy(&body[..body.len().min(200)]))),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().trim().to_string()
}

/// Scheme, host and port of a URL, for errors (never its path or query).
fn origin_of(url: &str) -> String {
    url::Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_else(|_| "an unreadable URL".into())
}

fn path_of(url: &str) -> &str {
    url.find("://").and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..])).unwrap_or(url)
}
