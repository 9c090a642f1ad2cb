//! The normalised `Email` every later stage uses, and the RFC 822 / MIME parsing that
//! produces it. Parsing never fails a job: a message it cannot use comes back as a
//! [`Rejected`] with the reason, which the ledger records.

use mail_parser::{Address, HeaderValue, MessageParser};

use crate::text;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Default cap on the text body handed to extraction and embedding.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024;

/// Messages larger than this are not parsed at all (a backup tarball mailed to oneself).
pub const MAX_RAW_BYTES: usize = 50 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    /// Lowercased; the resolution key of a person.
    pub address: String,
    pub name: Option<String>,
}

/// A message as a source read it, before it is an [`Email`].
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    /// The ledger key: tenant-wide where the source has one (Message-ID), so the
    /// copies several mailboxes hold are one message in the memory.
    pub message_id: String,
    /// The source's own id for this copy, where it is not `message_id` (Graph's
    /// immutable id, which its delta removals name).
    pub source_id: Option<String>,
    pub from: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// Unix milliseconds, as the message states it (implausible dates are kept).
    pub date_ms: Option<i64>,
    pub subject: String,
    /// Conversation key: the thread root from References / In-Reply-To, else the
    /// subject without reply prefixes, else the message id.
    pub thread_key: String,
    /// The full text body (text/plain, or HTML converted to text), capped.
    pub body: String,
    pub body_truncated: bool,
    /// Where the message came from in the source (file, offset), for operators.
    pub source_ref: String,
}

/// The normalised message every later stage uses: a [`Message`] and the hash of its
/// content, set by the one constructor, [`Email::new`], and read-only after that.
#[derive(Debug, Clone, Serialize)]
pub struct Email {
    #[serde(flatten)]
    message: Message,
    /// sha256 over the normalised content; what memoisation and `verify` compare.
    content_hash: String,
}

impl std::ops::Deref for Email {
    type Target = Message;

    fn deref(&self) -> &Message {
        &self.message
    }
}

/// The range of dates a message may carry: 0001-01-01 to 9999-12-31 (UTC). A date
/// outside it is no date at all.
pub const DATE_RANGE_MS: std::ops::RangeInclusive<i64> = -62_135_596_800_000..=253_402_300_799_999;

impl Email {
    /// Make the message storable (no control characters in what reaches SQL, index
    /// keys within bounds, a date within 0001-9999), hash the content (every source
    /// hashes alike) and seal it.
    pub fn new(mut message: Message) -> Self {
        let m = &mut message;
        m.subject = text::line(&m.subject);
        m.body = text::body(&m.body).into_owned();
        m.thread_key = text::key(&m.thread_key);
        m.source_ref = text::line(&m.source_ref);
        m.date_ms = m.date_ms.filter(|d| DATE_RANGE_MS.contains(d));
        for mb in m.from.iter_mut().chain(m.to.iter_mut()).chain(m.cc.iter_mut()) {
            mb.address = text::line(&mb.address);
            mb.name = mb.name.as_deref().map(text::line).filter(|n| !n.is_empty());
        }
        m.message_id = text::key(&m.message_id);
        if m.message_id.is_empty() {
            // an id made only of what a store refuses: name it by its content instead
            let parts = [m.subject.as_bytes(), m.body.as_bytes(), m.source_ref.as_bytes()];
            m.message_id = format!("sha256:{}", short_hash(&parts));
        }
        // not hashed: the copies of one message in several mailboxes hash alike
        m.source_id = m.source_id.as_deref().map(text::key).filter(|s| !s.is_empty() && *s != m.message_id);
        let mut hasher = Sha256::new();
        for part in [message.message_id.as_str(), &message.subject, &message.body] {
            hasher.update(part.as_bytes());
            hasher.update([0u8]);
        }
        for m in message.from.iter().chain(&message.to).chain(&message.cc) {
            hasher.update(m.address.as_bytes());
            hasher.update([0u8]);
        }
        hasher.update(message.date_ms.unwrap_or(0).to_le_bytes());
        Email { content_hash: hex(&hasher.finalize()), message }
    }

    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }

    /// The texts the semantic memory embeds: first the message vector's (the subject
    /// and what its sender wrote weigh most, quoted history little:
    /// `quoted::vector_text`), then one per passage (`passage::of`). The body is
    /// split at its history once for both.
    pub fn embedding_texts(&self) -> Vec<String> {
        let s = crate::quoted::split(&self.body);
        let mut texts = vec![crate::quoted::vector_text(&self.subject, &s)];
        texts.extend(crate::passage::of(&self.body, &s));
        texts
    }

    /// What its words are found by (the vector table's text column, BM25): the
    /// subject and the whole body, quoted history included.
    pub fn search_text(&self) -> String {
        if self.subject.is_empty() { self.body.clone() } else { format!("{}\n\n{}", self.subject, self.body) }
    }

    pub fn recipients(&self) -> impl Iterator<Item = &Mailbox> {
        self.to.iter().chain(self.cc.iter())
    }
}

/// A message the pipeline could not use, with the reason an operator reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub message_id: String,
    pub source_ref: String,
    pub reason: String,
}

impl Rejected {
    /// As storable as an [`Email`]: an index-safe id, one-line reference and reason.
    pub fn new(message_id: &str, source_ref: &str, reason: &str) -> Self {
        Rejected { message_id: text::key(message_id), source_ref: text::line(source_ref), reason: text::line(reason) }
    }
}

/// A message over [`MAX_RAW_BYTES`], recorded without being read whole.
pub fn too_big(source_ref: &str, size: u64) -> Rejected {
    Rejected::new(
        &format!("broken:{}", short_hash(&[source_ref.as_bytes(), size.to_string().as_bytes()])),
        source_ref,
        &format!("message is {size} bytes, over the {MAX_RAW_BYTES} byte limit"),
    )
}

/// Parse one raw RFC 822 message.
pub fn parse_rfc822(raw: &[u8], source_ref: &str, max_body_bytes: usize) -> Result<Email, Rejected> {
    let reject = |reason: String| {
        Rejected::new(&format!("broken:{}", short_hash(&[source_ref.as_bytes(), raw])), source_ref, &reason)
    };
    if raw.len() > MAX_RAW_BYTES {
        return Err(reject(format!("message is {} bytes, over the {} byte limit", raw.len(), MAX_RAW_BYTES)));
    }
    let raw = strip_mbox_envelope(raw);
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(reject("empty message".into()));
    }
    let Some(msg) = MessageParser::default().parse(raw) else {
        return Err(reject("not a MIME message: no header block could be parsed".into()));
    };
    let has_headers = msg.message_id().is_some()
        || msg.from().is_some()
        || msg.date().is_some()
        || msg.subject().is_some()
        || msg.to().is_some();
    if !has_headers {
        return Err(reject("no RFC 822 headers: Message-ID, From, To, Date and Subject are all missing".into()));
    }

    let subject = msg.subject().map(text::line).unwrap_or_default();
    let full_body = (0..msg.text_body_count())
        .filter_map(|i| msg.body_text(i))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    if subject.is_empty() && full_body.is_empty() {
        return Err(reject("no text content: no subject and no text or HTML body".into()));
    }
    let (body, body_truncated) = text::cap(&full_body, max_body_bytes);
    let body = body.to_string();

    let message_id = match msg
        .message_id()
        .map(|id| text::line(id).trim_matches(|c| c == '<' || c == '>').trim().to_string())
        .filter(|id| !id.is_empty())
    {
        Some(id) => id,
        // stable across runs: the same bytes always get the same id
        None => format!("sha256:{}", short_hash(&[raw])),
    };
    let from = msg.from().and_then(|a| mailboxes(a).into_iter().next());
    let to = msg.to().map(mailboxes).unwrap_or_default();
    let cc = msg.cc().map(mailboxes).unwrap_or_default();
    let date_ms = msg.date().and_then(|d| d.to_timestamp().checked_mul(1000));
    let thread_key = thread_key(msg.references(), msg.in_reply_to(), &subject, &message_id);

    Ok(Email::new(Message {
        message_id,
        source_id: None,
        from,
        to,
        cc,
        date_ms,
        subject,
        thread_key,
        body,
        body_truncated,
        source_ref: source_ref.to_string(),
    }))
}

/// Files from mbox exports often keep their `From sender date` envelope line.
fn strip_mbox_envelope(raw: &[u8]) -> &[u8] {
    if raw.starts_with(b"From ") {
        match raw.iter().position(|&b| b == b'\n') {
            Some(nl) => &raw[nl + 1..],
            None => &raw[raw.len()..],
        }
    } else {
        raw
    }
}

fn mailboxes(addr: &Address<'_>) -> Vec<Mailbox> {
    let mut out: Vec<Mailbox> = Vec::new();
    for a in addr.iter() {
        let Some(address) = a.address().and_then(normalise_address) else { continue };
        if out.iter().any(|m| m.address == address) {
            continue;
        }
        let name = a
            .name()
            .map(text::line)
            .map(|n| n.trim_matches(|c| c == '"' || c == '\'').trim().to_string())
            .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(&address));
        out.push(Mailbox { address, name });
    }
    out
}

/// Lowercase and trim an address, without brackets, quotes, a `mailto:` or the
/// domain's trailing dot: what is certainly one address becomes one spelling (one
/// person node). `None` when it has no usable `local@domain` shape. Real exports
/// carry oddities such as `k..allen@enron.com`: those are kept as written (they may
/// be someone else; `extract::people` reports them as candidates).
pub fn normalise_address(raw: &str) -> Option<String> {
    let a = raw.trim().trim_matches(|c| c == '<' || c == '>' || c == '"' || c == '\'').trim();
    let a = match a.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("mailto:") => &a[7..],
        _ => a,
    };
    let (local, domain) = a.rsplit_once('@')?;
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if local.is_empty() || domain.is_empty() || a.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    Some(format!("{local}@{domain}").to_lowercase())
}

fn thread_key(references: &HeaderValue<'_>, in_reply_to: &HeaderValue<'_>, subject: &str, id: &str) -> String {
    let first_id = |v: &HeaderValue<'_>| -> Option<String> {
        let s = match v {
            HeaderValue::Text(t) => Some(t.to_string()),
            HeaderValue::TextList(l) => l.first().map(|t| t.to_string()),
            _ => None,
        }?;
        let s = s.trim().trim_matches(|c| c == '<' || c == '>').to_string();
        (!s.is_empty()).then_some(s)
    };
    if let Some(root) = first_id(references).or_else(|| first_id(in_reply_to)) {
        return format!("msg:{root}");
    }
    let base = base_subject(subject);
    if !base.is_empty() {
        return format!("subject:{base}");
    }
    format!("msg:{id}")
}

/// The subject without `Re:` / `Fw:` / `Fwd:` prefixes, lowercased and whitespace-folded.
pub fn base_subject(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let cut = ["re:", "fw:", "fwd:", "aw:", "sv:", "re :", "fw :"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len());
        match cut {
            Some(n) => s = s[n..].trim_start(),
            None => break,
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

pub use crate::text::{hex, short_hash};

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &[u8] = b"Message-ID: <abc@enron.com>\r\nDate: Mon, 14 May 2001 16:39:00 -0700 (PDT)\r\nFrom: Phillip K Allen <Phillip.Allen@enron.com>\r\nTo: tim.belden@enron.com, k..allen@enron.com\r\nCc: \"Jane\" <JANE@Example.org>\r\nSubject: RE: Re: Forecast\r\n\r\nHere is our forecast\r\n";

    #[test]
    fn one_address_one_spelling_and_odd_ones_kept() {
        for raw in ["<Ann@X.org>", "mailto:ann@x.org", "MAILTO:Ann@X.Org.", "\"ann@x.org\"", " ann@x.org "] {
            assert_eq!(normalise_address(raw).as_deref(), Some("ann@x.org"), "{raw}");
        }
        assert_eq!(normalise_address("k..allen@enron.com").as_deref(), Some("k..allen@enron.com"));
        assert_eq!(normalise_address(".williams@enron.com").as_deref(), Some(".williams@enron.com"));
        for bad in ["mailto:", "ann@", "@x.org", "an n@x.org", "ann@."] {
            assert_eq!(normalise_address(bad), None, "{bad}");
        }
    }

    #[test]
    fn normalises_a_plain_message() {
        let e = parse_rfc822(PLAIN, "inbox/1.", 10_240).unwrap();
        assert_eq!(e.message_id, "abc@enron.com");
        let from = e.from.as_ref().unwrap();
        assert_eq!(from.address, "phillip.allen@enron.com");
        assert_eq!(from.name.as_deref(), Some("Phillip K Allen"));
        let to: Vec<_> = e.to.iter().map(|m| m.address.as_str()).collect();
        assert_eq!(to, ["tim.belden@enron.com", "k..allen@enron.com"]);
        assert_eq!(e.cc[0].address, "jane@example.org");
        assert_eq!(e.thread_key, "subject:forecast");
        assert_eq!(e.body, "Here is our forecast");
        assert_eq!(e.date_ms, Some(989883540000));
    }

    #[test]
    fn html_bodies_become_text_and_bodies_are_capped_not_previewed() {
        let html = format!(
            "From: a@b.com\r\nSubject: s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>{}</p><p>tail-marker</p></body></html>",
            "word ".repeat(400)
        );
        let e = parse_rfc822(html.as_bytes(), "x", 10_240).unwrap();
        assert!(!e.body.contains("<p>"), "{}", &e.body[..80]);
        assert!(e.body.contains("tail-marker"), "the whole body, not a 500-char preview");
        let capped = parse_rfc822(html.as_bytes(), "x", 100).unwrap();
        assert!(capped.body.len() <= 100 && capped.body_truncated);
    }

    #[test]
    fn cap_respects_char_boundaries() {
        assert_eq!(text::cap("ééé", 3), ("é", true));
    }

    #[test]
    fn broken_messages_are_rejected_with_a_reason() {
        assert_eq!(parse_rfc822(b"", "f", 100).unwrap_err().reason, "empty message");
        let r = parse_rfc822(b"\x00\x01\x02 garbage without headers", "g", 100).unwrap_err();
        assert!(r.reason.contains("headers") || r.reason.contains("MIME"), "{}", r.reason);
        assert!(r.message_id.starts_with("broken:"));
    }

    #[test]
    fn missing_message_id_gets_a_stable_one() {
        let raw = b"From: a@b.com\r\nSubject: hi\r\n\r\nbody\r\n";
        let a = parse_rfc822(raw, "x", 100).unwrap();
        let b = parse_rfc822(raw, "y", 100).unwrap();
        assert!(a.message_id.starts_with("sha256:"));
        assert_eq!(a.message_id, b.message_id);
    }

    #[test]
    fn control_characters_never_reach_the_store() {
        let raw = b"Message-ID: <a\x00b@x>\nFrom: \"Ann\x00\" <ann@x.com>\nTo: bad\x00addr@x.com\nSubject: =?utf-8?q?hi=00there?=\n\nbody\n";
        let e = parse_rfc822(raw, "x", 100).unwrap();
        for s in [
            e.message_id.as_str(),
            e.subject.as_str(),
            e.from.as_ref().unwrap().name.as_deref().unwrap(),
            e.thread_key.as_str(),
        ] {
            assert!(!s.contains('\0'), "{s:?}");
        }
        assert!(e.to.is_empty(), "an address with a NUL is not an address");
        let empty = parse_rfc822(b"Message-ID: <>\nFrom: a@x.com\nSubject: s\n\nb\n", "x", 100).unwrap();
        assert!(empty.message_id.starts_with("sha256:"), "{}", empty.message_id);
    }

    #[test]
    fn mbox_envelope_line_is_ignored() {
        let raw = b"From someone@x Thu Jul 11 2002\nMessage-ID: <q@x>\nFrom: a@x.com\nSubject: s\n\nbody\n";
        assert_eq!(parse_rfc822(raw, "x", 100).unwrap().message_id, "q@x");
    }
}
