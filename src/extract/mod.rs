//! Structured memory: what a chunk adds to the tenant's graph. Extractors fill a
//! [`GraphWrite`]; the store upserts it in the chunk's one transaction.

pub mod llm;
pub mod people;
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
    /// Every key that reaches the store goes through here: one line, index-sized.
    fn keyed(k: &str) -> String {
        crate::text::key(k)
    }

    pub fn entity(&mut self, mut row: EntityRow) {
        row.key = Self::keyed(&row.key);
        match self.entities.get_mut(&row.key) {
            Some(e) => {
                e.first_seen_at = min_opt(e.first_seen_at, row.first_seen_at);
                e.last_seen_at = max_opt(e.last_seen_at, row.last_seen_at);
                // as the store merges: a display name over the address, the smaller
                // of two display names, whatever order messages come in
                let address = |n: &str| e.email.as_deref() == Some(n);
                if !address(&row.name) && (address(&e.name) || row.name < e.name) {
                    e.name = row.name;
                }
            }
            None => {
                self.entities.insert(row.key.clone(), row);
            }
        }
    }

    /// Add a node mentioned by `message_id`, with an optional alias.
    pub fn node(&mut self, mut row: NodeRow, alias: Option<&str>, message_id: &str) {
        row.key = Self::keyed(&row.key);
        if let Some(a) = alias.filter(|a| !a.is_empty()) {
            self.alias(&row.key, a);
        }
        self.node_support.insert((row.key.clone(), message_id.to_string()));
        match self.nodes.get_mut(&row.key) {
            // the store's upsert applies the same rule, so neither chunk boundaries
            // nor the order pages arrive in change a name: a display name replaces a
            // bare address, and of two display names the smaller wins
            Some(n) => {
                let address = |s: &str| n.kind == "person" && s.contains('@');
                if !address(&row.name) && (address(&n.name) || row.name < n.name) {
                    n.name = row.name;
                }
            }
            None => {
                self.nodes.insert(row.key.clone(), row);
            }
        }
    }

    /// Another name of a node (`key` as given to [`GraphWrite::node`]).
    pub fn alias(&mut self, key: &str, alias: &str) {
        self.aliases.insert((Self::keyed(key), Self::keyed(alias)));
    }

    /// What one message of the chunk supports: its nodes (with their entities and
    /// aliases), its edges and their support. Writing every message's part writes the
    /// whole (the store's upserts merge as [`GraphWrite`] does).
    pub fn of_message(&self, message_id: &str) -> GraphWrite {
        let mut g = GraphWrite::default();
        for (key, m) in self.node_support.iter().filter(|(_, m)| m == message_id) {
            g.node_support.insert((key.clone(), m.clone()));
            if let Some(n) = self.nodes.get(key) {
                g.nodes.insert(key.clone(), n.clone());
            }
            if let Some(e) = self.entities.get(key) {
                g.entities.insert(key.clone(), e.clone());
            }
            g.aliases.extend(self.aliases.iter().filter(|(k, _)| k == key).cloned());
        }
        for ((edge, m), at) in self.edge_support.iter().filter(|((_, m), _)| m == message_id) {
            g.edge_support.insert((edge.clone(), m.clone()), *at);
            if let Some(e) = self.edges.get(edge) {
                g.edges.insert(edge.clone(), e.clone());
            }
        }
        g
    }

    /// Add an edge stated by `message_id` at `at`.
    pub fn edge(&mut self, key: EdgeKey, origin: &str, message_id: &str, at: Option<i64>) {
        let key = EdgeKey { src: Self::keyed(&key.src), rel: Self::keyed(&key.rel), dst: Self::keyed(&key.dst) };
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
