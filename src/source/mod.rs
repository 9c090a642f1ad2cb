//! Sources yield pages of messages with a resumable cursor and `has_more`.
//!
//! A source is opened at a cursor (none = the beginning) and asked for pages; the
//! pipeline stores the cursor of the last committed page, so a restart repeats at most
//! one page, and repeating a page changes nothing.

pub mod graph;
pub mod mailbox;

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;

use crate::email::{Email, Rejected};
use crate::{Error, Result};

/// One message of a page: usable, or rejected with a reason for the ledger.
#[derive(Debug, Clone)]
pub enum Item {
    Message(Email),
    Skipped(Rejected),
}

#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// Where to continue after this page.
    pub cursor: String,
    pub has_more: bool,
    /// Messages gone from the source (a delta's `@removed`): their vectors, ledger rows
    /// and graph support are deleted with this chunk.
    pub removed: Vec<String>,
    /// The items may be new versions of messages already stored: their old graph
    /// support is replaced, not added to.
    pub replace: bool,
    /// (folder, delta link) pairs that complete with this chunk, kept for the next
    /// incremental run.
    pub sync_links: Vec<(String, String)>,
    /// This job re-listed the whole mailbox: the mailbox's rows from this source that
    /// the job did not write are gone from the source.
    pub reconcile: bool,
    /// How many messages the source holds in the job's range, once it knows (the ETA).
    pub estimated_total: Option<i64>,
    /// How the source stands, for `status JOB` (a Graph mailbox's concurrency and
    /// throttling).
    pub source_status: Option<String>,
}

#[async_trait]
pub trait Source: Send {
    /// The next page of at most `max` messages.
    async fn next_page(&mut self, max: usize) -> Result<Page>;

    /// Pages worth reading ahead of the chunk being processed. One, unless the
    /// source relaunches its requests only when asked for a page: then a page that
    /// waits for the pipeline must not leave Graph's slot idle meanwhile.
    fn read_ahead(&self) -> usize {
        1
    }
}

/// A parsed `--source` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    Mbox(PathBuf),
    Maildir(PathBuf),
    Eml(PathBuf),
    Graph(graph::GraphSpec),
}

/// What opening a source may need beyond its spec: the process's one Graph client
/// (its per-mailbox limits hold across every job of the process).
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub graph: Option<Arc<graph::GraphClient>>,
}

impl SourceSpec {
    pub fn parse(spec: &str) -> Result<Self> {
        let (kind, path) = spec.split_once(':').ok_or_else(|| {
            Error::Invalid(format!(
                "source {spec:?}: expected KIND:PATH with KIND one of mbox, maildir, eml (e.g. mbox:./mail.mbox)"
            ))
        })?;
        if path.is_empty() {
            return Err(Error::Invalid(format!("source {spec:?}: the path after {kind}: is empty")));
        }
        if kind == "graph" || kind == "graph-delta" {
            return Ok(SourceSpec::Graph(graph::GraphSpec::parse(kind, path)?));
        }
        let path = PathBuf::from(path);
        match kind {
            "mbox" => Ok(SourceSpec::Mbox(path)),
            "maildir" => Ok(SourceSpec::Maildir(path)),
            "eml" => Ok(SourceSpec::Eml(path)),
            other => Err(Error::Invalid(format!(
                "source {spec:?}: unknown kind {other:?}; expected mbox, maildir, eml or graph"
            ))),
        }
    }

    /// Make paths absolute so a job can be resumed from another working directory.
    pub fn canonical(&self) -> Result<Self> {
        let canon = |p: &PathBuf| {
            std::fs::canonicalize(p).map_err(|e| Error::Source {
                source_spec: self.to_string(),
                message: format!("cannot open {}: {e}", p.display()),
            })
        };
        Ok(match self {
            SourceSpec::Mbox(p) => SourceSpec::Mbox(canon(p)?),
            SourceSpec::Maildir(p) => SourceSpec::Maildir(canon(p)?),
            SourceSpec::Eml(p) => SourceSpec::Eml(canon(p)?),
            SourceSpec::Graph(g) => SourceSpec::Graph(g.clone()),
        })
    }

    /// The export's path; `None` for Graph.
    pub fn path(&self) -> Option<&PathBuf> {
        match self {
            SourceSpec::Mbox(p) | SourceSpec::Maildir(p) | SourceSpec::Eml(p) => Some(p),
            SourceSpec::Graph(_) => None,
        }
    }

    /// The mailbox name a job records when the operator names none: the export's
    /// file or folder name, stable across runs; for Graph the user.
    pub fn default_mailbox(&self) -> String {
        match self {
            SourceSpec::Graph(g) => g.mailbox.clone(),
            _ => {
                let p = self.path().expect("an export has a path");
                let name =
                    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string());
                // a file name may hold anything a ledger key may not
                crate::text::cap(&crate::text::line(&name), crate::text::MAILBOX_MAX).0.to_string()
            }
        }
    }

    /// How many messages the source holds (for progress); one cheap pass, done once
    /// when the job is created.
    pub fn estimate(&self) -> Result<Option<u64>> {
        match self {
            SourceSpec::Mbox(p) => mailbox::count_mbox(p, self).map(Some),
            SourceSpec::Maildir(p) => Ok(Some(mailbox::FilesSource::open_maildir(p, None, 0, self)?.len() as u64)),
            SourceSpec::Eml(p) => Ok(Some(mailbox::FilesSource::open_eml(p, None, 0, self)?.len() as u64)),
            SourceSpec::Graph(_) => Ok(None),
        }
    }

    pub fn open(&self, cursor: Option<&str>, max_body_bytes: usize, sources: &Sources) -> Result<Box<dyn Source>> {
        Ok(match self {
            SourceSpec::Graph(g) => {
                let client = sources.graph.clone().ok_or_else(|| {
                    Error::Invalid(format!("source {self}: this process has no Microsoft Graph client configured"))
                })?;
                g.open(cursor, max_body_bytes, client)?
            }
            SourceSpec::Mbox(p) => Box::new(mailbox::MboxSource::open(p, cursor, max_body_bytes, self)?),
            SourceSpec::Maildir(p) => Box::new(mailbox::FilesSource::open_maildir(p, cursor, max_body_bytes, self)?),
            SourceSpec::Eml(p) => Box::new(mailbox::FilesSource::open_eml(p, cursor, max_body_bytes, self)?),
        })
    }
}

impl std::fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, p) = match self {
            SourceSpec::Mbox(p) => ("mbox", p),
            SourceSpec::Maildir(p) => ("maildir", p),
            SourceSpec::Eml(p) => ("eml", p),
            SourceSpec::Graph(g) => return g.fmt(f),
        };
        write!(f, "{kind}:{}", p.display())
    }
}
