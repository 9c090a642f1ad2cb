//! Sources yield pages of messages with a resumable cursor and `has_more`.
//!
//! A source is opened at a cursor (none = the beginning) and asked for pages; the
//! pipeline stores the cursor of the last committed page, so a restart repeats at most
//! one page, and repeating a page changes nothing.

pub mod mailbox;

use std::path::PathBuf;

use async_trait::async_trait;

use crate::email::{Email, Rejected};
use crate::{Error, Result};

/// One message of a page: usable, or rejected with a reason for the ledger.
#[derive(Debug, Clone)]
pub enum Item {
    Message(Email),
    Skipped(Rejected),
}

#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Item>,
    /// Where to continue after this page.
    pub cursor: String,
    pub has_more: bool,
}

#[async_trait]
pub trait Source: Send {
    /// The next page of at most `max` messages.
    async fn next_page(&mut self, max: usize) -> Result<Page>;
}

/// A parsed `--source` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    Mbox(PathBuf),
    Maildir(PathBuf),
    Eml(PathBuf),
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
        let path = PathBuf::from(path);
        match kind {
            "mbox" => Ok(SourceSpec::Mbox(path)),
            "maildir" => Ok(SourceSpec::Maildir(path)),
            "eml" => Ok(SourceSpec::Eml(path)),
            "graph" => Err(Error::Invalid(format!(
                "source {spec:?}: the Microsoft Graph source is not available in this build yet"
            ))),
            other => {
                Err(Error::Invalid(format!("source {spec:?}: unknown kind {other:?}; expected mbox, maildir or eml")))
            }
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
        })
    }

    pub fn path(&self) -> &PathBuf {
        match self {
            SourceSpec::Mbox(p) | SourceSpec::Maildir(p) | SourceSpec::Eml(p) => p,
        }
    }

    /// The mailbox name a job records when the operator names none: the export's
    /// file or folder name, stable across runs.
    pub fn default_mailbox(&self) -> String {
        self.path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path().display().to_string())
    }

    /// How many messages the source holds (for progress); one cheap pass, done once
    /// when the job is created.
    pub fn estimate(&self) -> Result<Option<u64>> {
        match self {
            SourceSpec::Mbox(p) => mailbox::count_mbox(p, self).map(Some),
            SourceSpec::Maildir(p) => Ok(Some(mailbox::FilesSource::open_maildir(p, None, 0, self)?.len() as u64)),
            SourceSpec::Eml(p) => Ok(Some(mailbox::FilesSource::open_eml(p, None, 0, self)?.len() as u64)),
        }
    }

    pub fn open(&self, cursor: Option<&str>, max_body_bytes: usize) -> Result<Box<dyn Source>> {
        Ok(match self {
            SourceSpec::Mbox(p) => Box::new(mailbox::MboxSource::open(p, cursor, max_body_bytes, self)?),
            SourceSpec::Maildir(p) => Box::new(mailbox::FilesSource::open_maildir(p, cursor, max_body_bytes, self)?),
            SourceSpec::Eml(p) => Box::new(mailbox::FilesSource::open_eml(p, cursor, max_body_bytes, self)?),
        })
    }
}

impl std::fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            SourceSpec::Mbox(_) => "mbox",
            SourceSpec::Maildir(_) => "maildir",
            SourceSpec::Eml(_) => "eml",
        };
        write!(f, "{kind}:{}", self.path().display())
    }
}
