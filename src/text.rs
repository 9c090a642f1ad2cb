//! Text as a store accepts it, whatever the mail says: no NUL or other control
//! characters (Postgres refuses NUL in TEXT), and keys short enough for a btree index
//! row (Postgres refuses rows over ~2.7 KB), capped with a hash of the whole so two
//! long keys stay apart.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

/// Bytes a key (a message id, a node key, an alias, an address) keeps. Five of them
/// and a tenant id fit in one Postgres index row with room to spare.
pub const KEY_MAX: usize = 512;

/// One line of text: control characters (NUL among them) become spaces and runs of
/// white space fold to one.
pub fn line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A body: line breaks and tabs stay, every other control character goes.
pub fn body(s: &str) -> Cow<'_, str> {
    let keep = |c: char| !c.is_control() || matches!(c, '\n' | '\t' | '\r');
    if s.chars().all(keep) { Cow::Borrowed(s) } else { Cow::Owned(s.chars().filter(|&c| keep(c)).collect()) }
}

/// A key for an index: one line, at most [`KEY_MAX`] bytes. A longer one keeps its
/// start (on a character boundary) and ends in `~` and 16 hex digits of the whole
/// key's sha256, so it stays unique and is the same every time.
pub fn key(s: &str) -> String {
    let s = if s.chars().any(|c| c.is_control()) { line(s) } else { s.to_string() };
    if s.len() <= KEY_MAX {
        return s;
    }
    let hash = short_hash(&[s.as_bytes()]);
    let mut end = KEY_MAX - 17;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}~{}", &s[..end], &hash[..16])
}

/// A mailbox name an operator gives (`--mailbox`): it keys the ledger, so it must be
/// one line and short enough for an index; refused with the reason otherwise.
pub fn mailbox_name(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("a mailbox name cannot be empty".into());
    }
    if t.chars().any(char::is_control) {
        return Err(format!("{s:?}: a mailbox name cannot hold control characters"));
    }
    if t.len() > MAILBOX_MAX {
        return Err(format!("a mailbox name is at most {MAILBOX_MAX} bytes; this one is {}", t.len()));
    }
    Ok(t.to_string())
}

/// Bytes a mailbox name may have: an email address is at most 254.
pub const MAILBOX_MAX: usize = 320;

/// Bytes as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The first 32 hex digits of the sha256 of `parts`: a stable name for content.
pub fn short_hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex(&h.finalize())[..32].to_string()
}

/// Cut `s` to at most `max` bytes on a character boundary; whether it was cut.
pub fn cap(s: &str, max: usize) -> (&str, bool) {
    if s.len() <= max {
        return (s, false);
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    (&s[..end], true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_bodies_lose_their_control_characters() {
        assert_eq!(line(" a\0b \u{1}\u{7f} c\r\n d\u{85}e "), "a b c d e");
        assert_eq!(body("one\ntwo\tthree\0\u{1b}[31m"), "one\ntwo\tthree[31m");
        assert!(matches!(body("plain\ntext"), Cow::Borrowed(_)));
    }

    #[test]
    fn long_keys_are_capped_with_a_hash_and_stay_apart() {
        let a = "x".repeat(3000);
        let b = format!("{}y", "x".repeat(2999));
        let (ka, kb) = (key(&a), key(&b));
        assert!(ka.len() <= KEY_MAX && kb.len() <= KEY_MAX);
        assert_ne!(ka, kb, "same start, different keys");
        assert_eq!(ka, key(&a), "the same every time");
        assert_eq!(key("short@x"), "short@x");
        let wide = "é".repeat(400); // 800 bytes, 2 each
        assert!(key(&wide).len() <= KEY_MAX && key(&wide).starts_with('é'));
        assert_eq!(key("a\0b"), "a b");
        assert_eq!(cap("ééé", 3), ("é", true));
        assert_eq!(mailbox_name(" ceo@acme.com ").unwrap(), "ceo@acme.com");
        for bad in ["", "  ", "a\nb", "x\0"] {
            assert!(mailbox_name(bad).is_err(), "{bad:?}");
        }
        assert!(mailbox_name(&"m".repeat(MAILBOX_MAX + 1)).unwrap_err().contains("at most"));
    }
}
