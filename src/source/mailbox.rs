//! Mailbox exports: one mbox file, a maildir folder, or a directory of `.eml` files.
//! Cursors are positions in a deterministic order (byte offset in an mbox, index in
//! the sorted file list), so a resumed job continues where it committed.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Item, Page, Source, SourceSpec};
use crate::email::parse_rfc822;
use crate::{Error, Result};

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

fn parse_cursor(cursor: Option<&str>, spec: &SourceSpec) -> Result<Cursor> {
    match cursor {
        None => Ok(Cursor::default()),
        Some(c) => serde_json::from_str(c).map_err(|e| Error::Source {
            source_spec: spec.to_string(),
            message: format!("checkpoint cursor {c:?} is not one this source wrote: {e}"),
        }),
    }
}

fn io_error(spec: &SourceSpec, path: &Path, e: std::io::Error) -> Error {
    Error::Source { source_spec: spec.to_string(), message: format!("{}: {e}", path.display()) }
}

/// Count the messages of an mbox: one sequential read.
pub fn count_mbox(path: &Path, spec: &SourceSpec) -> Result<u64> {
    let file = File::open(path).map_err(|e| io_error(spec, path, e))?;
    let mut total = 0u64;
    let mut prev_blank = true;
    for line in BufReader::new(file).split(b'\n') {
        let line = line.map_err(|e| io_error(spec, path, e))?;
        if prev_blank && line.starts_with(b"From ") {
            total += 1;
        }
        prev_blank = line.iter().all(|b| b.is_ascii_whitespace());
    }
    Ok(total)
}

/// An mbox file (mboxrd or mboxo): messages start at `From ` lines; `>From ` lines
/// inside bodies are unescaped by one level.
pub struct MboxSource {
    spec: SourceSpec,
    path: PathBuf,
    offset: u64,
    len: u64,
    max_body_bytes: usize,
}

impl MboxSource {
    pub fn open(path: &Path, cursor: Option<&str>, max_body_bytes: usize, spec: &SourceSpec) -> Result<Self> {
        let c = parse_cursor(cursor, spec)?;
        let len = std::fs::metadata(path).map_err(|e| io_error(spec, path, e))?.len();
        Ok(MboxSource { spec: spec.clone(), path: path.to_path_buf(), offset: c.offset.unwrap_or(0), len, max_body_bytes })
    }

    fn read_page(&self, max: usize) -> Result<(Vec<Item>, u64)> {
        let io = |e| io_error(&self.spec, &self.path, e);
        let mut file = File::open(&self.path).map_err(io)?;
        file.seek(SeekFrom::Start(self.offset)).map_err(io)?;
        let mut reader = BufReader::new(file);
        let mut items = Vec::new();
        let mut pos = self.offset;
        let mut current: Option<(u64, Vec<u8>)> = None;
        let mut prev_blank = true;
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(io)?;
            let is_sep = n > 0 && prev_blank && line.starts_with(b"From ");
            if n == 0 || is_sep {
                if let Some((start, raw)) = current.take() {
                    items.push(self.item(start, &raw));
                    if items.len() == max || n == 0 {
                        return Ok((items, pos));
                    }
                }
                if n == 0 {
                    return Ok((items, pos));
                }
                current = Some((pos, Vec::new()));
            } else if let Some((_, raw)) = current.as_mut() {
                raw.extend_from_slice(unescape_from(&line));
            } else if !line.iter().all(|b| b.is_ascii_whitespace()) {
                // content before the first separator: a file that is not an mbox
                current = Some((pos, line.clone()));
            }
            prev_blank = line.iter().all(|b| b.is_ascii_whitespace());
            pos += n as u64;
        }
    }

    fn item(&self, start: u64, raw: &[u8]) -> Item {
        let source_ref = format!("{}@{start}", self.path.display());
        match parse_rfc822(raw, &source_ref, self.max_body_bytes) {
            Ok(e) => Item::Message(e),
            Err(r) => Item::Skipped(r),
        }
    }
}

fn unescape_from(line: &[u8]) -> &[u8] {
    let gts = line.iter().take_while(|&&b| b == b'>').count();
    if gts > 0 && line[gts..].starts_with(b"From ") { &line[1..] } else { line }
}

#[async_trait]
impl Source for MboxSource {
    async fn next_page(&mut self, max: usize) -> Result<Page> {
        let (items, next) = tokio::task::block_in_place(|| self.read_page(max.max(1)))?;
        self.offset = next;
        let cursor = serde_json::to_string(&Cursor { offset: Some(next), index: None }).expect("cursor");
        Ok(Page { items, cursor, has_more: next < self.len })
    }
}

/// One message per file: a maildir (`cur/` and `new/` at any depth, so Maildir++
/// subfolders count) or a directory tree of `.eml` files.
pub struct FilesSource {
    root: PathBuf,
    files: Vec<PathBuf>,
    index: usize,
    max_body_bytes: usize,
}

impl FilesSource {
    pub fn open_maildir(root: &Path, cursor: Option<&str>, max_body_bytes: usize, spec: &SourceSpec) -> Result<Self> {
        let mut files = Vec::new();
        walk(root, &mut files, spec, &|p: &Path| {
            p.parent()
                .and_then(|d| d.file_name())
                .is_some_and(|n| n == "cur" || n == "new")
        })?;
        if files.is_empty() && !root.join("cur").is_dir() && !root.join("new").is_dir() {
            return Err(Error::Source {
                source_spec: spec.to_string(),
                message: format!("{} is not a maildir: it has no cur/ or new/ folder", root.display()),
            });
        }
        Self::new(root, files, cursor, max_body_bytes, spec)
    }

    pub fn open_eml(root: &Path, cursor: Option<&str>, max_body_bytes: usize, spec: &SourceSpec) -> Result<Self> {
        let mut files = Vec::new();
        if root.is_file() {
            files.push(root.to_path_buf());
        } else {
            walk(root, &mut files, spec, &|p: &Path| {
                p.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml"))
            })?;
        }
        Self::new(root, files, cursor, max_body_bytes, spec)
    }

    fn new(root: &Path, mut files: Vec<PathBuf>, cursor: Option<&str>, max_body_bytes: usize, spec: &SourceSpec) -> Result<Self> {
        files.sort();
        let c = parse_cursor(cursor, spec)?;
        Ok(FilesSource {
            root: root.to_path_buf(),
            files,
            index: c.index.unwrap_or(0),
            max_body_bytes,
        })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn read_page(&self, max: usize) -> Vec<Item> {
        let end = (self.index + max).min(self.files.len());
        self.files[self.index.min(end)..end]
            .iter()
            .map(|path| {
                let rel = path.strip_prefix(&self.root).unwrap_or(path).display().to_string();
                let rel = if rel.is_empty() { path.display().to_string() } else { rel };
                match std::fs::read(path) {
                    Ok(raw) => match parse_rfc822(&raw, &rel, self.max_body_bytes) {
                        Ok(e) => Item::Message(e),
                        Err(r) => Item::Skipped(r),
                    },
                    Err(e) => Item::Skipped(crate::email::Rejected {
                        message_id: format!("broken:{rel}"),
                        source_ref: rel.clone(),
                        reason: format!("unreadable: {e}"),
                    }),
                }
            })
            .collect()
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, spec: &SourceSpec, keep: &dyn Fn(&Path) -> bool) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(spec, dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error(spec, dir, e))?;
        let path = entry.path();
        let ty = entry.file_type().map_err(|e| io_error(spec, &path, e))?;
        if ty.is_dir() {
            walk(&path, out, spec, keep)?;
        // not only regular files: symlinks and pipes are read like files
        } else if keep(&path) {
            out.push(path);
        }
    }
    Ok(())
}

#[async_trait]
impl Source for FilesSource {
    async fn next_page(&mut self, max: usize) -> Result<Page> {
        let items = tokio::task::block_in_place(|| self.read_page(max.max(1)));
        self.index = (self.index + items.len()).min(self.files.len());
        let cursor = serde_json::to_string(&Cursor { offset: None, index: Some(self.index) }).expect("cursor");
        Ok(Page { items, cursor, has_more: self.index < self.files.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mbox(dir: &Path) -> PathBuf {
        let p = dir.join("t.mbox");
        let mut s = String::new();
        for i in 0..5 {
            s.push_str(&format!(
                "From sender@x.com Mon Jan  1 00:00:00 2001\nMessage-ID: <m{i}@x>\nFrom: a@x.com\nSubject: s{i}\n\nbody {i}\n>From the start\n\n"
            ));
        }
        std::fs::write(&p, s).unwrap();
        p
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn mbox_pages_resume_from_their_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let p = mbox(dir.path());
        let spec = SourceSpec::Mbox(p.clone());
        assert_eq!(spec.estimate().unwrap(), Some(5));
        let mut src = spec.open(None, 1000).unwrap();
        let first = src.next_page(2).await.unwrap();
        assert_eq!(first.items.len(), 2);
        assert!(first.has_more);
        let mut again = spec.open(Some(&first.cursor), 1000).unwrap();
        let rest = again.next_page(10).await.unwrap();
        let ids: Vec<_> = rest
            .items
            .iter()
            .map(|i| match i {
                Item::Message(e) => e.message_id.clone(),
                Item::Skipped(r) => panic!("{r:?}"),
            })
            .collect();
        assert_eq!(ids, ["m2@x", "m3@x", "m4@x"]);
        assert!(!rest.has_more);
        if let Item::Message(e) = &rest.items[0] {
            assert!(e.body.contains("From the start") && !e.body.contains(">From"), "{}", e.body);
        }
    }
}
