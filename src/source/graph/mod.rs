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
mod delta;
pub mod gate;
mod list;
pub mod mailboxes;
pub mod message;
mod page;
mod paging;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use client::{Call, GraphClient, GraphConfig};
use delta::{DeltaCursor, DeltaFolder, DeltaSource};
pub use gate::{GateStatus, Gates};
use list::{ListCursor, ListSource};
pub use mailboxes::{Mailboxes, Resolved, received_range};
pub use paging::Trail;

use super::Source;
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
    /// No longer used to list (the listing seeks to where mail is); kept so job
    /// strings of older versions still read.
    pub window_ms: i64,
    pub top: u32,
    pub delta: bool,
    pub order: Order,
}

/// Which mail a backfill lists first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Order {
    /// The oldest first (the default: a history builds up in order).
    #[default]
    Oldest,
    /// The newest first: a tenant's memory is useful within minutes.
    Newest,
}

impl Order {
    fn orderby(self) -> &'static str {
        match self {
            Order::Oldest => "receivedDateTime asc",
            Order::Newest => "receivedDateTime desc",
        }
    }
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
            order: Order::Oldest,
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
                "order" => {
                    spec.order = match v.as_ref() {
                        "newest" => Order::Newest,
                        "oldest" => Order::Oldest,
                        _ => return Err(bad(format!("order={v}: expected oldest or newest"))),
                    }
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
    /// ever sent there (the client checks every request too).
    fn followable(&self, client: &GraphClient, link: &str) -> Result<String> {
        if client.is_graph(link) {
            return Ok(link.to_string());
        }
        Err(Error::Graph {
            mailbox: self.mailbox.clone(),
            context: "following a link".into(),
            message: format!("refusing a link outside {} (the token goes nowhere else)", client.config().graph_url),
            transient: false,
        })
    }

    /// A paging loop in a sequence Graph drives: the job cannot make progress there.
    fn paging_loop(&self, what: &str, why: String) -> Error {
        Error::Graph { mailbox: self.mailbox.clone(), context: what.to_string(), message: why, transient: false }
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
            let state = match cursor {
                Some(c) => ListCursor::from_json(c, self).map_err(bad)?,
                None => ListCursor::fresh(),
            };
            Ok(Box::new(ListSource::new(self.clone(), client, max_body, state)))
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
            if self.order == Order::Newest {
                q.append_pair("order", "newest");
            }
        }
        let q = q.finish();
        // `@` reads better unescaped and is safe before the `?`
        let mailbox = mailbox.replace("%40", "@");
        if q.is_empty() { write!(f, "{}:{mailbox}", self.kind()) } else { write!(f, "{}:{mailbox}?{q}", self.kind()) }
    }
}

/// A refused continuation link: Graph's answers for expired or invalid skip and
/// delta tokens (400 / 404 / 410, `SyncStateNotFound`, `ResyncRequired`, …).
fn link_expired(f: &crate::retry::Failure) -> bool {
    matches!(f.status(), Some(400 | 404 | 410))
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
            order: Order::Newest,
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
