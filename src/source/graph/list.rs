//! A windowed listing of one mailbox (a backfill): `receivedDateTime` ranges, oldest
//! first, `$top` pages and `@odata.nextLink`, with a watermark so a restarted window
//! skips what was committed.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Call, GraphClient, GraphSpec, MIN_PAGE_SIZE, Trail, link_expired, message};
use crate::source::{Page, Source};
use crate::time::rfc3339;
use crate::{Error, Result};

/// Where a windowed listing stands.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct ListCursor {
    /// Index into the spec's folders (0 = all messages when none are named).
    folder: usize,
    /// Start of the current window; `None` = find the folder's oldest message first.
    start: Option<i64>,
    next: Option<String>,
    /// Page size for the current window (shrinks after repeated 504s).
    top: Option<u32>,
    wm: Option<Watermark>,
    done: bool,
    /// The next links this window followed: a link that comes round again is a loop.
    #[serde(default)]
    trail: Trail,
    /// This window was restarted from its watermark after a paging loop; a second
    /// loop fails it.
    #[serde(default)]
    looped: bool,
}

/// The last `receivedDateTime` committed in this window and every id committed at
/// exactly that instant (ties straddle pages).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
struct Watermark {
    at: String,
    ids: Vec<String>,
}

pub(super) struct ListSource {
    pub(super) spec: GraphSpec,
    pub(super) client: Arc<GraphClient>,
    pub(super) max_body: usize,
    pub(super) state: ListCursor,
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
        s.trail = Trail::default();
        s.looped = false;
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
                Some(n) => self.spec.followable(&self.client, n)?,
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
                    Err(e) if from_link && e.failure().is_some_and(link_expired) => {
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
            let next = v["@odata.nextLink"].as_str();
            match self.state.trail.next(next, values.len()) {
                Ok(()) => match next {
                    Some(n) => self.state.next = Some(n.to_string()),
                    None => self.advance(),
                },
                // once, the window starts again from its watermark (what was committed
                // is skipped); a second loop in the same window fails it
                Err(why) if !self.state.looped => {
                    tracing::warn!(mailbox = %self.spec.mailbox, what = %what, "{why}; restarting the window from its watermark");
                    self.state.looped = true;
                    self.state.next = None;
                    self.state.trail = Trail::default();
                }
                Err(why) => return Err(self.spec.paging_loop(&what, format!("{why}, again after a restart"))),
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
