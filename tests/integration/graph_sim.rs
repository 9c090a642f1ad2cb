//! A Microsoft Graph simulator: a local HTTP server that speaks the documented
//! protocol (token endpoint, users, mail folders, messages with `$filter` windows /
//! `$orderby` / `$top` / `$select` / next links, delta with `@removed` and delta links)
//! in the JSON shapes of Microsoft's samples (`tests/data/graph/`), and misbehaves on
//! request: throttling, 5xx, hangs, truncated JSON, expired tokens and links. It logs
//! every request so tests can assert on waits, concurrency and parameters.
//!
//! Shared by the integration tests and `examples/graph_simulator.rs`; it runs on its
//! own thread and runtime, so a test may block on the binary meanwhile.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

pub const TENANT_ID: &str = "11111111-2222-3333-4444-555555555555";
pub const CLIENT_ID: &str = "66666666-7777-8888-9999-000000000000";
pub const CLIENT_SECRET: &str = "sim~Secret.Never-Log-This-7Qz";

/// One message as the mailbox holds it: the full Graph resource, and bookkeeping.
#[derive(Debug, Clone)]
pub struct SimMessage {
    pub id: String,
    pub folder: String,
    /// `receivedDateTime`, RFC 3339 UTC with second precision (as Graph writes it).
    pub received: String,
    pub resource: Value,
    /// The change counter when the message was last added or changed.
    pub version: u64,
}

#[derive(Debug, Clone)]
pub struct SimFolder {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Default)]
pub struct SimMailbox {
    /// The directory (Entra tenant) the mailbox belongs to: only its tokens read it.
    pub directory: String,
    pub folders: Vec<SimFolder>,
    /// In (receivedDateTime, id) order, as a listing sorts them: a `$filter` window is
    /// found by binary search, not by a scan of the mailbox per request.
    pub messages: Vec<SimMessage>,
    /// (id, folder, version) of deleted messages, for delta rounds.
    pub tombstones: Vec<(String, String, u64)>,
    /// A shared mailbox: its account is disabled (nobody signs in), the mailbox serves.
    pub disabled: bool,
}

/// An app registration in a directory, and how it proves itself.
#[derive(Debug, Clone)]
pub struct SimApp {
    pub client_id: String,
    pub secret: Option<String>,
    /// (x5t, the RSA public key as PKCS#1 DER) of the app's certificate.
    pub certificate: Option<(String, Vec<u8>)>,
}

/// What a matching request gets instead of its answer.
#[derive(Debug, Clone)]
pub enum FaultKind {
    Status {
        status: u16,
        code: String,
        retry_after: Option<String>,
    },
    /// Answer only after this long (past the client's timeout).
    Hang(Duration),
    /// A 200 whose body is cut in half (the connection closes early).
    Truncated,
    /// Every token issued so far expires now; this request gets the 401.
    ExpireToken,
    /// The real answer, but its `@odata.nextLink` replaced: by this URL, or (`None`)
    /// by the request's own URL, so paging would go round forever.
    NextLink(Option<String>),
}

#[derive(Debug, Clone)]
pub struct Fault {
    /// Substring of `path?query` (decoded) the request must contain.
    pub matches: String,
    /// Only requests asking for more than this many items per page (`$top`).
    pub top_over: Option<u32>,
    pub kind: FaultKind,
    /// How many more requests it hits.
    pub remaining: usize,
}

impl Fault {
    pub fn new(matches: &str, kind: FaultKind, times: usize) -> Self {
        Fault { matches: matches.into(), top_over: None, kind, remaining: times }
    }
    pub fn status(matches: &str, status: u16, times: usize) -> Self {
        Fault::new(matches, FaultKind::Status { status, code: String::new(), retry_after: None }, times)
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub mailbox: Option<String>,
    pub prefer: Vec<String>,
    pub started: Instant,
    pub finished: Option<Instant>,
    pub status: u16,
    /// Requests to the same mailbox in flight when this one arrived (itself included).
    pub in_flight: usize,
    seq: u64,
}

#[derive(Default)]
pub struct SimState {
    pub mailboxes: BTreeMap<String, SimMailbox>,
    /// Accounts of the default directory that have no mailbox here (guests, unlicensed
    /// users): `/users` lists them; their mail folders answer 404.
    pub accounts: Vec<Value>,
    pub faults: Vec<Fault>,
    pub log: Vec<Logged>,
    pub tokens: HashMap<String, Instant>,
    /// Which directory each token was issued for.
    pub token_directory: HashMap<String, String>,
    /// The directories (Entra tenants) and their apps; the default one is there from
    /// the start (`TENANT_ID`, `CLIENT_ID`, `CLIENT_SECRET`).
    pub directories: HashMap<String, SimApp>,
    pub token_lifetime: Duration,
    /// Every token handed out, expired or not.
    pub issued: Vec<String>,
    /// Bumped to expire every next link handed out so far.
    pub link_generation: u64,
    /// Bumped to expire every delta link handed out so far.
    pub delta_generation: u64,
    pub version: u64,
    /// Added to every Graph answer (to make concurrency observable).
    pub latency: Duration,
    /// Requests in flight per mailbox that Graph allows; one more gets a 429 with
    /// `Retry-After` (`retry_after` seconds), as Exchange Online answers.
    pub max_concurrent: Option<usize>,
    pub retry_after: u64,
    /// Answers sent gzip-compressed (the client asked for it).
    pub gzipped: usize,
    in_flight: HashMap<String, usize>,
    seq: u64,
}

#[derive(Clone)]
pub struct GraphSim {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<SimState>>,
}

impl GraphSim {
    /// Serve on 127.0.0.1 (`port` 0 = any) from a thread of its own.
    pub fn start(port: u16) -> GraphSim {
        let directories = HashMap::from([(
            TENANT_ID.to_string(),
            SimApp { client_id: CLIENT_ID.into(), secret: Some(CLIENT_SECRET.into()), certificate: None },
        )]);
        let state = Arc::new(Mutex::new(SimState {
            token_lifetime: Duration::from_secs(3599),
            directories,
            ..Default::default()
        }));
        let shared = state.clone();
        let addr = spawn_server(port, move |req| handle(shared.clone(), req));
        GraphSim { addr, state }
    }

    pub fn graph_url(&self) -> String {
        format!("http://{}/v1.0", self.addr)
    }

    pub fn login_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The env a process needs to use this simulator.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("ATOM_SYNC_GRAPH_TENANT_ID", TENANT_ID.into()),
            ("ATOM_SYNC_GRAPH_CLIENT_ID", CLIENT_ID.into()),
            ("ATOM_SYNC_GRAPH_CLIENT_SECRET", CLIENT_SECRET.into()),
            ("ATOM_SYNC_GRAPH_URL", self.graph_url()),
            ("ATOM_SYNC_LOGIN_URL", self.login_url()),
        ]
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut SimState) -> R) -> R {
        f(&mut lock(&self.state))
    }

    pub fn add_mailbox(&self, user: &str, folders: &[&str]) {
        self.add_mailbox_in(TENANT_ID, user, folders)
    }

    /// A mailbox of another customer's directory.
    pub fn add_mailbox_in(&self, directory: &str, user: &str, folders: &[&str]) {
        self.with(|s| {
            let mb = s.mailboxes.entry(user.to_lowercase()).or_default();
            mb.directory = directory.to_string();
            for f in folders {
                mb.folders.push(SimFolder { id: folder_id(f), name: f.to_string() });
            }
        })
    }

    /// A shared mailbox: listed with `accountEnabled: false`, served like any other.
    pub fn add_shared_mailbox(&self, user: &str, folders: &[&str]) {
        self.add_mailbox(user, folders);
        self.with(|s| s.mailboxes.get_mut(&user.to_lowercase()).expect("mailbox").disabled = true);
    }

    /// An account of the directory without a mailbox (`userType`, `mail`,
    /// `accountEnabled` as Graph lists them).
    pub fn add_account(&self, upn: &str, user_type: &str, mail: Option<&str>, enabled: bool) {
        self.with(|s| {
            s.accounts.push(json!({"id": uuid_for(upn), "userPrincipalName": upn, "mail": mail,
                "userType": user_type, "accountEnabled": enabled, "displayName": upn}))
        })
    }

    /// Put a message (a Graph resource with at least `id` and `receivedDateTime`) in a
    /// folder; an existing id is replaced (a change, for delta).
    pub fn put(&self, user: &str, folder: &str, resource: Value) {
        self.with(|s| {
            s.version += 1;
            let version = s.version;
            let mb = s.mailboxes.get_mut(&user.to_lowercase()).expect("mailbox");
            let folder = mb.folders.iter().find(|f| f.name == folder || f.id == folder).expect("folder").id.clone();
            let id = resource["id"].as_str().unwrap().to_string();
            let received = resource["receivedDateTime"].as_str().unwrap().to_string();
            let mut resource = resource;
            resource["parentFolderId"] = json!(folder);
            mb.messages.retain(|m| m.id != id);
            let at = mb.messages.partition_point(|m| (&m.received, &m.id) < (&received, &id));
            mb.messages.insert(at, SimMessage { id, folder, received, resource, version });
        })
    }

    pub fn remove(&self, user: &str, id: &str) {
        self.with(|s| {
            s.version += 1;
            let version = s.version;
            let mb = s.mailboxes.get_mut(&user.to_lowercase()).expect("mailbox");
            if let Some(i) = mb.messages.iter().position(|m| m.id == id) {
                let m = mb.messages.remove(i);
                mb.tombstones.push((m.id, m.folder, version));
            }
        })
    }

    /// Move a message to another folder, keeping its (immutable) id: the old folder's
    /// delta reports it deleted, the new one's reports it added.
    pub fn move_to(&self, user: &str, id: &str, folder: &str) {
        let resource = self.with(|s| {
            s.mailboxes[&user.to_lowercase()].messages.iter().find(|m| m.id == id).expect("message").resource.clone()
        });
        self.remove(user, id);
        self.put(user, folder, resource);
    }

    pub fn fault(&self, f: Fault) {
        self.with(|s| s.faults.push(f));
    }

    pub fn log(&self) -> Vec<Logged> {
        self.with(|s| s.log.clone())
    }

    pub fn clear_log(&self) {
        self.with(|s| s.log.clear());
    }

    /// The most requests ever in flight at once for one mailbox.
    pub fn max_in_flight(&self, user: &str) -> usize {
        let u = user.to_lowercase();
        self.log().iter().filter(|l| l.mailbox.as_deref() == Some(&u)).map(|l| l.in_flight).max().unwrap_or(0)
    }

    pub fn expire_tokens(&self) {
        self.with(|s| s.tokens.clear());
    }

    pub fn expire_next_links(&self) {
        self.with(|s| s.link_generation += 1);
    }

    pub fn expire_delta_links(&self) {
        self.with(|s| s.delta_generation += 1);
    }
}

/// The state, even after a panic elsewhere: one failed assertion must not turn every
/// later request into a closed connection.
fn lock(state: &Mutex<SimState>) -> std::sync::MutexGuard<'_, SimState> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

pub fn folder_id(name: &str) -> String {
    format!("AQMkAD{}AAA=", name.replace(' ', ""))
}

/// A Graph `message` resource in the shape of Microsoft's samples.
#[allow(clippy::too_many_arguments)]
pub fn message(
    id: &str,
    received: &str,
    subject: &str,
    from: (&str, &str),
    to: &[(&str, &str)],
    body: &str,
    internet_message_id: &str,
    conversation: &str,
) -> Value {
    let addr = |(name, address): (&str, &str)| json!({"emailAddress": {"name": name, "address": address}});
    json!({
        "@odata.type": "#microsoft.graph.message",
        "@odata.etag": format!("W/\"{id}\""),
        "id": id,
        "createdDateTime": received,
        "lastModifiedDateTime": received,
        "receivedDateTime": received,
        "sentDateTime": received,
        "hasAttachments": false,
        "internetMessageId": format!("<{internet_message_id}>"),
        "subject": subject,
        "bodyPreview": body.chars().take(255).collect::<String>(),
        "importance": "normal",
        "conversationId": conversation,
        "isRead": false,
        "body": {"contentType": "text", "content": body},
        "sender": addr(from),
        "from": addr(from),
        "toRecipients": to.iter().map(|t| addr(*t)).collect::<Vec<_>>(),
        "ccRecipients": [],
        "bccRecipients": [],
        "replyTo": [],
        "flag": {"flagStatus": "notFlagged"}
    })
}

/// A request as read off the wire.
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Announce the whole body, send half, close: a response cut short.
    cut: bool,
}

impl Response {
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// Serve `handler` on 127.0.0.1 (`port` 0 = any) from a thread and runtime of its
/// own, so a test may block on the binary meanwhile.
pub fn spawn_server<H, F>(port: u16, handler: H) -> SocketAddr
where
    H: Fn(Req) -> F + Clone + Send + Sync + 'static,
    F: std::future::Future<Output = Response> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let Ok((sock, _)) = listener.accept().await else { continue };
                tokio::spawn(connection(sock, handler.clone()));
            }
        });
    });
    rx.recv().unwrap()
}

/// HTTP/1.1 with keep-alive, just enough for reqwest: request line, headers,
/// `Content-Length` bodies.
async fn connection<H, F>(sock: tokio::net::TcpStream, handler: H)
where
    H: Fn(Req) -> F,
    F: std::future::Future<Output = Response>,
{
    let (r, mut w) = sock.into_split();
    let mut reader = BufReader::new(r);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else { return };
        let (method, target) = (method.to_string(), target.to_string());
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let len = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()),
            None => (target.clone(), BTreeMap::new()),
        };
        let resp = handler(Req { method, path, query, headers, body }).await;
        let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
        for (k, v) in &resp.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\n\r\n", resp.body.len()));
        let body = if resp.cut { &resp.body[..resp.body.len() / 2] } else { &resp.body[..] };
        if w.write_all(head.as_bytes()).await.is_err() || w.write_all(body).await.is_err() || resp.cut {
            let _ = w.shutdown().await;
            return;
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

async fn handle(state: Arc<Mutex<SimState>>, req: Req) -> Response {
    let query = req.query.clone();
    let path = req.path.clone();
    let method = req.method.clone();
    let mailbox = mailbox_of(&path);
    let started = Instant::now();
    let (seq, fault, latency) = {
        let mut s = lock(&state);
        s.seq += 1;
        let seq = s.seq;
        let in_flight = match &mailbox {
            Some(m) => {
                let n = s.in_flight.entry(m.clone()).or_default();
                *n += 1;
                *n
            }
            None => 0,
        };
        s.log.push(Logged {
            method: method.to_string(),
            path: path.clone(),
            query: query.clone(),
            mailbox: mailbox.clone(),
            prefer: req.headers_named("prefer").map(String::from).collect(),
            started,
            finished: None,
            status: 0,
            in_flight,
            seq,
        });
        let decoded = format!("{path}?{}", query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"));
        let top: u32 = query.get("$top").and_then(|t| t.parse().ok()).unwrap_or(10);
        let fault = s
            .faults
            .iter_mut()
            .find(|f| f.remaining > 0 && decoded.contains(&f.matches) && f.top_over.is_none_or(|max| top > max))
            .map(|f| {
                f.remaining -= 1;
                f.kind.clone()
            });
        // a request past the mailbox's concurrency limit is throttled at once
        let over = mailbox.is_some() && s.max_concurrent.is_some_and(|max| in_flight > max);
        let fault = match over {
            true => Some(FaultKind::Status {
                status: 429,
                code: "ApplicationThrottled".into(),
                retry_after: Some(s.retry_after.to_string()),
            }),
            false => fault,
        };
        (seq, fault, s.latency)
    };
    let response = match fault {
        Some(FaultKind::Hang(d)) => {
            tokio::time::sleep(d).await;
            route(&state, &req)
        }
        Some(FaultKind::Status { status, code, retry_after }) => {
            let mut r = error(status, if code.is_empty() { default_code(status) } else { &code }, "injected");
            if let Some(after) = retry_after {
                r.headers.push(("retry-after".into(), after));
            }
            r
        }
        Some(FaultKind::Truncated) => Response { cut: true, ..route(&state, &req) },
        Some(FaultKind::NextLink(to)) => {
            let mut r = route(&state, &req);
            if let Ok(mut doc) = serde_json::from_slice::<Value>(&r.body) {
                let own = || {
                    let host = req.header("host").unwrap_or("localhost");
                    let q: Vec<(String, String)> = req.query.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                    link(&format!("http://{host}"), &req.path, &q)
                };
                doc["@odata.nextLink"] = json!(to.unwrap_or_else(own));
                r.body = doc.to_string().into_bytes();
            }
            r
        }
        Some(FaultKind::ExpireToken) => {
            lock(&state).tokens.clear();
            error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
        }
        None => route(&state, &req),
    };
    let response = gzip_if_asked(&state, &req, response);
    // the answer takes `latency` in all, the simulator's own work included, as a
    // server that answers in that time
    if !latency.is_zero() && mailbox.is_some() {
        tokio::time::sleep_until((started + latency).into()).await;
    }
    let mut s = lock(&state);
    if let Some(m) = &mailbox
        && let Some(n) = s.in_flight.get_mut(m)
    {
        *n = n.saturating_sub(1);
    }
    // the log may have been cleared meanwhile (a test between two runs)
    if let Some(entry) = s.log.iter_mut().rev().find(|l| l.seq == seq) {
        entry.finished = Some(Instant::now());
        entry.status = response.status();
    }
    response
}

fn route(state: &Arc<Mutex<SimState>>, req: &Req) -> Response {
    let (path, query) = (req.path.as_str(), &req.query);
    let mut s = lock(state);
    if req.method == "POST" && path.ends_with("/oauth2/v2.0/token") {
        return token(&mut s, path, &req.body, req.header("host").unwrap_or("localhost"));
    }
    // every Graph call needs a live token
    let bearer = req.header("authorization").and_then(|v| v.strip_prefix("Bearer "));
    let live = bearer.and_then(|t| s.tokens.get(t)).is_some_and(|exp| *exp > Instant::now());
    if !live {
        return error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.");
    }
    let directory = bearer.and_then(|t| s.token_directory.get(t)).cloned().unwrap_or_default();
    let base = format!("http://{}", req.header("host").unwrap_or("localhost"));
    let parts: Vec<String> = path
        .trim_start_matches("/v1.0/")
        .split('/')
        .map(|p| {
            url::form_urlencoded::parse(format!("x={}", p.replace('+', "%2B")).as_bytes())
                .next()
                .unwrap()
                .1
                .into_owned()
        })
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    match parts.as_slice() {
        ["users"] => users(&s, &directory, query, &base, path),
        ["users", user, rest @ ..] => {
            let user = user.to_lowercase();
            let gen_link = s.link_generation;
            let gen_delta = s.delta_generation;
            let version = s.version;
            // another directory's token does not see this directory's users
            let Some(mb) = s.mailboxes.get(&user).filter(|mb| mb.directory == directory) else {
                let known = directory == TENANT_ID
                    && s.accounts
                        .iter()
                        .any(|a| a["userPrincipalName"].as_str().is_some_and(|u| u.eq_ignore_ascii_case(&user)));
                if known {
                    // what Exchange Online answers for an account with no mailbox in it
                    return error(
                        404,
                        "MailboxNotEnabledForRESTAPI",
                        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
                    );
                }
                return error(404, "ErrorInvalidUser", &format!("The requested user '{user}' is invalid."));
            };
            match rest {
                ["messages"] => list(mb, None, query, &base, path, gen_link),
                ["mailFolders"] => folders(mb),
                ["mailFolders", _, "childFolders"] => json_response(200, json!({"value": []}).to_string()),
                ["mailFolders", f, "messages"] => match resolve(mb, f) {
                    Some(f) => list(mb, Some(&f), query, &base, path, gen_link),
                    None => error(404, "ErrorItemNotFound", "The specified object was not found in the store."),
                },
                ["mailFolders", f, "messages", "delta"] => match resolve(mb, f) {
                    Some(f) => delta(mb, &f, query, req, &base, path, gen_delta, version),
                    None => error(404, "ErrorItemNotFound", "The specified object was not found in the store."),
                },
                _ => error(400, "BadRequest", &format!("Resource not found for the segment '{}'.", rest.join("/"))),
            }
        }
        _ => error(400, "BadRequest", "Invalid request."),
    }
}

fn token(s: &mut SimState, path: &str, body: &[u8], host: &str) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let directory = path.trim_start_matches('/').split('/').next().unwrap_or_default().to_string();
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    if get("grant_type") != "client_credentials" || get("scope") != "https://graph.microsoft.com/.default" {
        return json_response(
            400,
            json!({"error": "invalid_scope", "error_description": "AADSTS70011: The provided value for the input parameter 'scope' is not valid."}).to_string(),
        );
    }
    let refused =
        |why: &str| json_response(401, json!({"error": "invalid_client", "error_description": why}).to_string());
    let Some(app) = s.directories.get(&directory).filter(|a| a.client_id == get("client_id")).cloned() else {
        return refused("AADSTS700016: Application not found in the directory.");
    };
    let proven = if let Some(assertion) = form.get("client_assertion") {
        let audience = format!("http://{host}{path}");
        match (&app.certificate, get("client_assertion_type")) {
            (Some((x5t, key)), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") => {
                verify_assertion(assertion, x5t, key, &app.client_id, &audience)
            }
            _ => Err("AADSTS700027: Client assertion contains an invalid signature.".to_string()),
        }
    } else {
        match &app.secret {
            Some(secret) if get("client_secret") == secret => Ok(()),
            _ => Err("AADSTS7000215: Invalid client secret provided.".to_string()),
        }
    };
    if let Err(why) = proven {
        return refused(&why);
    }
    let token = format!("eyJ0eXAiOiJKV1Qi.sim-{}-{}", s.issued.len() + 1, uuid::Uuid::new_v4().simple());
    s.tokens.insert(token.clone(), Instant::now() + s.token_lifetime);
    s.token_directory.insert(token.clone(), directory);
    s.issued.push(token.clone());
    json_response(
        200,
        json!({"token_type": "Bearer", "expires_in": s.token_lifetime.as_secs(), "ext_expires_in": s.token_lifetime.as_secs(), "access_token": token})
            .to_string(),
    )
}

fn users(s: &SimState, directory: &str, query: &BTreeMap<String, String>, base: &str, path: &str) -> Response {
    let all: Vec<Value> = s
        .mailboxes
        .iter()
        .filter(|(_, mb)| mb.directory == directory)
        .map(|(u, mb)| {
            json!({"id": uuid_for(u), "userPrincipalName": u, "mail": u, "displayName": u,
                "userType": "Member", "accountEnabled": !mb.disabled})
        })
        .chain(std::iter::once(json!({"id": uuid_for("room"), "userPrincipalName": "room@sim.test", "mail": null})))
        .chain(s.accounts.iter().filter(|_| directory == TENANT_ID).cloned())
        .collect();
    page_of(all, Value::clone, query, base, path, 0, "https://graph.microsoft.com/v1.0/$metadata#users")
}

fn folders(mb: &SimMailbox) -> Response {
    let value: Vec<Value> = mb
        .folders
        .iter()
        .map(|f| {
            let n = mb.messages.iter().filter(|m| m.folder == f.id).count();
            json!({"id": f.id, "displayName": f.name, "parentFolderId": "AQMkADroot", "childFolderCount": 0,
                   "unreadItemCount": 0, "totalItemCount": n})
        })
        .collect();
    json_response(
        200,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#mailFolders", "value": value}).to_string(),
    )
}

fn resolve(mb: &SimMailbox, f: &str) -> Option<String> {
    mb.folders.iter().find(|x| x.id == f || x.name.replace(' ', "").eq_ignore_ascii_case(f)).map(|x| x.id.clone())
}

/// `GET …/messages`: `$filter` on receivedDateTime (ge/gt/le/lt joined by `and`),
/// `$orderby` (default newest first, as Graph), `$top` (default 10, at most 1000),
/// `$select`, and next links with a `$skiptoken`.
fn list(
    mb: &SimMailbox,
    folder: Option<&str>,
    query: &BTreeMap<String, String>,
    base: &str,
    path: &str,
    generation: u64,
) -> Response {
    // the window's bounds in the sorted mailbox, then the folder within it
    let (mut lo, mut hi) = (0, mb.messages.len());
    if let Some(filter) = query.get("$filter") {
        for clause in filter.split(" and ") {
            let t: Vec<&str> = clause.split_whitespace().collect();
            let [field, op, value] = t.as_slice() else {
                return error(400, "BadRequest", &format!("Invalid filter clause {clause:?}"));
            };
            if *field != "receivedDateTime" {
                return error(400, "BadRequest", &format!("The property '{field}' does not support filtering."));
            }
            let first = |keep: &dyn Fn(&str) -> bool| mb.messages.partition_point(|m| !keep(&m.received));
            match *op {
                "ge" => lo = lo.max(first(&|r| r >= *value)),
                "gt" => lo = lo.max(first(&|r| r > *value)),
                "le" => hi = hi.min(first(&|r| r > *value)),
                "lt" => hi = hi.min(first(&|r| r >= *value)),
                _ => (lo, hi) = (0, 0),
            }
        }
    }
    let window = mb.messages.get(lo..hi.max(lo)).unwrap_or_default();
    let mut msgs: Vec<&SimMessage> = window.iter().filter(|m| folder.is_none_or(|f| m.folder == f)).collect();
    let asc = query.get("$orderby").is_some_and(|o| o.trim() == "receivedDateTime asc");
    if !asc {
        msgs.reverse();
    }
    let render = |m: &&SimMessage| select(&m.resource, query.get("$select"));
    let context = "https://graph.microsoft.com/v1.0/$metadata#users('sim')/messages";
    page_of(msgs, render, query, base, path, generation, context)
}

/// A page of `values` from the `$skiptoken` offset, with a next link if more remain.
/// Only the page is rendered: a benchmark's window of thousands of messages must not
/// cost the simulator a copy of each for every page it serves.
fn page_of<T>(
    values: Vec<T>,
    render: impl Fn(&T) -> Value,
    query: &BTreeMap<String, String>,
    base: &str,
    path: &str,
    generation: u64,
    context: &str,
) -> Response {
    let top = query.get("$top").and_then(|t| t.parse::<usize>().ok()).unwrap_or(10).clamp(1, 1000);
    // `$skip` (the caller's) then the next link's own offset past it
    let skip = query.get("$skip").and_then(|s| s.parse::<usize>().ok()).unwrap_or(0);
    let offset = match query.get("$skiptoken") {
        None => 0,
        Some(t) => {
            match t.split_once('.').and_then(|(g, o)| Some((g.parse::<u64>().ok()?, o.parse::<usize>().ok()?))) {
                Some((g, o)) if g == generation => o,
                _ => return error(400, "ErrorInvalidSkipToken", "The skip token is not valid or has expired."),
            }
        }
    };
    let total = values.len();
    let values = &values[skip.min(total)..];
    let page: Vec<Value> = values.iter().skip(offset).take(top).map(render).collect();
    let mut doc = json!({"@odata.context": context, "value": page});
    if query.get("$count").is_some_and(|c| c == "true") {
        doc["@odata.count"] = json!(total);
    }
    if offset + top < values.len() {
        let mut q: Vec<(String, String)> =
            query.iter().filter(|(k, _)| *k != "$skiptoken").map(|(k, v)| (k.clone(), v.clone())).collect();
        q.push(("$skiptoken".into(), format!("{generation}.{}", offset + top)));
        doc["@odata.nextLink"] = json!(link(base, path, &q));
    }
    json_response(200, doc.to_string())
}

/// Delta: a round lists the folder's messages changed after the token's version (all
/// of them without a token) and the deletions since, then hands out a delta link.
#[allow(clippy::too_many_arguments)]
fn delta(
    mb: &SimMailbox,
    folder: &str,
    query: &BTreeMap<String, String>,
    req: &Req,
    base: &str,
    path: &str,
    generation: u64,
    version: u64,
) -> Response {
    let gone = || error(410, "SyncStateNotFound", "The sync state generation is not found.");
    // $deltatoken = gen.since ; $skiptoken = gen.since.upto.offset
    let (since, upto, offset) = if let Some(t) = query.get("$deltatoken") {
        match t.split('.').map(|x| x.parse::<u64>().ok()).collect::<Option<Vec<_>>>().as_deref() {
            Some([g, since]) if *g == generation => (*since, version, 0usize),
            _ => return gone(),
        }
    } else if let Some(t) = query.get("$skiptoken") {
        match t.split('.').map(|x| x.parse::<u64>().ok()).collect::<Option<Vec<_>>>().as_deref() {
            Some([g, since, upto, off]) if *g == generation => (*since, *upto, *off as usize),
            _ => return gone(),
        }
    } else {
        (0, version, 0)
    };
    let max = req
        .headers_named("prefer")
        .find_map(|v| v.trim().strip_prefix("odata.maxpagesize=").and_then(|n| n.parse::<usize>().ok()))
        .unwrap_or(10);
    // rendered only for the page served, as in `page_of`
    let mut items: Vec<(u64, Result<&Value, &str>)> = mb
        .messages
        .iter()
        .filter(|m| m.folder == folder && m.version > since && m.version <= upto)
        .map(|m| (m.version, Ok(&m.resource)))
        .collect();
    if since > 0 {
        let gone = mb.tombstones.iter().filter(|(_, f, v)| f == folder && *v > since && *v <= upto);
        items.extend(gone.map(|(id, _, v)| (*v, Err(id.as_str()))));
    }
    items.sort_by_key(|(v, _)| *v);
    let render = |item: &Result<&Value, &str>| match item {
        Ok(resource) => select(resource, query.get("$select")),
        Err(id) => json!({"@odata.type": "#microsoft.graph.message", "id": id, "@removed": {"reason": "deleted"}}),
    };
    let page: Vec<Value> = items.iter().skip(offset).take(max).map(|(_, item)| render(item)).collect();
    let select_q: Vec<(String, String)> =
        query.get("$select").map(|s| vec![("$select".to_string(), s.clone())]).unwrap_or_default();
    let mut doc =
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(message)", "value": page});
    if offset + max < items.len() {
        let mut q = select_q;
        q.push(("$skiptoken".into(), format!("{generation}.{since}.{upto}.{}", offset + max)));
        doc["@odata.nextLink"] = json!(link(base, path, &q));
    } else {
        doc["@odata.deltaLink"] =
            json!(link(base, path, &[("$deltatoken".to_string(), format!("{generation}.{upto}"))]));
    }
    json_response(200, doc.to_string())
}

fn select(resource: &Value, select: Option<&String>) -> Value {
    let Some(fields) = select else { return resource.clone() };
    let mut out = serde_json::Map::new();
    for k in ["@odata.type", "@odata.etag", "id"] {
        if let Some(v) = resource.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    for f in fields.split(',') {
        if let Some(v) = resource.get(f.trim()) {
            out.insert(f.trim().into(), v.clone());
        }
    }
    Value::Object(out)
}

fn link(base: &str, path: &str, q: &[(String, String)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in q {
        ser.append_pair(k, v);
    }
    format!("{base}{path}?{}", ser.finish())
}

fn mailbox_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/v1.0/users/")?;
    let user = rest.split('/').next()?;
    let user = url::form_urlencoded::parse(format!("x={user}").as_bytes()).next()?.1.to_lowercase();
    (!user.is_empty()).then_some(user)
}

fn uuid_for(s: &str) -> String {
    let h = s.bytes().fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(b as u64));
    format!("{:08x}-0000-4000-8000-{:012x}", h as u32, h & 0xffff_ffff_ffff)
}

fn default_code(status: u16) -> &'static str {
    match status {
        429 => "TooManyRequests",
        503 => "serviceNotAvailable",
        504 => "UnknownError",
        403 => "ErrorAccessDenied",
        404 => "ErrorItemNotFound",
        _ => "generalException",
    }
}

fn error(status: u16, code: &str, message: &str) -> Response {
    let body = json!({"error": {"code": code, "message": message,
        "innerError": {"date": "2026-11-28T00:00:00", "request-id": uuid::Uuid::new_v4().to_string()}}});
    json_response(status, body.to_string())
}

pub fn json_response(status: u16, body: String) -> Response {
    Response {
        status,
        headers: vec![("content-type".into(), "application/json; odata.metadata=minimal".into())],
        body: body.into_bytes(),
        cut: false,
    }
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        acc = (acc << 6) | u32::from(val(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// A client assertion as Microsoft's identity platform checks it: RS256 with the
/// registered certificate's key, its thumbprint as `x5t`, this token endpoint as the
/// audience, the app as issuer and subject, not expired.
fn verify_assertion(jwt: &str, x5t: &str, key: &[u8], client_id: &str, audience: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("AADSTS700027: Client assertion failed validation: {why}"));
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, p, sig] = parts.as_slice() else { return bad("not a JWT") };
    let json = |x: &str| base64url_decode(x).and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    let (Some(header), Some(claims), Some(sig)) = (json(h), json(p), base64url_decode(sig)) else {
        return bad("not decodable");
    };
    if header["alg"] != "RS256" || header["x5t"] != x5t {
        return bad("unknown key");
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    if claims["aud"] != audience || claims["iss"] != client_id || claims["sub"] != client_id {
        return bad("audience, issuer or subject");
    }
    if claims["exp"].as_i64().is_none_or(|e| e <= now) || claims["nbf"].as_i64().is_none_or(|n| n > now + 300) {
        return bad("expired");
    }
    ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, key)
        .verify(format!("{h}.{p}").as_bytes(), &sig)
        .or_else(|_| bad("signature"))
}

/// A 200 the client accepts gzip for is sent compressed, as Graph does.
fn gzip_if_asked(state: &Arc<Mutex<SimState>>, req: &Req, mut r: Response) -> Response {
    use std::io::Write;
    let asked = req.header("accept-encoding").is_some_and(|v| v.contains("gzip"));
    if !asked || r.status != 200 || r.body.len() < 512 || r.cut {
        return r;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if gz.write_all(&r.body).is_err() {
        return r;
    }
    let Ok(body) = gz.finish() else { return r };
    r.body = body;
    r.headers.push(("content-encoding".into(), "gzip".into()));
    lock(state).gzipped += 1;
    r
}
