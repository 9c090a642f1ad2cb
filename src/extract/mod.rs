//! Structured memory: what a chunk adds to the tenant's graph. Extractors fill a
//! [`GraphWrite`]; the store upserts it in the chunk's one transaction.

pub mod llm;
pub mod resolve;
pub mod rules;

use std::collections::{BTreeMap, BTreeSet};

/// A rule-based `DiscoveredEntity` (people and organisations from the headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRow {
    pub key: String,
    pub kind: String,
    pub name: String,
    pub email: Option<String>,
    pub domain: Option<String>,
    pub first_seen_at: Option<i64>,
    pub last_seen_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRow {
    pub key: String,
    pub kind: String,
    pub name: String,
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EdgeKey {
    pub src: String,
    pub rel: String,
    pub dst: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeRow {
    pub key: EdgeKey,
    pub origin: String,
    pub first_seen_at: Option<i64>,
    pub last_seen_at: Option<i64>,
}

/// Everything one chunk writes to the graph, deduplicated by key so one multi-row
/// upsert never touches a row twice (Postgres refuses that).
#[derive(Debug, Default, Clone)]
pub struct GraphWrite {
    pub entities: BTreeMap<String, EntityRow>,
    pub nodes: BTreeMap<String, NodeRow>,
    pub aliases: BTreeSet<(String, String)>,
    pub node_support: BTreeSet<(String, String)>,
    pub edges: BTreeMap<EdgeKey, EdgeRow>,
    /// (edge, message id) → when the message stated it.
    pub edge_support: BTreeMap<(EdgeKey, String), Option<i64>>,
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

impl GraphWrite {
    pub fn entity(&mut self, row: EntityRow) {
        match self.entities.get_mut(&row.key) {
            Some(e) => {
                e.first_seen_at = min_opt(e.first_seen_at, row.first_seen_at);
                e.last_seen_at = max_opt(e.last_seen_at, row.last_seen_at);
                if e.email.as_deref() == Some(e.name.as_str()) && row.name != e.name {
                    e.name = row.name;
                }
            }
            None => {
                self.entities.insert(row.key.clone(), row);
            }
        }
    }

    /// Add a node mentioned by `message_id`, with an optional alias.
    pub fn node(&mut self, row: NodeRow, alias: Option<&str>, message_id: &str) {
        if let Some(a) = alias.filter(|a| !a.is_empty()) {
            self.aliases.insert((row.key.clone(), a.to_string()));
        }
        self.node_support.insert((row.key.clone(), message_id.to_string()));
        match self.nodes.get_mut(&row.key) {
            // the store's upsert applies the same rule, so chunk boundaries never
            // change a name: a display name replaces a bare address
            Some(n) if n.kind == "person" && n.name.contains('@') && !row.name.contains('@') => n.name = row.name,
            Some(_) => {}
            None => {
                self.nodes.insert(row.key.clone(), row);
            }
        }
    }

    /// Add an edge stated by `message_id` at `at`.
    pub fn edge(&mut self, key: EdgeKey, origin: &str, message_id: &str, at: Option<i64>) {
        self.edge_support.insert((key.clone(), message_id.to_string()), at);
        match self.edges.get_mut(&key) {
            Some(e) => {
                e.first_seen_at = min_opt(e.first_seen_at, at);
                e.last_seen_at = max_opt(e.last_seen_at, at);
            }
            None => {
                self.edges.insert(
                    key.clone(),
                    EdgeRow { key, origin: origin.to_string(), first_seen_at: at, last_seen_at: at },
                );
            }
        }
    }
}
