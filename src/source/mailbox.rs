//! Mailbox exports: one mbox file, a maildir folder, or a directory of `.eml` files.
//!
//! Cursors survive a restart: in an mbox the byte offset of the next message (checked
//! to still start a message on resume); in a folder the key of the last file done,
//! where the key ignores what mail clients change (a maildir message moving from
//! `new/` to `cur/`, its `:2,FLAGS` suffix), and the newest change time the first
//! listing saw. A resume reads every file after the key, and before it every file
//! changed since that listing (added with a name that sorts early, moved to another
//! folder): what was committed already is passed over by the pipeline, nothing is
//! skipped.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Item, Page, Source, SourceSpec};
use crate::email::{MAX_RAW_BYTES, Rejected, parse_rfc822, too_big};
use crate::{Error, Result};

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cursor {
    /// mbox: byte offset of the next message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    /// folders: key of the last file done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<String>,
    /// folders: the newest change time (ns, the filesystem's clock) of the files the
    /// job's first listing saw. Files changed at or after it arrived or moved since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    horizon: Option<i64>,
    /// folders, while a resume reads such latecomers: the last one done (they are
    /// read in key order) and the newest change time that resume's listing saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    late_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    late_horizon: Option<i64>,
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
        Err(_) => Item::Skipped(Rejected::new(
            &format!("broken:{source_ref}"),
            source_ref,
            "the MIME parser gave up on this message",
        )),
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

/// `read_until(b'\n')`, keeping at most `keep` bytes of the line (the rest is read
/// and dropped), so one endless line cannot fill memory. Returns the bytes consumed.
fn read_line_bounded(r: &mut impl BufRead, line: &mut Vec<u8>, keep: usize) -> std::io::Result<usize> {
    let mut consumed = 0;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(consumed);
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = keep.saturating_sub(line.len());
        line.extend_from_slice(&buf[..take.min(room)]);
        r.consume(take);
        consumed += take;
        if done {
            return Ok(consumed);
        }
    }
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
        if read_line_bounded(&mut reader, &mut line, MAX_RAW_BYTES).map_err(|e| io_error(spec, path, e))? == 0 {
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
    // (start offset, the message's bytes as far as they are kept, its whole size)
    let mut current: Option<(u64, Vec<u8>, u64)> = None;
    let mut prev_empty = true;
    let mut line = Vec::new();
    let finish = |(start, raw, size): (u64, Vec<u8>, u64)| {
        let source_ref = format!("{}@{start}", path.display());
        // an oversized message is counted, not held: memory stays bounded
        if size > MAX_RAW_BYTES as u64 {
            Item::Skipped(too_big(&source_ref, size))
        } else {
            item(&raw, &source_ref, max_body)
        }
    };
    loop {
        line.clear();
        let n = read_line_bounded(&mut reader, &mut line, MAX_RAW_BYTES + 1).map_err(io)?;
        if n == 0 {
            if let Some(m) = current.take() {
                items.push(finish(m));
            }
            return Ok((items, pos, false));
        }
        if is_separator(&line, prev_empty) {
            if let Some(m) = current.take() {
                items.push(finish(m));
                if items.len() == max {
                    return Ok((items, pos, true));
                }
            }
            current = Some((pos, Vec::new(), 0));
        } else if let Some((_, raw, size)) = current.as_mut() {
            *size += n as u64;
            if *size <= MAX_RAW_BYTES as u64 {
                raw.extend_from_slice(unescape_from(&line));
            } else {
                raw.clear();
            }
        } else if !is_empty_line(&line) {
            // content before the first separator: a file that is not an mbox
            current = Some((pos, line.clone(), n as u64));
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
        let cursor = serde_json::to_string(&Cursor { offset: Some(next), ..Default::default() }).expect("cursor");
        Ok(Page { items, cursor, has_more, ..Default::default() })
    }
}

/// One message per file: a maildir (`cur/` and `new/` at any depth, so Maildir++
/// subfolders count) or a directory tree of `.eml` files.
pub struct FilesSource {
    spec: SourceSpec,
    root: PathBuf,
    /// (key, path): first the files before the cursor that changed since the first
    /// listing, then the rest, sorted by key.
    files: Arc<Vec<(String, PathBuf)>>,
    /// Files at `files[..late]` are the latecomers: reading them moves `late_after`,
    /// not the cursor's key.
    late: usize,
    next: usize,
    cursor: Cursor,
    max_body_bytes: usize,
}

/// When a file last changed (its inode's ctime, which a rename or a new link also
/// sets and nobody can set back), in ns: of the link itself and of what it points at.
/// A pipe or device changes whenever it is read or written, so it never counts as
/// changed (`i64::MIN`); a file that cannot be looked at always does (`i64::MAX`).
fn changed_ns(path: &Path) -> i64 {
    use std::os::unix::fs::MetadataExt;
    let ns = |m: std::fs::Metadata| {
        if m.file_type().is_file() || m.file_type().is_symlink() {
            m.ctime().saturating_mul(1_000_000_000).saturating_add(m.ctime_nsec())
        } else {
            i64::MIN
        }
    };
    let link = std::fs::symlink_metadata(path).map(ns).unwrap_or(i64::MAX);
    let target = std::fs::metadata(path).map(ns).unwrap_or(i64::MAX);
    link.max(target)
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
        let mut files: Vec<(String, i64, PathBuf)> =
            paths.into_iter().map(|p| (file_key(root, &p, maildir), changed_ns(&p), p)).collect();
        files.sort();
        let listed = files.iter().map(|(_, changed, _)| *changed).filter(|c| *c != i64::MAX && *c != i64::MIN).max();
        let mut c = parse_cursor(cursor, spec)?;
        let (late, rest): (Vec<_>, Vec<_>) = match c.after.clone() {
            None => {
                // the first listing: what it saw, by the filesystem's own clock
                c.horizon = listed;
                (Vec::new(), files)
            }
            Some(after) => {
                // before the key: what changed since the first listing (a cursor from
                // before horizons were kept: everything), less the latecomers an
                // earlier resume already read and that have not changed since
                let done_late = |k: &str, changed: i64| {
                    c.late_after.as_deref().is_some_and(|la| k <= la) && c.late_horizon.is_some_and(|h| changed < h)
                };
                let (late, rest): (Vec<_>, Vec<_>) = files.into_iter().partition(|(k, changed, _)| {
                    k.as_str() <= after.as_str() && c.horizon.is_none_or(|h| *changed >= h) && !done_late(k, *changed)
                });
                (late, rest.into_iter().filter(|(k, _, _)| k.as_str() > after.as_str()).collect())
            }
        };
        if late.is_empty() {
            Self::settle_late(&mut c);
        } else if c.late_horizon.is_none() {
            c.late_horizon = listed;
        }
        let late_n = late.len();
        let files: Vec<(String, PathBuf)> = late.into_iter().chain(rest).map(|(k, _, p)| (k, p)).collect();
        Ok(FilesSource {
            spec: spec.clone(),
            root: root.to_path_buf(),
            files: Arc::new(files),
            late: late_n,
            next: 0,
            cursor: c,
            max_body_bytes,
        })
    }

    /// Every latecomer is read: from now on "changed since" means since the listing
    /// that found them.
    fn settle_late(c: &mut Cursor) {
        if let Some(h) = c.late_horizon.take() {
            c.horizon = Some(h);
        }
        c.late_after = None;
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
            if let Some(size) = std::fs::metadata(path).ok().map(|m| m.len()).filter(|s| *s > MAX_RAW_BYTES as u64) {
                return Item::Skipped(too_big(&rel, size));
            }
            match std::fs::read(path) {
                Ok(raw) => item(&raw, &rel, max_body),
                Err(e) => Item::Skipped(Rejected::new(&format!("broken:{rel}"), &rel, &format!("unreadable: {e}"))),
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
        // latecomers move their own key; past them the key follows the sorted rest
        for (key, _) in self.files.get(self.next..end.min(self.late)).unwrap_or_default() {
            if self.cursor.late_after.as_ref().is_none_or(|la| key > la) {
                self.cursor.late_after = Some(key.clone());
            }
        }
        if end > self.late {
            if self.next <= self.late {
                Self::settle_late(&mut self.cursor);
            }
            self.cursor.after = Some(self.files[end - 1].0.clone());
        }
        self.next = end;
        let cursor = serde_json::to_string(&self.cursor).expect("cursor");
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
        // 1000.a was done, but it changed since (the move): read again, and the
        // pipeline passes over what this run committed with the same content
        assert_eq!(ids_of(&rest), ["1@x", "2@x", "3@x", "4@x"]);
    }

    fn ids_of(page: &Page) -> Vec<String> {
        page.items
            .iter()
            .filter_map(|i| if let Item::Message(e) = i { Some(e.message_id.clone()) } else { None })
            .collect()
    }

    #[tokio::test]
    async fn a_resume_reads_mail_added_before_the_cursor_or_moved_to_another_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("export");
        for f in ["a", "m", "z"] {
            std::fs::create_dir_all(root.join(f)).unwrap();
        }
        let msg = |i: u32| format!("Message-ID: <{i}@x>\nFrom: a@x.com\nSubject: s{i}\n\nb\n");
        std::fs::write(root.join("m/10.eml"), msg(10)).unwrap();
        std::fs::write(root.join("m/20.eml"), msg(20)).unwrap();
        // change times are kept at the kernel's tick: keep these apart
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(root.join("z/30.eml"), msg(30)).unwrap();
        let spec = SourceSpec::Eml(root.clone());
        let mut src = spec.open(None, 1000, &Default::default()).unwrap();
        let first = src.next_page(2).await.unwrap();
        assert_eq!(ids_of(&first), ["10@x", "20@x"]);
        // ctime has ns precision, but some filesystems round: let the clock move on
        std::thread::sleep(std::time::Duration::from_millis(20));
        // between kill and resume: a file with a name that sorts first arrives, and a
        // file not read yet is moved to a folder before the cursor
        std::fs::write(root.join("a/05.eml"), msg(5)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::rename(root.join("z/30.eml"), root.join("a/30.eml")).unwrap();
        let mut again = spec.open(Some(&first.cursor), 1000, &Default::default()).unwrap();
        let rest = again.next_page(1).await.unwrap();
        let mut seen = ids_of(&rest);
        let mut cursor = rest.cursor.clone();
        let mut more = rest.has_more;
        while more {
            // killed again between every page: each resume still sees the latecomers
            let p = spec.open(Some(&cursor), 1000, &Default::default()).unwrap().next_page(1).await.unwrap();
            seen.extend(ids_of(&p));
            (cursor, more) = (p.cursor, p.has_more);
            assert!(seen.len() < 20, "bounded: {seen:?}");
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen, ["30@x", "5@x"], "nothing skipped; 10 and 20 were done and unchanged");
    }
}
