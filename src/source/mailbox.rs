//! Mailbox exports: one mbox file, a maildir folder, or a directory of `.eml` files.
//!
//! Cursors survive a restart: in an mbox the byte offset of the next message (checked
//! to still start a message on resume); in a folder the key of the last file done,
//! where the key ignores what mail clients change (a maildir message moving from
//! `new/` to `cur/`, its `:2,FLAGS` suffix), so files that move or arrive between a
//! kill and a resume are neither skipped nor read twice.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Item, Page, Source, SourceSpec};
use crate::email::{Rejected, parse_rfc822};
use crate::{Error, Result};

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cursor {
    /// mbox: byte offset of the next message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    /// folders: key of the last file done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<String>,
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

/// A path the operator named that is not there is their mistake; a file that cannot be
/// read (permissions, a failing disk) is not.
fn io_error(spec: &SourceSpec, path: &Path, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        return Error::Source { source_spec: spec.to_string(), message: format!("{}: {e}", path.display()) };
    }
    Error::Io { context: format!("source {spec}: reading {}", path.display()), source: e }
}

/// Parse one message; a parser panic on hostile input costs that message, not the job.
fn item(raw: &[u8], source_ref: &str, max_body_bytes: usize) -> Item {
    match std::panic::catch_unwind(|| parse_rfc822(raw, source_ref, max_body_bytes)) {
        Ok(Ok(e)) => Item::Message(e),
        Ok(Err(r)) => Item::Skipped(r),
        Err(_) => Item::Skipped(Rejected {
            message_id: format!("broken:{source_ref}"),
            source_ref: source_ref.to_string(),
            reason: "the MIME parser gave up on this message".into(),
        }),
    }
}

/// An mbox separator: `From ` after an empty line (or at the start), shaped like an
/// envelope (`From sender date…` with a time or a year), so a body line that merely
/// begins with "From " does not split a message.
fn is_separator(line: &[u8], prev_empty: bool) -> bool {
    if !prev_empty || !line.starts_with(b"From ") {
        return false;
    }
    let rest = String::from_utf8_lossy(&line[5..]);
    let mut words = rest.split_whitespace();
    let has_sender = words.next().is_some();
    has_sender && words.any(|w| w.contains(':') || (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit())))
}

fn is_empty_line(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n" || line.is_empty()
}

/// Count the messages of an mbox: one sequential read.
pub fn count_mbox(path: &Path, spec: &SourceSpec) -> Result<u64> {
    let file = File::open(path).map_err(|e| io_error(spec, path, e))?;
    let mut reader = BufReader::new(file);
    let (mut total, mut prev_empty, mut line) = (0u64, true, Vec::new());
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(|e| io_error(spec, path, e))? == 0 {
            return Ok(total);
        }
        if is_separator(&line, prev_empty) {
            total += 1;
        }
        prev_empty = is_empty_line(&line);
    }
}

/// An mbox file (mboxrd or mboxo); `>From ` lines inside bodies lose one `>`.
pub struct MboxSource {
    spec: SourceSpec,
    path: PathBuf,
    offset: u64,
    max_body_bytes: usize,
}

impl MboxSource {
    pub fn open(path: &Path, cursor: Option<&str>, max_body_bytes: usize, spec: &SourceSpec) -> Result<Self> {
        let c = parse_cursor(cursor, spec)?;
        let offset = c.offset.unwrap_or(0);
        if offset > 0 {
            // the file must still have a message where we stopped: a replaced or
            // compacted export would otherwise be read from the middle of a message
            let mut f = File::open(path).map_err(|e| io_error(spec, path, e))?;
            f.seek(SeekFrom::Start(offset)).map_err(|e| io_error(spec, path, e))?;
            let mut head = [0u8; 5];
            let n = f.read(&mut head).map_err(|e| io_error(spec, path, e))?;
            if n != 0 && &head[..n] != b"From " {
                return Err(Error::Source {
                    source_spec: spec.to_string(),
                    message: format!(
                        "the checkpoint is at byte {offset}, where no message starts: the file changed since the job began; start a new backfill"
                    ),
                });
            }
        }
        Ok(MboxSource { spec: spec.clone(), path: path.to_path_buf(), offset, max_body_bytes })
    }
}

/// Read up to `max` messages from `offset`; returns them, the next offset and whether
/// the file goes on.
fn read_mbox_page(
    spec: &SourceSpec,
    path: &Path,
    offset: u64,
    max: usize,
    max_body: usize,
) -> Result<(Vec<Item>, u64, bool)> {
    let io = |e| io_error(spec, path, e);
    let mut file = File::open(path).map_err(io)?;
    file.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut reader = BufReader::new(file);
    let mut items = Vec::new();
    let mut pos = offset;
    let mut current: Option<(u64, Vec<u8>)> = None;
    let mut prev_empty = true;
    let mut line = Vec::new();
    let finish = |start: u64, raw: &[u8]| item(raw, &format!("{}@{start}", path.display()), max_body);
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(io)?;
        if n == 0 {
            if let Some((start, raw)) = current.take() {
                items.push(finish(start, &raw));
            }
            return Ok((items, pos, false));
        }
        if is_separator(&line, prev_empty) {
            if let Some((start, raw)) = current.take() {
                items.push(finish(start, &raw));
                if items.len() == max {
                    return Ok((items, pos, true));
                }
            }
            current = Some((pos, Vec::new()));
        } else if let Some((_, raw)) = current.as_mut() {
            raw.extend_from_slice(unescape_from(&line));
        } else if !is_empty_line(&line) {
            // content before the first separator: a file that is not an mbox
            current = Some((pos, line.clone()));
        }
        prev_empty = is_empty_line(&line);
        pos += n as u64;
    }
}

fn unescape_from(line: &[u8]) -> &[u8] {
    let gts = line.iter().take_while(|&&b| b == b'>').count();
    if gts > 0 && line[gts..].starts_with(b"From ") { &line[1..] } else { line }
}

#[async_trait]
impl Source for MboxSource {
    async fn next_page(&mut self, max: usize) -> Result<Page> {
        let (spec, path, offset, max_body) = (self.spec.clone(), self.path.clone(), self.offset, self.max_body_bytes);
        let (items, next, has_more) =
            tokio::task::spawn_blocking(move || read_mbox_page(&spec, &path, offset, max.max(1), max_body))
                .await
                .map_err(|e| Error::Source {
                    source_spec: self.spec.to_string(),
                    message: format!("reader task: {e}"),
                })??;
        self.offset = next;
        let cursor = serde_json::to_string(&Cursor { offset: Some(next), after: None }).expect("cursor");
        Ok(Page { items, cursor, has_more, ..Default::default() })
    }
}

/// One message per file: a maildir (`cur/` and `new/` at any depth, so Maildir++
/// subfolders count) or a directory tree of `.eml` files.
pub struct FilesSource {
    spec: SourceSpec,
    root: PathBuf,
    /// (key, path), sorted by key.
    files: Arc<Vec<(String, PathBuf)>>,
    next: usize,
    max_body_bytes: usize,
}

/// A file's stable key: its path under the root, without the maildir `cur`/`new`
/// component and without the `:2,FLAGS` info suffix.
fn file_key(root: &Path, path: &Path, maildir: bool) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    if !maildir {
        return rel.to_string_lossy().into_owned();
    }
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(name) = parts.pop() {
        parts.pop(); // cur or new
        let unique = name.split_once(':').map(|(u, _)| u.to_string()).unwrap_or(name);
        parts.push(unique);
    }
    parts.join("/")
}

impl FilesSource {
    pub fn open_maildir(root: &Path, cursor: Option<&str>, max_body_bytes: usize, spec: &SourceSpec) -> Result<Self> {
        let mut files = Vec::new();
        walk(root, &mut files, spec, &|p: &Path| {
            p.parent().and_then(|d| d.file_name()).is_some_and(|n| n == "cur" || n == "new")
        })?;
        if files.is_empty() && !root.join("cur").is_dir() && !root.join("new").is_dir() {
            return Err(Error::Source {
                source_spec: spec.to_string(),
                message: format!("{} is not a maildir: it has no cur/ or new/ folder", root.display()),
            });
        }
        Self::new(root, files, true, cursor, max_body_bytes, spec)
    }

    pub fn open_eml(root: &Path, cursor: Option<&str>, max_body_bytes: usize, spec: &SourceSpec) -> Result<Self> {
        let mut files = Vec::new();
        if root.is_file() {
            files.push(root.to_path_buf());
        } else {
            walk(root, &mut files, spec, &|p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml")))?;
        }
        let root = if root.is_file() { root.parent().unwrap_or(root) } else { root };
        Self::new(root, files, false, cursor, max_body_bytes, spec)
    }

    fn new(
        root: &Path,
        paths: Vec<PathBuf>,
        maildir: bool,
        cursor: Option<&str>,
        max_body_bytes: usize,
        spec: &SourceSpec,
    ) -> Result<Self> {
        let mut files: Vec<(String, PathBuf)> = paths.into_iter().map(|p| (file_key(root, &p, maildir), p)).collect();
        files.sort();
        let c = parse_cursor(cursor, spec)?;
        let next = match &c.after {
            Some(after) => files.partition_point(|(k, _)| k <= after),
            None => 0,
        };
        Ok(FilesSource { spec: spec.clone(), root: root.to_path_buf(), files: Arc::new(files), next, max_body_bytes })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

fn read_files(root: &Path, files: &[(String, PathBuf)], max_body: usize) -> Vec<Item> {
    files
        .iter()
        .map(|(_, path)| {
            let rel = path.strip_prefix(root).unwrap_or(path).display().to_string();
            match std::fs::read(path) {
                Ok(raw) => item(&raw, &rel, max_body),
                Err(e) => Item::Skipped(Rejected {
                    message_id: format!("broken:{rel}"),
                    source_ref: rel.clone(),
                    reason: format!("unreadable: {e}"),
                }),
            }
        })
        .collect()
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
        let end = (self.next + max.max(1)).min(self.files.len());
        let (files, root, start, max_body) = (self.files.clone(), self.root.clone(), self.next, self.max_body_bytes);
        let items = tokio::task::spawn_blocking(move || read_files(&root, &files[start..end], max_body))
            .await
            .map_err(|e| Error::Source { source_spec: self.spec.to_string(), message: format!("reader task: {e}") })?;
        self.next = end;
        let after = end.checked_sub(1).map(|i| self.files[i].0.clone());
        let cursor = serde_json::to_string(&Cursor { offset: None, after }).expect("cursor");
        Ok(Page { items, cursor, has_more: self.next < self.files.len(), ..Default::default() })
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
                "From sender@x.com Mon Jan  1 00:00:00 2001\nMessage-ID: <m{i}@x>\nFrom: a@x.com\nSubject: s{i}\n\nbody {i}\n\nFrom here on, a body line\n>From the start\n\n"
            ));
        }
        std::fs::write(&p, s).unwrap();
        p
    }

    #[tokio::test]
    async fn mbox_pages_resume_from_their_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let p = mbox(dir.path());
        let spec = SourceSpec::Mbox(p.clone());
        assert_eq!(spec.estimate().unwrap(), Some(5), "a body line starting with From is no separator");
        let mut src = spec.open(None, 1000, &Default::default()).unwrap();
        let first = src.next_page(2).await.unwrap();
        assert_eq!(first.items.len(), 2);
        assert!(first.has_more);
        let mut again = spec.open(Some(&first.cursor), 1000, &Default::default()).unwrap();
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
            assert!(e.body.contains("\nFrom the start") && e.body.contains("From here on"), "{}", e.body);
        }
        // a checkpoint that no longer points at a message is refused, not misread
        let err = spec.open(Some(r#"{"offset":3}"#), 1000, &Default::default()).err().unwrap().to_string();
        assert!(err.contains("no message starts"), "{err}");
    }

    #[tokio::test]
    async fn maildir_cursor_survives_moves_and_new_mail() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path().join("Mail");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(md.join(sub)).unwrap();
        }
        let msg = |i: u32| format!("Message-ID: <{i}@x>\nFrom: a@x.com\nSubject: s{i}\n\nb\n");
        std::fs::write(md.join("new/1000.a"), msg(1)).unwrap();
        std::fs::write(md.join("new/2000.b"), msg(2)).unwrap();
        std::fs::write(md.join("cur/3000.c:2,S"), msg(3)).unwrap();
        let spec = SourceSpec::Maildir(md.clone());
        let mut src = spec.open(None, 1000, &Default::default()).unwrap();
        let first = src.next_page(1).await.unwrap();
        // between kill and resume: the client reads 1000.a and 2000.b, and mail arrives
        std::fs::rename(md.join("new/1000.a"), md.join("cur/1000.a:2,S")).unwrap();
        std::fs::rename(md.join("new/2000.b"), md.join("cur/2000.b:2,RS")).unwrap();
        std::fs::write(md.join("new/4000.d"), msg(4)).unwrap();
        let rest = spec.open(Some(&first.cursor), 1000, &Default::default()).unwrap().next_page(10).await.unwrap();
        let ids: Vec<_> = rest
            .items
            .iter()
            .filter_map(|i| if let Item::Message(e) = i { Some(e.message_id.clone()) } else { None })
            .collect();
        assert_eq!(ids, ["2@x", "3@x", "4@x"]);
    }
}
