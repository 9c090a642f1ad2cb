//! Microsoft Graph as a source: one mailbox per job, listed window by window
//! (`receivedDateTime` ranges, oldest first) with `$top` pages and `@odata.nextLink`,
//! or, for incremental runs, followed through delta queries folder by folder.
//!
//! The cursor committed with each chunk says exactly where to continue: the folder,
//! the window, the next link, and a watermark (the last `receivedDateTime` committed
//! and the ids committed at that instant). A next link Graph no longer accepts, or a
//! smaller page size after repeated 504s, restarts the window from the watermark,
//! which skips what was already committed, so nothing is read twice.

pub mod client;
pub mod message;
pub mod retry;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use client::{Call, GraphClient, GraphConfig};

use super::{Page, Source};
use crate::time::rfc3339;
use crate::{Error, Result};

pub const DEFAULT_WINDOW: Duration = Duration::from_secs(7 * 86_400);
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// Repeated 504s halve the page size down to this (100 → 50 → 25).
pub const MIN_PAGE_SIZE: u32 = 25;

/// What a Graph job reads: stored in the job as `graph:MAILBOX?k=v&…`
/// (or `graph-delta:MAILBOX?…` for an incremental run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphSpec {
    pub mailbox: String,
    /// Folder ids or well-known names (`inbox`, `sentitems`); empty = every folder.
    pub folders: Vec<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub window_ms: i64,
    pub top: u32,
    pub delta: bool,
}

impl GraphSpec {
    pub fn kind(&self) -> &'static str {
        if self.delta { "graph-delta" } else { "graph" }
    }

    pub fn parse(kind: &str, rest: &str) -> Result<Self> {
        let bad = |why: String| Error::Invalid(format!("source {kind}:{rest}: {why}"));
        let (mailbox, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mailbox: String = url::form_urlencoded::parse(format!("m={mailbox}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if mailbox.trim().is_empty() {
            return Err(bad("no mailbox: expected graph:USER (a user id or principal name)".into()));
        }
        let mut spec = GraphSpec {
            mailbox,
            folders: Vec::new(),
            from_ms: None,
            to_ms: None,
            window_ms: DEFAULT_WINDOW.as_millis() as i64,
            top: DEFAULT_PAGE_SIZE,
            delta: kind == "graph-delta",
        };
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let time = |v: &str| message::parse_time(v).ok_or_else(|| bad(format!("{k}={v} is not an RFC 3339 time")));
            match k.as_ref() {
                "folders" => spec.folders = v.split(',').filter(|f| !f.is_empty()).map(String::from).collect(),
                "from" => spec.from_ms = Some(time(&v)?),
                "to" => spec.to_ms = Some(time(&v)?),
                "window" => {
                    spec.window_ms = humantime::parse_duration(&v)
                        .map_err(|e| bad(format!("window={v}: {e}")))?
                        .as_millis()
                        .max(60_000) as i64
                }
                "top" => {
                    spec.top = v
                        .parse()
                        .ok()
                        .filter(|t| (1..=1000).contains(t))
                        .ok_or_else(|| bad(format!("top={v}: expected 1..1000")))?
                }
                other => return Err(bad(format!("unknown setting {other:?}"))),
            }
        }
        Ok(spec)
    }

    fn base(&self, cfg: &GraphConfig, folder: Option<&str>, tail: &[&str]) -> Result<url::Url> {
        let mut u = url::Url::parse(cfg.graph_url.trim_end_matches('/'))
            .map_err(|e| Error::Invalid(format!("Graph URL {:?}: {e}", cfg.graph_url)))?;
        {
            let mut p = u
                .path_segments_mut()
                .map_err(|_| Error::Invalid(format!("Graph URL {:?}: not a base URL", cfg.graph_url)))?;
            p.pop_if_empty().push("users").push(&self.mailbox);
            if let Some(f) = folder {
                p.push("mailFolders").push(f);
            }
            p.extend(tail);
        }
        Ok(u)
    }

    /// A next or delta link, if it points at the configured Graph: the token is only
    /// ever sent there.
    fn followable(&self, cfg: &GraphConfig, link: &str) -> Result<String> {
        let origin = |u: &str| url::Url::parse(u).map(|u| u.origin());
        match (origin(link), origin(&cfg.graph_url)) {
            (Ok(a), Ok(b)) if a == b => Ok(link.to_string()),
            _ => Err(Error::Graph {
                mailbox: self.mailbox.clone(),
                context: "following a link".into(),
                message: format!("refusing a link outside {} (the token goes nowhere else)", cfg.graph_url),
                transient: false,
            }),
        }
    }

    pub fn open(&self, cursor: Option<&str>, max_body: usize, client: Arc<GraphClient>) -> Result<Box<dyn Source>> {
        let bad = |e: serde_json::Error| Error::Source {
            source_spec: self.to_string(),
            message: format!(
                "checkpoint {cursor:?} is not a Graph cursor ({e}); cancel this job and start a new backfill of the mailbox"
            ),
        };
        if self.delta {
            let state = cursor.map(serde_json::from_str).transpose().map_err(bad)?.unwrap_or_default();
            Ok(Box::new(DeltaSource { spec: self.clone(), client, max_body, state }))
        } else {
            let state: ListCursor = cursor.map(serde_json::from_str).transpose().map_err(bad)?.unwrap_or_default();
            Ok(Box::new(ListSource { spec: self.clone(), client, max_body, state }))
        }
    }

    /// The initial cursor of an incremental run: the delta links stored by the last
    /// one, per folder.
    pub fn delta_cursor(links: &[(String, String)]) -> Option<String> {
        if links.is_empty() {
            return None;
        }
        let folders = links.iter().map(|(id, link)| DeltaFolder { id: id.clone(), link: Some(link.clone()) }).collect();
        serde_json::to_string(&DeltaCursor { folders: Some(folders), ..Default::default() }).ok()
    }
}

impl std::fmt::Display for GraphSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mailbox: String = url::form_urlencoded::byte_serialize(self.mailbox.as_bytes()).collect();
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if !self.folders.is_empty() {
            q.append_pair("folders", &self.folders.join(","));
        }
        if !self.delta {
            if let Some(from) = self.from_ms {
                q.append_pair("from", &rfc3339(from));
            }
            if let Some(to) = self.to_ms {
                q.append_pair("to", &rfc3339(to));
            }
            q.append_pair(
                "window",
                &humantime::format_duration(Duration::from_millis(self.window_ms as u64)).to_string(),
            );
            q.append_pair("top", &self.top.to_string());
        }
        let q = q.finish();
        // `@` reads better unescaped and is safe before the `?`
        let mailbox = mailbox.replace("%40", "@");
        if q.is_empty() { write!(f, "{}:{mailbox}", self.kind()) } else { write!(f, "{}:{mailbox}?{q}", self.kind()) }
    }
}

/// Where a windowed listing stands.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ListCursor {
    /// Index into the spec's folders (0 = all messages when none are named).
    folder: usize,
    /// Start of the current window; `None` = find the folder's oldest message first.
    start: Option<i64>,
    next: Option<String>,
    /// Page size for the current window (shrinks after repeated 504s).
    top: Option<u32>,
    wm: Option<Watermark>,
    done: bool,
}

/// The last `receivedDateTime` committed in this window and every id committed at
/// exactly that instant (ties straddle pages).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
struct Watermark {
    at: String,
    ids: Vec<String>,
}

struct ListSource {
    spec: GraphSpec,
    client: Arc<GraphClient>,
    max_body: usize,
    state: ListCursor,
}

/// How many empty windows one `next_page` call may walk past before it returns an
/// empty page (so a sparse mailbox still commits progress now and then).
const EMPTY_WINDOWS_PER_PAGE: usize = 26;

impl ListSource {
    fn folder(&self) -> Option<&str> {
        self.spec.folders.get(self.state.folder).map(String::as_str)
    }

    fn folder_count(&self) -> usize {
        self.spec.folders.len().max(1)
    }

    fn to_ms(&self) -> i64 {
        self.spec.to_ms.unwrap_or_else(crate::time::now_ms)
    }

    fn label(&self) -> String {
        let folder = self.folder().map(|f| format!("folder {f}, ")).unwrap_or_default();
        match self.state.start {
            Some(s) => format!("{folder}window {}..{}", rfc3339(s), rfc3339(self.window_end(s))),
            None => format!("{folder}finding the oldest message"),
        }
    }

    fn window_end(&self, start: i64) -> i64 {
        start.saturating_add(self.spec.window_ms).min(self.to_ms())
    }

    fn window_url(&self, start: i64, top: u32, wm: Option<&Watermark>) -> Result<String> {
        let mut u = self.spec.base(self.client.config(), self.folder(), &["messages"])?;
        let lower = match wm {
            Some(w) => w.at.clone(),
            None => rfc3339(start),
        };
        let filter = format!("receivedDateTime ge {lower} and receivedDateTime lt {}", rfc3339(self.window_end(start)));
        u.query_pairs_mut()
            .append_pair("$filter", &filter)
            .append_pair("$orderby", "receivedDateTime asc")
            .append_pair("$select", message::SELECT)
            .append_pair("$top", &top.to_string());
        Ok(u.to_string())
    }

    /// Move to the next window, or folder, or the end.
    fn advance(&mut self) {
        let end = self.state.start.map(|st| self.window_end(st));
        let to = self.to_ms();
        let folders = self.folder_count();
        let s = &mut self.state;
        s.next = None;
        s.wm = None;
        s.top = None;
        match end {
            Some(e) if e < to => s.start = Some(e),
            _ => {
                s.folder += 1;
                s.start = None;
                s.done = s.folder >= folders;
            }
        }
    }

    /// The start of the first window: the operator's `from`, else the folder's oldest
    /// message (one tiny request), so a whole-history backfill does not walk decades
    /// of empty weeks.
    async fn first_window(&self) -> Result<Option<i64>> {
        if let Some(from) = self.spec.from_ms {
            return Ok(Some(from));
        }
        let mut u = self.spec.base(self.client.config(), self.folder(), &["messages"])?;
        u.query_pairs_mut()
            .append_pair("$select", "receivedDateTime")
            .append_pair("$orderby", "receivedDateTime asc")
            .append_pair("$top", "1");
        let what = self.label();
        let call = Call { mailbox: &self.spec.mailbox, what: &what, url: u.to_string(), prefer: None };
        let v = self.client.get_json(&call, None).await.map_err(|e| e.into_error(&call))?;
        let oldest = v["value"].get(0).and_then(|m| m["receivedDateTime"].as_str()).and_then(message::parse_time);
        // whole seconds: the filter is written with second precision
        Ok(oldest.map(|ms| ms - ms.rem_euclid(1000)))
    }
}

#[async_trait]
impl Source for ListSource {
    async fn next_page(&mut self, max: usize) -> Result<Page> {
        let mut items = Vec::new();
        for _ in 0..EMPTY_WINDOWS_PER_PAGE {
            if self.state.done {
                break;
            }
            let start = match self.state.start {
                Some(s) => s,
                None => match self.first_window().await? {
                    Some(s) if s < self.to_ms() => {
                        self.state.start = Some(s);
                        s
                    }
                    _ => {
                        self.state.start = None;
                        self.state.folder += 1;
                        self.state.done = self.state.folder >= self.folder_count();
                        continue;
                    }
                },
            };
            let top = self.state.top.unwrap_or(self.spec.top).min(max.max(1) as u32);
            let what = self.label();
            let from_link = self.state.next.is_some();
            let url = match &self.state.next {
                Some(n) => self.spec.followable(self.client.config(), n)?,
                None => self.window_url(start, top, self.state.wm.as_ref())?,
            };
            let mut page_top = top;
            let v = {
                let mut shrink = || {
                    (page_top > MIN_PAGE_SIZE).then(|| {
                        page_top = (page_top / 2).max(MIN_PAGE_SIZE);
                        self.window_url(start, page_top, self.state.wm.as_ref()).ok()
                    })?
                };
                let call = Call { mailbox: &self.spec.mailbox, what: &what, url, prefer: None };
                match self.client.get_json(&call, Some(&mut shrink)).await {
                    Ok(v) => v,
                    // a next link Graph no longer accepts: restart the window from the
                    // watermark (what was committed is skipped, nothing is lost)
                    Err(e) if from_link && e.failure().is_some_and(|f| link_expired(f)) => {
                        let f = e.failure().map(|f| f.to_string()).unwrap_or_default();
                        tracing::warn!(mailbox = %self.spec.mailbox, what = %what, "next link refused ({f}); restarting the window from its watermark");
                        self.state.next = None;
                        let call = Call {
                            mailbox: &self.spec.mailbox,
                            what: &what,
                            url: self.window_url(start, top, self.state.wm.as_ref())?,
                            prefer: None,
                        };
                        self.client.get_json(&call, None).await.map_err(|e| e.into_error(&call))?
                    }
                    Err(e) => return Err(e.into_error(&call)),
                }
            };
            if page_top != top {
                self.state.top = Some(page_top);
            }
            let Some(values) = v["value"].as_array() else {
                return Err(Error::Graph {
                    mailbox: self.spec.mailbox.clone(),
                    context: what,
                    message: "the answer has no \"value\" array".into(),
                    transient: true,
                });
            };
            for m in values {
                let id = m["id"].as_str().unwrap_or_default();
                let at = m["receivedDateTime"].as_str().unwrap_or_default();
                let wm = self.state.wm.get_or_insert_with(Watermark::default);
                if !at.is_empty() && at == wm.at && wm.ids.iter().any(|i| i == id) {
                    continue; // committed before the window restarted
                }
                if !at.is_empty() {
                    if at > wm.at.as_str() {
                        *wm = Watermark { at: at.to_string(), ids: vec![id.to_string()] };
                    } else if at == wm.at {
                        wm.ids.push(id.to_string());
                    }
                }
                items.push(message::to_item(m, &self.spec.mailbox, self.max_body));
            }
            match v["@odata.nextLink"].as_str() {
                Some(n) => self.state.next = Some(n.to_string()),
                None => self.advance(),
            }
            if !items.is_empty() {
                break;
            }
        }
        let cursor = serde_json::to_string(&self.state).map_err(|e| Error::Source {
            source_spec: self.spec.to_string(),
            message: format!("cannot write the checkpoint: {e}"),
        })?;
        Ok(Page { items, cursor, has_more: !self.state.done, ..Default::default() })
    }
}

/// A refused continuation link: Graph's answers for expired or invalid skip and
/// delta tokens (400 / 404 / 410, `SyncStateNotFound`, `ResyncRequired`, …).
fn link_expired(f: &retry::Failure) -> bool {
    matches!(f.status(), Some(400 | 404 | 410))
}

/// Where an incremental run stands: per folder, the link to follow (a next link in
/// the middle of a round, the delta link of the last round between runs).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct DeltaCursor {
    /// The folders and their links (from the last run until `listed`).
    folders: Option<Vec<DeltaFolder>>,
    /// Whether this run has listed the mailbox's folders yet.
    #[serde(default)]
    listed: bool,
    i: usize,
    done: bool,
    /// A delta link was refused: every folder is being listed in full, and the
    /// mailbox's Graph rows this run does not write are gone.
    #[serde(default)]
    resync: bool,
    /// Ids Graph reported deleted, acted on when the run ends.
    #[serde(default)]
    pending_removed: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DeltaFolder {
    id: String,
    link: Option<String>,
}

struct DeltaSource {
    spec: GraphSpec,
    client: Arc<GraphClient>,
    max_body: usize,
    state: DeltaCursor,
}

impl DeltaSource {
    /// Every mail folder of the mailbox (child folders too), or the named ones.
    async fn folders(&self) -> Result<Vec<String>> {
        if !self.spec.folders.is_empty() {
            return Ok(self.spec.folders.clone());
        }
        let mut out = Vec::new();
        let mut queue: Vec<url::Url> = vec![self.spec.base(self.client.config(), None, &["mailFolders"])?];
        while let Some(mut u) = queue.pop() {
            u.query_pairs_mut().append_pair("$top", "100").append_pair("$select", "id,displayName,childFolderCount");
            let mut next = Some(u.to_string());
            while let Some(url) = next.take() {
                let call = Call { mailbox: &self.spec.mailbox, what: "listing mail folders", url, prefer: None };
                let v = self.client.get_json(&call, None).await.map_err(|e| e.into_error(&call))?;
                for f in v["value"].as_array().into_iter().flatten() {
                    let Some(id) = f["id"].as_str() else { continue };
                    out.push(id.to_string());
                    if f["childFolderCount"].as_u64().unwrap_or(0) > 0 {
                        queue.push(self.spec.base(self.client.config(), Some(id), &["childFolders"])?);
                    }
                }
                next = v["@odata.nextLink"].as_str().map(String::from);
            }
        }
        Ok(out)
    }

    fn initial_url(&self, folder: &str) -> Result<String> {
        let mut u = self.spec.base(self.client.config(), Some(folder), &["messages", "delta"])?;
        u.query_pairs_mut().append_pair("$select", message::SELECT);
        Ok(u.to_string())
    }
}

#[async_trait]
impl Source for DeltaSource {
    async fn next_page(&mut self, max: usize) -> Result<Page> {
        let mut page = Page { replace: true, ..Default::default() };
        let mut answered = false;
        while !self.state.done && !answered {
            if !self.state.listed {
                // folders come and go between runs: keep the links of those still there
                let now = self.folders().await?;
                let mut old = self.state.folders.take().unwrap_or_default();
                self.state.folders = Some(
                    now.into_iter()
                        .map(|id| match old.iter().position(|d| d.id == id) {
                            Some(i) => old.swap_remove(i),
                            None => DeltaFolder { id, link: None },
                        })
                        .collect(),
                );
                self.state.listed = true;
            }
            let n = self.state.folders.as_ref().map_or(0, Vec::len);
            if self.state.i >= n {
                self.finish(&mut page);
                break;
            }
            let folder = self.state.folders.as_ref().expect("listed")[self.state.i].clone();
            let what = format!("folder {}, delta", folder.id);
            let url = match &folder.link {
                Some(l) => self.spec.followable(self.client.config(), l)?,
                None => self.initial_url(&folder.id)?,
            };
            let prefer = Some(format!("odata.maxpagesize={}", max.clamp(1, 1000)));
            let call = Call { mailbox: &self.spec.mailbox, what: &what, url, prefer };
            let v = match self.client.get_json(&call, None).await {
                Ok(v) => v,
                Err(e) if folder.link.is_some() && e.failure().is_some_and(link_expired) => {
                    // the sync state is gone: list the folders again, a full round of
                    // each, then reconcile the mailbox against what that round saw
                    let f = e.failure().map(|f| f.to_string()).unwrap_or_default();
                    tracing::warn!(mailbox = %self.spec.mailbox, what = %what, "delta link refused ({f}); re-listing the mailbox");
                    self.state.resync = true;
                    self.state.listed = false;
                    for d in self.state.folders.as_mut().expect("listed") {
                        d.link = None;
                    }
                    self.state.i = 0;
                    continue;
                }
                Err(e) if folder.link.is_none() && e.failure().and_then(|f| f.status()) == Some(404) => {
                    // deleted since the folders were listed: nothing left to read there
                    tracing::warn!(mailbox = %self.spec.mailbox, what = %what, "folder is gone; skipped");
                    self.state.i += 1;
                    continue;
                }
                Err(e) => return Err(e.into_error(&call)),
            };
            answered = true;
            for m in v["value"].as_array().into_iter().flatten() {
                if let Some(removed) = m.get("@removed") {
                    // "changed" = still in the mailbox (moved, restorable); "deleted" is
                    // acted on at the end of the run, unless the message shows up again
                    // in another folder meanwhile (a move reported as a delete)
                    let reason = removed["reason"].as_str().unwrap_or("deleted");
                    if let (Some(id), "deleted") = (m["id"].as_str(), reason)
                        && !self.state.pending_removed.iter().any(|p| p == id)
                    {
                        self.state.pending_removed.push(id.to_string());
                    }
                } else {
                    page.items.push(message::to_item(m, &self.spec.mailbox, self.max_body));
                }
            }
            let here = &mut self.state.folders.as_mut().expect("listed")[self.state.i];
            if let Some(next) = v["@odata.nextLink"].as_str() {
                here.link = Some(next.to_string());
            } else {
                let delta = v["@odata.deltaLink"].as_str().map(String::from);
                here.link = delta.clone();
                if let Some(d) = delta {
                    page.sync_links.push((here.id.clone(), d));
                }
                self.state.i += 1;
                if self.state.i >= n {
                    self.finish(&mut page);
                }
            }
        }
        page.cursor = serde_json::to_string(&self.state).map_err(|e| Error::Source {
            source_spec: self.spec.to_string(),
            message: format!("cannot write the checkpoint: {e}"),
        })?;
        page.has_more = !self.state.done;
        Ok(page)
    }
}

impl DeltaSource {
    /// The last page of the run carries the removals and, after a full re-list of
    /// every folder, the request to reconcile (with named folders the rest of the
    /// mailbox was not listed, so nothing is reconciled).
    fn finish(&mut self, page: &mut Page) {
        self.state.done = true;
        page.removed = std::mem::take(&mut self.state.pending_removed);
        page.reconcile = std::mem::take(&mut self.state.resync) && self.spec.folders.is_empty();
    }
}

/// Every user with a mailbox (`mail` set), by principal name, for `--all-mailboxes`.
pub async fn list_mailboxes(client: &GraphClient) -> Result<Vec<String>> {
    let base = client.config().graph_url.trim_end_matches('/');
    let mut u =
        url::Url::parse(&format!("{base}/users")).map_err(|e| Error::Invalid(format!("Graph URL {base:?}: {e}")))?;
    u.query_pairs_mut().append_pair("$select", "id,userPrincipalName,mail").append_pair("$top", "100");
    let mut out = Vec::new();
    let mut next = Some(u.to_string());
    while let Some(url) = next.take() {
        let call = Call { mailbox: "(all users)", what: "listing users", url, prefer: None };
        let v = client.get_json(&call, None).await.map_err(|e| e.into_error(&call))?;
        for user in v["value"].as_array().into_iter().flatten() {
            if user["mail"].as_str().is_some_and(|m| !m.is_empty())
                && let Some(upn) = user["userPrincipalName"].as_str().or(user["id"].as_str())
            {
                out.push(upn.to_string());
            }
        }
        next = v["@odata.nextLink"].as_str().map(String::from);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_round_trips_through_its_job_string() {
        let spec = GraphSpec {
            mailbox: "ann.o'neil+x@contoso.com".into(),
            folders: vec!["inbox".into(), "AQMkAD=".into()],
            from_ms: Some(1_700_000_000_000),
            to_ms: Some(1_707_776_000_000),
            window_ms: 3 * 86_400_000,
            top: 50,
            delta: false,
        };
        let s = spec.to_string();
        assert!(s.starts_with("graph:ann.o%27neil%2Bx@contoso.com?folders="), "{s}");
        let (kind, rest) = s.split_once(':').unwrap();
        assert_eq!(GraphSpec::parse(kind, rest).unwrap(), spec);
        let delta = GraphSpec { delta: true, from_ms: None, to_ms: None, folders: vec![], ..spec };
        let s = delta.to_string();
        let (kind, rest) = s.split_once(':').unwrap();
        let back = GraphSpec::parse(kind, rest).unwrap();
        assert!(back.delta && back.mailbox == delta.mailbox);
    }

    #[test]
    fn bad_specs_name_the_setting() {
        for (rest, want) in
            [("", "no mailbox"), ("u@x?top=0", "top=0"), ("u@x?color=red", "color"), ("u@x?from=soon", "from=soon")]
        {
            let e = GraphSpec::parse("graph", rest).unwrap_err().to_string();
            assert!(e.contains(want), "{rest}: {e}");
        }
    }
}
