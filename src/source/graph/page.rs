//! One page of a Graph collection (`value`, `@odata.nextLink`, `@odata.deltaLink`,
//! `@odata.count`) read without building a JSON tree of the whole page: each message
//! is read, turned into an [`Item`] and dropped before the next, so a page costs its
//! raw bytes and the items it makes, not a tree of every message besides.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::message;
use crate::source::Item;

/// What a page held.
#[derive(Debug, Default)]
pub struct ListedPage {
    pub items: Vec<Item>,
    /// (id, `receivedDateTime`) of each message listed, in order: the watermark's
    /// material.
    pub listed: Vec<(String, String)>,
    /// Ids a delta page reports removed, with the reason (`deleted`, `changed`).
    pub removed: Vec<(String, String)>,
    pub next_link: Option<String>,
    pub delta_link: Option<String>,
    /// `@odata.count`, when asked for (`$count=true`).
    pub count: Option<i64>,
}

/// Read a page's bytes for `mailbox`, bodies capped at `max_body`.
pub fn parse(body: &[u8], mailbox: &str, max_body: usize) -> Result<ListedPage, String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let page = PageSeed { mailbox, max_body }.deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(page)
}

struct PageSeed<'a> {
    mailbox: &'a str,
    max_body: usize,
}

impl<'de> DeserializeSeed<'de> for PageSeed<'_> {
    type Value = ListedPage;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ListedPage, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'_> {
    type Value = ListedPage;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Graph collection page")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListedPage, A::Error> {
        let mut page = ListedPage::default();
        let mut saw_value = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "value" => {
                    saw_value = true;
                    map.next_value_seed(ItemsSeed { seed: &self, page: &mut page })?;
                }
                "@odata.nextLink" => page.next_link = map.next_value::<Option<String>>()?,
                "@odata.deltaLink" => page.delta_link = map.next_value::<Option<String>>()?,
                "@odata.count" => page.count = map.next_value::<Option<i64>>()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !saw_value {
            return Err(serde::de::Error::custom("the answer has no \"value\" array"));
        }
        Ok(page)
    }
}

struct ItemsSeed<'s, 'a> {
    seed: &'s PageSeed<'a>,
    page: &'s mut ListedPage,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of messages")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        // one message's tree at a time
        while let Some(m) = seq.next_element::<Value>()? {
            let id = m["id"].as_str().unwrap_or_default().to_string();
            if let Some(removed) = m.get("@removed") {
                let reason = removed["reason"].as_str().unwrap_or("deleted").to_string();
                if !id.is_empty() {
                    self.page.removed.push((id, reason));
                }
                continue;
            }
            let at = m["receivedDateTime"].as_str().unwrap_or_default().to_string();
            self.page.listed.push((id, at));
            self.page.items.push(message::to_item(&m, self.seed.mailbox, self.seed.max_body));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_reads_its_messages_links_and_count() {
        let body = serde_json::json!({
            "@odata.context": "x",
            "@odata.count": 3,
            "value": [
                {"id": "A", "receivedDateTime": "2001-05-14T23:39:00Z", "subject": "s", "body": {"content": "b"}},
                {"id": "B", "@removed": {"reason": "deleted"}},
                {"subject": "no id"}
            ],
            "@odata.nextLink": "http://g/next"
        })
        .to_string();
        let p = parse(body.as_bytes(), "u@x", 1000).unwrap();
        assert_eq!(p.count, Some(3));
        assert_eq!(p.next_link.as_deref(), Some("http://g/next"));
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.listed[0], ("A".to_string(), "2001-05-14T23:39:00Z".to_string()));
        assert_eq!(p.removed, [("B".to_string(), "deleted".to_string())]);
        assert!(matches!(p.items[1], Item::Skipped(_)));
    }

    #[test]
    fn a_page_cut_short_or_without_value_is_refused() {
        assert!(parse(b"{\"value\": [{\"id\": \"A\"}", "u@x", 10).is_err());
        assert!(parse(b"{\"error\": {}}", "u@x", 10).unwrap_err().contains("no \"value\""));
        assert!(parse(b"{\"value\": []} trailing", "u@x", 10).is_err());
    }
}
