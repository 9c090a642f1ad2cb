//! Rule-based structured memory, for every tenant and with no key: people (pinned by
//! their lowercase address, display names kept as aliases), organisations (one per
//! domain), threads, and the edges between them that the headers state.

use super::{EdgeKey, EntityRow, GraphWrite, NodeRow};
use crate::email::{Email, Mailbox};

pub const ORIGIN: &str = "rules";

pub const REL_SENT: &str = "sent";
pub const REL_MEMBER_OF: &str = "member_of";
pub const REL_PARTICIPATES_IN: &str = "participates_in";

pub fn person_key(address: &str) -> String {
    format!("person:{address}")
}

pub fn org_key(domain: &str) -> String {
    format!("org:{domain}")
}

pub fn thread_key(key: &str) -> String {
    format!("thread:{key}")
}

/// Extract the rule-based graph of a chunk.
pub fn extract(emails: &[Email], out: &mut GraphWrite) {
    for e in emails {
        let at = e.date_ms;
        let thread = thread_key(&e.thread_key);
        out.node(
            NodeRow {
                key: thread.clone(),
                kind: "thread".into(),
                name: if e.subject.is_empty() { e.thread_key.clone() } else { e.subject.clone() },
                origin: ORIGIN.into(),
            },
            None,
            &e.message_id,
        );
        let mut people: Vec<&Mailbox> = e.from.iter().collect();
        people.extend(e.recipients());
        for m in &people {
            person(out, m, e, at);
            out.edge(
                EdgeKey { src: person_key(&m.address), rel: REL_PARTICIPATES_IN.into(), dst: thread.clone() },
                ORIGIN,
                &e.message_id,
                at,
            );
        }
        if let Some(from) = &e.from {
            for r in e.recipients().filter(|r| r.address != from.address) {
                out.edge(
                    EdgeKey { src: person_key(&from.address), rel: REL_SENT.into(), dst: person_key(&r.address) },
                    ORIGIN,
                    &e.message_id,
                    at,
                );
            }
        }
    }
}

fn person(out: &mut GraphWrite, m: &Mailbox, e: &Email, at: Option<i64>) {
    let key = person_key(&m.address);
    let name = m.name.clone().unwrap_or_else(|| m.address.clone());
    let domain = m.address.rsplit_once('@').map(|(_, d)| d.to_string());
    out.entity(EntityRow {
        key: key.clone(),
        kind: "person".into(),
        name: name.clone(),
        email: Some(m.address.clone()),
        domain: domain.clone(),
        first_seen_at: at,
        last_seen_at: at,
    });
    out.node(
        NodeRow { key: key.clone(), kind: "person".into(), name, origin: ORIGIN.into() },
        m.name.as_deref(),
        &e.message_id,
    );
    out.alias(&key, &m.address);
    if let Some(d) = domain {
        let org = org_key(&d);
        out.entity(EntityRow {
            key: org.clone(),
            kind: "organization".into(),
            name: d.clone(),
            email: None,
            domain: Some(d.clone()),
            first_seen_at: at,
            last_seen_at: at,
        });
        out.node(
            NodeRow { key: org.clone(), kind: "organization".into(), name: d, origin: ORIGIN.into() },
            None,
            &e.message_id,
        );
        out.edge(EdgeKey { src: key, rel: REL_MEMBER_OF.into(), dst: org }, ORIGIN, &e.message_id, at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::parse_rfc822;

    #[test]
    fn people_orgs_threads_and_edges_from_headers() {
        let a = parse_rfc822(
            b"Message-ID: <1@x>\nFrom: Alice A <ALICE@acme.com>\nTo: bob@beta.org\nSubject: Plan\n\nhi\n",
            "a",
            1000,
        )
        .unwrap();
        let b = parse_rfc822(
            b"Message-ID: <2@x>\nFrom: \"Alice Anders\" <alice@acme.com>\nTo: bob@beta.org\nSubject: Re: Plan\n\nhi again\n",
            "b",
            1000,
        )
        .unwrap();
        let mut g = GraphWrite::default();
        extract(&[a, b], &mut g);
        assert!(g.nodes.contains_key("person:alice@acme.com"));
        assert!(g.nodes.contains_key("org:acme.com"));
        assert!(g.nodes.contains_key("thread:subject:plan"), "{:?}", g.nodes.keys());
        let aliases: Vec<_> =
            g.aliases.iter().filter(|(k, _)| k == "person:alice@acme.com").map(|(_, a)| a.as_str()).collect();
        assert_eq!(aliases, ["Alice A", "Alice Anders", "alice@acme.com"]);
        let sent =
            EdgeKey { src: "person:alice@acme.com".into(), rel: REL_SENT.into(), dst: "person:bob@beta.org".into() };
        let support: Vec<_> = g.edge_support.keys().filter(|(k, _)| *k == sent).map(|(_, m)| m.as_str()).collect();
        assert_eq!(support, ["1@x", "2@x"], "weight 2, with the supporting message ids");
        assert_eq!(g.entities.len(), 4);
    }
}
