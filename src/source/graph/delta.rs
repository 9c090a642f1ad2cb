//! An incremental run of one mailbox: every folder followed through a delta query,
//! from the links the last run stored, with removals acted on at the end of the run.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Call, GraphClient, GraphSpec, Trail, link_expired, message, page};
use crate::source::{Page, Source};
use crate::{Error, Result};

/// Where an incremental run stands: per folder, the link to follow (a next link in
/// the middle of a round, the delta link of the last round between runs).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct DeltaCursor {
    /// The folders and their links (from the last run until `listed`).
    pub(super) folders: Option<Vec<DeltaFolder>>,
    /// Whether this run has listed the mailbox's folders yet.
    #[serde(default)]
    pub(super) listed: bool,
    pub(super) i: usize,
    pub(super) done: bool,
    /// A delta link was refused: every folder is being listed in full, and the
    /// mailbox's Graph rows this run does not write are gone.
    #[serde(default)]
    pub(super) resync: bool,
    /// Ids Graph reported deleted, acted on when the run ends.
    #[serde(default)]
    pub(super) pending_removed: Vec<String>,
    /// The next links the current folder's round followed (a repeat is a loop).
    #[serde(default)]
    pub(super) trail: Trail,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct DeltaFolder {
    pub(super) id: String,
    pub(super) link: Option<String>,
}

pub(super) struct DeltaSource {
    pub(super) spec: GraphSpec,
    pub(super) client: Arc<GraphClient>,
    pub(super) max_body: usize,
    pub(super) state: DeltaCursor,
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
            let mut trail = Trail::default();
            while let Some(url) = next.take() {
                let call = Call { mailbox: &self.spec.mailbox, what: "listing mail folders", url, prefer: None };
                let v = self.client.get_json(&call, None).await.map_err(|e| e.into_error(&call))?;
                let link = v["@odata.nextLink"].as_str();
                trail
                    .next(link, v["value"].as_array().map_or(0, Vec::len))
                    .map_err(|why| self.spec.paging_loop("listing mail folders", why))?;
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
                Some(l) => self.spec.followable(&self.client, l)?,
                None => self.initial_url(&folder.id)?,
            };
            let prefer = Some(format!("odata.maxpagesize={}", max.clamp(1, 1000)));
            let call = Call { mailbox: &self.spec.mailbox, what: &what, url, prefer };
            let (mailbox, max_body) = (self.spec.mailbox.clone(), self.max_body);
            let v = match self.client.get(&call, None, |b| page::parse(b, &mailbox, max_body)).await {
                Ok((v, _)) => v,
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
                    self.state.trail = Trail::default();
                    continue;
                }
                Err(e) if folder.link.is_none() && e.failure().and_then(|f| f.status()) == Some(404) => {
                    // deleted since the folders were listed: nothing left to read there
                    tracing::warn!(mailbox = %self.spec.mailbox, what = %what, "folder is gone; skipped");
                    self.state.i += 1;
                    self.state.trail = Trail::default();
                    continue;
                }
                Err(e) => return Err(e.into_error(&call)),
            };
            answered = true;
            // "changed" = still in the mailbox (moved, restorable); "deleted" is acted
            // on at the end of the run, unless the message shows up again in another
            // folder meanwhile (a move reported as a delete)
            for (id, reason) in &v.removed {
                if reason == "deleted" && !self.state.pending_removed.iter().any(|p| p == id) {
                    self.state.pending_removed.push(id.clone());
                }
            }
            let values = v.items.len() + v.removed.len();
            page.items.extend(v.items);
            let next = v.next_link.as_deref();
            if let Err(why) = self.state.trail.next(next, values) {
                return Err(self.spec.paging_loop(&what, why));
            }
            let here = &mut self.state.folders.as_mut().expect("listed")[self.state.i];
            if let Some(next) = next {
                here.link = Some(next.to_string());
            } else {
                self.state.trail = Trail::default();
                let delta = v.delta_link.clone();
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
