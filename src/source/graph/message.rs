//! A Graph `message` resource (JSON) to the normalised [`Email`].
//!
//! The ledger key of a Graph message is its Internet Message-ID, as an export's is:
//! the sender's Sent Items and each recipient's Inbox hold copies with ids of their
//! own, and the memory holds the message once. The copy's immutable id (what delta
//! queries name in `@removed`; it survives moves between folders) is kept beside it.
//! A message without an Internet Message-ID (a draft) is keyed by that id.

use serde_json::Value;

use crate::email::{Email, Mailbox, Message, Rejected, base_subject, normalise_address};
use crate::source::Item;
use crate::text;

/// The properties a backfill needs, and no more (`$select`).
pub const SELECT: &str = "id,internetMessageId,conversationId,subject,from,sender,toRecipients,ccRecipients,receivedDateTime,sentDateTime,body,parentFolderId";

/// One message of a list or delta page.
pub fn to_item(v: &Value, mailbox: &str, max_body_bytes: usize) -> Item {
    let s = |k: &str| v[k].as_str().map(str::trim).filter(|x| !x.is_empty());
    let Some(id) = s("id") else {
        let digest = crate::text::short_hash(&[v.to_string().as_bytes()]);
        return Item::Skipped(Rejected::new(
            &format!("broken:{digest}"),
            &format!("graph:{mailbox}"),
            "Graph returned a message without an id",
        ));
    };
    let source_ref = format!("graph:{mailbox}:{}", s("internetMessageId").unwrap_or(id));
    let subject = s("subject").map(text::line).unwrap_or_default();
    let content = v["body"]["content"].as_str().unwrap_or_default();
    // Prefer: outlook.body-content-type="text" is a request, not a promise
    let plain = if v["body"]["contentType"].as_str().is_some_and(|t| t.eq_ignore_ascii_case("html")) {
        mail_parser::decoders::html::html_to_text(content)
    } else {
        content.to_string()
    };
    let plain = clean_body(&plain);
    if subject.is_empty() && plain.is_empty() {
        return Item::Skipped(Rejected::new(id, &source_ref, "no text content: no subject and no body"));
    }
    let (body, body_truncated) = text::cap(&plain, max_body_bytes);
    let body = body.to_string();
    let date_ms = s("sentDateTime").or(s("receivedDateTime")).and_then(parse_time);
    let from = person(&v["from"]).or_else(|| person(&v["sender"]));
    let thread_key = match s("conversationId") {
        Some(c) => format!("conv:{c}"),
        None if !base_subject(&subject).is_empty() => format!("subject:{}", base_subject(&subject)),
        None => format!("msg:{id}"),
    };
    let key = s("internetMessageId").map(|m| m.trim_matches(|c| c == '<' || c == '>').trim()).filter(|m| !m.is_empty());
    Item::Message(Email::new(Message {
        message_id: key.unwrap_or(id).to_string(),
        source_id: Some(id.to_string()),
        from,
        to: people(&v["toRecipients"]),
        cc: people(&v["ccRecipients"]),
        date_ms,
        subject,
        thread_key,
        body,
        body_truncated,
        source_ref,
    }))
}

/// `receivedDateTime` (RFC 3339, UTC) as unix milliseconds.
pub fn parse_time(s: &str) -> Option<i64> {
    crate::time::parse_rfc3339(s).ok()
}

fn person(v: &Value) -> Option<Mailbox> {
    let address = normalise_address(v["emailAddress"]["address"].as_str()?)?;
    let name = v["emailAddress"]["name"]
        .as_str()
        .map(text::line)
        .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(&address));
    Some(Mailbox { address, name })
}

fn people(v: &Value) -> Vec<Mailbox> {
    let mut out: Vec<Mailbox> = Vec::new();
    for p in v.as_array().into_iter().flatten().filter_map(person) {
        if !out.iter().any(|m| m.address == p.address) {
            out.push(p);
        }
    }
    out
}

/// Line ends folded to `\n`; control characters other than tab and newline dropped
/// (Postgres TEXT refuses NUL).
fn clean_body(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/graph").join(name);
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
    }

    #[test]
    fn a_real_captured_page_maps_to_full_messages() {
        let page = fixture("list-messages_users-id-messages_real-capture_page1_nextLink.json");
        let items: Vec<Item> = page["value"].as_array().unwrap().iter().map(|m| to_item(m, "u@x", 10_240)).collect();
        assert!(!items.is_empty());
        let Item::Message(e) = &items[0] else { panic!("{:?}", items[0]) };
        assert!(!e.message_id.is_empty() && e.from.is_some() && !e.to.is_empty(), "{e:?}");
        assert!(e.thread_key.starts_with("conv:"), "{}", e.thread_key);
        assert!(!e.body.contains("<html") && !e.body.contains("<div"), "HTML became text: {}", e.body);
        assert!(e.date_ms.is_some() && e.content_hash().len() == 64);
    }

    #[test]
    fn text_bodies_are_kept_whole_up_to_the_cap() {
        let msg = fixture("message-get_v1.0_example3_prefer-text-body.json");
        let Item::Message(e) = to_item(&msg, "u@x", 10_240) else { panic!() };
        assert_eq!(e.body, clean_body(msg["body"]["content"].as_str().unwrap()));
        let long = serde_json::json!({"id": "A", "subject": "s", "body": {"contentType": "text", "content": "é".repeat(20_000)}});
        let Item::Message(e) = to_item(&long, "u@x", 10_240) else { panic!() };
        assert!(e.body_truncated && e.body.len() <= 10_240 && e.body.len() > 10_000);
    }

    #[test]
    fn unusable_messages_are_skipped_with_a_reason() {
        let Item::Skipped(r) = to_item(&serde_json::json!({"subject": "x"}), "u@x", 100) else { panic!() };
        assert!(r.reason.contains("without an id") && r.message_id.starts_with("broken:"));
        let Item::Skipped(r) = to_item(&serde_json::json!({"id": "B", "body": {"content": " "}}), "u@x", 100) else {
            panic!()
        };
        assert_eq!(r.message_id, "B");
    }

    #[test]
    fn copies_in_two_mailboxes_are_one_message() {
        let copy = |id: &str, mailbox: &str| {
            let v = serde_json::json!({"id": id, "internetMessageId": "<m1@x.com>", "subject": "s",
                "body": {"contentType": "text", "content": "hello"}, "sentDateTime": "2001-01-01T00:00:00Z"});
            let Item::Message(e) = to_item(&v, mailbox, 100) else { panic!() };
            e
        };
        let (sent, inbox) = (copy("AAMk-sent=", "a@x.com"), copy("AAMk-inbox=", "b@x.com"));
        assert_eq!((sent.message_id.as_str(), inbox.message_id.as_str()), ("m1@x.com", "m1@x.com"));
        assert_eq!(sent.content_hash(), inbox.content_hash(), "one content, however many copies");
        assert_eq!((sent.source_id.as_deref(), inbox.source_id.as_deref()), (Some("AAMk-sent="), Some("AAMk-inbox=")));
        let draft = serde_json::json!({"id": "AAMk-draft=", "subject": "s", "body": {"content": "x"}});
        let Item::Message(e) = to_item(&draft, "a@x.com", 100) else { panic!() };
        assert_eq!((e.message_id.as_str(), e.source_id.as_deref()), ("AAMk-draft=", None));
    }

    #[test]
    fn graph_times_parse() {
        assert_eq!(parse_time("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_time("2016-10-19T10:37:00.5Z"), Some(1_476_873_420_500));
        assert_eq!(parse_time("yesterday"), None);
    }
}
