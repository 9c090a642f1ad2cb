//! Entity resolution for LLM extractions: people are pinned by their lowercase email
//! address (the same key as the rule-based person, so the two merge), everything else
//! by type + a normalised name (case, whitespace, punctuation and diacritics folded);
//! names become aliases. Keys are the unique keys the store upserts on, so concurrent
//! writers cannot make duplicates.

use std::collections::HashMap;

use super::llm::{Extraction, LlmEntity};
use super::rules::person_key;
use super::{EdgeKey, GraphWrite, NodeRow};
use crate::email::{Email, normalise_address};

pub const ORIGIN: &str = "llm";
const KINDS: [&str; 7] = ["person", "organization", "project", "place", "product", "event", "other"];

/// `Müller-Lüdenscheidt  GmbH.` → `muller ludenscheidt gmbh`: compatibility
/// decomposition with the combining marks dropped (so precomposed and combining
/// accents agree), lowercase, letters without a decomposition spelled out, and
/// everything that is not a letter or digit a single space.
pub fn normalise_name(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let mut folded = String::with_capacity(s.len());
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase) {
        match c {
            'ß' => folded.push_str("ss"),
            'æ' => folded.push_str("ae"),
            'œ' => folded.push_str("oe"),
            'þ' => folded.push_str("th"),
            'ł' => folded.push('l'),
            'đ' | 'ð' => folded.push('d'),
            'ø' => folded.push('o'),
            'ı' => folded.push('i'),
            c => folded.push(c),
        }
    }
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A relationship type as an edge label: `Works For` → `works_for`.
fn relation(kind: &str) -> String {
    let r = normalise_name(kind).replace(' ', "_");
    r.chars().take(64).collect()
}

/// The node key of an extracted entity; `None` when nothing of its name is left.
pub fn entity_key(e: &LlmEntity) -> Option<String> {
    let kind = e.kind.trim().to_lowercase();
    let kind = if KINDS.contains(&kind.as_str()) { kind } else { "other".to_string() };
    if kind == "person"
        && let Some(address) = e.email.as_deref().and_then(normalise_address)
    {
        return Some(person_key(&address));
    }
    let name = normalise_name(&e.name);
    (!name.is_empty()).then(|| format!("{kind}:{name}"))
}

/// A model's string as the store can hold it: control characters (NUL among them,
/// which Postgres TEXT refuses and which would fail the whole chunk) dropped, and cut
/// to a sane length.
fn clean(s: &str) -> String {
    crate::text::line(&s.chars().take(200).collect::<String>())
}

/// Add one message's extraction to the chunk's graph.
pub fn apply(email: &Email, x: &Extraction, g: &mut GraphWrite) {
    let mut by_name: HashMap<String, String> = HashMap::new();
    for e in &x.entities {
        let e = &LlmEntity {
            name: clean(&e.name),
            kind: clean(&e.kind),
            description: String::new(),
            email: e.email.as_deref().map(clean),
        };
        let Some(key) = entity_key(e) else { continue };
        let kind = key.split(':').next().unwrap_or("other").to_string();
        let name = e.name.trim();
        let display = if name.is_empty() { key.clone() } else { name.to_string() };
        g.node(NodeRow { key: key.clone(), kind, name: display, origin: ORIGIN.into() }, Some(name), &email.message_id);
        by_name.insert(normalise_name(name), key.clone());
        if let Some(a) = e.email.as_deref().and_then(normalise_address) {
            by_name.insert(normalise_name(&a), key);
        }
    }
    for r in &x.relationships {
        let (Some(src), Some(dst)) =
            (by_name.get(&normalise_name(&clean(&r.source))), by_name.get(&normalise_name(&clean(&r.target))))
        else {
            continue; // the model named something it did not list
        };
        let rel = relation(&clean(&r.kind));
        if src == dst || rel.is_empty() {
            continue;
        }
        g.edge(EdgeKey { src: src.clone(), rel, dst: dst.clone() }, ORIGIN, &email.message_id, email.date_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::super::llm::LlmRelation;
    use super::*;

    fn ent(name: &str, kind: &str, email: Option<&str>) -> LlmEntity {
        LlmEntity { name: name.into(), kind: kind.into(), description: String::new(), email: email.map(String::from) }
    }

    #[test]
    fn names_fold_case_space_punctuation_and_diacritics() {
        assert_eq!(normalise_name("  Müller-Lüdenscheidt   GmbH. "), "muller ludenscheidt gmbh");
        assert_eq!(normalise_name("ÉLISE  d'Orléans"), "elise d orleans");
        assert_eq!(normalise_name("Škoda Łódź"), normalise_name("skoda lodz"));
        assert_eq!(normalise_name("Straße"), normalise_name("STRASSE"));
        assert_eq!(normalise_name("Mu\u{308}ller"), "muller", "combining accents as precomposed ones");
        assert_eq!(entity_key(&ent("Enron Corp.", "Organization", None)).unwrap(), "organization:enron corp");
        assert_eq!(entity_key(&ent("enron  corp", "organization", None)).unwrap(), "organization:enron corp");
        assert_eq!(entity_key(&ent("Ann", "person", Some("Ann@Acme.COM"))).unwrap(), "person:ann@acme.com");
        assert_eq!(entity_key(&ent("X", "spaceship", None)).unwrap(), "other:x");
        assert!(entity_key(&ent("...", "project", None)).is_none());
    }

    #[test]
    fn people_merge_with_rule_based_nodes_and_edges_need_listed_ends() {
        let email = crate::email::parse_rfc822(
            b"Message-ID: <m1@x>\r\nFrom: Ann <ann@acme.com>\r\nTo: bob@acme.com\r\nSubject: s\r\n\r\nbody\r\n",
            "t",
            1000,
        )
        .unwrap();
        let x = Extraction {
            entities: vec![ent("Ann Smith", "person", Some("ann@acme.com")), ent("Project Falcon", "project", None)],
            relationships: vec![
                LlmRelation {
                    source: "Ann Smith".into(),
                    target: "project falcon".into(),
                    kind: "Leads".into(),
                    description: String::new(),
                },
                LlmRelation {
                    source: "Ann Smith".into(),
                    target: "Nobody".into(),
                    kind: "knows".into(),
                    description: String::new(),
                },
            ],
        };
        let mut g = GraphWrite::default();
        super::super::rules::extract(std::slice::from_ref(&email), &mut g);
        apply(&email, &x, &mut g);
        assert_eq!(g.nodes["person:ann@acme.com"].origin, "rules", "one node: the rule-based person");
        assert!(g.aliases.contains(&("person:ann@acme.com".to_string(), "Ann Smith".to_string())));
        let edge =
            EdgeKey { src: "person:ann@acme.com".into(), rel: "leads".into(), dst: "project:project falcon".into() };
        assert!(g.edges.contains_key(&edge));
        assert!(!g.edges.keys().any(|k| k.rel == "knows"), "an edge to an unlisted entity is dropped");
    }
}
