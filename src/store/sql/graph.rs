//! A chunk's graph: the support its removals and replacements take away, the
//! multi-row upserts of entities, nodes, aliases, edges and their support, and the
//! pruning of what lost its last supporting message.

use std::collections::BTreeSet;

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::chunk::context;
use super::{Engine, ROWS_PER_STATEMENT, Sql, bind_one, push_tuple, scoped};
use crate::Result;
use crate::extract::GraphWrite;
use crate::job::Lease;

/// What a chunk's removals and replacements took away: the nodes and edges that
/// may now have no support left.
#[derive(Default)]
pub(super) struct Touched {
    nodes: BTreeSet<String>,
    edges: BTreeSet<(String, String, String)>,
}

impl<DB> Sql<DB>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    str: Type<DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    /// Drop the graph support these messages gave; returns what it supported.
    pub(super) async fn take_support(conn: &mut DB::Connection, lease: &Lease, ids: &[&str]) -> Result<Touched> {
        let t = lease.tenant.as_str();
        let nodes: Vec<(String,)> = Self::for_keys(
            conn,
            ids,
            ROWS_PER_STATEMENT,
            scoped("DELETE FROM graph_node_support", t, "message_id IN "),
            bind_one,
            " RETURNING node_key",
            || context(lease, "old node support"),
        )
        .await?;
        let edges: Vec<(String, String, String)> = Self::for_keys(
            conn,
            ids,
            ROWS_PER_STATEMENT,
            scoped("DELETE FROM graph_edge_support", t, "message_id IN "),
            bind_one,
            " RETURNING src_key, rel, dst_key",
            || context(lease, "old edge support"),
        )
        .await?;
        Ok(Touched { nodes: nodes.into_iter().map(|(k,)| k).collect(), edges: edges.into_iter().collect() })
    }

    /// The chunk's graph, one multi-row upsert per table. Names and seen-times merge
    /// as [`GraphWrite`] merges them within a chunk, so chunk boundaries change nothing.
    pub(super) async fn upsert_graph(conn: &mut DB::Connection, lease: &Lease, g: &GraphWrite, now: i64) -> Result<()> {
        let t = lease.tenant.as_str();
        let entities: Vec<_> = g.entities.values().collect();
        Self::insert_rows(
            conn,
            "INSERT INTO discovered_entities (tenant_id, entity_key, kind, name, email, domain,
                 first_seen_at, last_seen_at, updated_at) ",
            &entities,
            // a display name replaces a bare address, and of two display names the
            // smaller wins (whatever order messages come in); seen-times only widen
            &format!(
                " ON CONFLICT (tenant_id, entity_key) DO UPDATE SET
                 name = CASE WHEN excluded.name = excluded.email THEN discovered_entities.name
                             WHEN discovered_entities.name = discovered_entities.email THEN excluded.name
                             WHEN excluded.name{c} < discovered_entities.name{c} THEN excluded.name
                             ELSE discovered_entities.name END,
                 first_seen_at = CASE WHEN discovered_entities.first_seen_at IS NULL
                                        OR excluded.first_seen_at < discovered_entities.first_seen_at
                                      THEN excluded.first_seen_at ELSE discovered_entities.first_seen_at END,
                 last_seen_at = CASE WHEN discovered_entities.last_seen_at IS NULL
                                       OR excluded.last_seen_at > discovered_entities.last_seen_at
                                     THEN excluded.last_seen_at ELSE discovered_entities.last_seen_at END,
                 updated_at = excluded.updated_at",
                c = DB::BYTES
            ),
            || context(lease, "entities"),
            |mut b, e| {
                b.push_bind(t).push_bind(e.key.as_str()).push_bind(e.kind.as_str()).push_bind(e.name.as_str());
                b.push_bind(e.email.as_deref()).push_bind(e.domain.as_deref());
                b.push_bind(e.first_seen_at).push_bind(e.last_seen_at).push_bind(now);
            },
        )
        .await?;
        let nodes: Vec<_> = g.nodes.values().collect();
        Self::insert_rows(
            conn,
            "INSERT INTO graph_nodes (tenant_id, node_key, kind, name, origin, updated_at) ",
            &nodes,
            &format!(
                " ON CONFLICT (tenant_id, node_key) DO UPDATE SET
                 name = CASE WHEN graph_nodes.kind = 'person' AND excluded.name LIKE '%@%' THEN graph_nodes.name
                             WHEN graph_nodes.kind = 'person' AND graph_nodes.name LIKE '%@%' THEN excluded.name
                             WHEN excluded.name{c} < graph_nodes.name{c} THEN excluded.name
                             ELSE graph_nodes.name END,
                 updated_at = excluded.updated_at",
                c = DB::BYTES
            ),
            || context(lease, "nodes"),
            |mut b, n| {
                b.push_bind(t).push_bind(n.key.as_str()).push_bind(n.kind.as_str()).push_bind(n.name.as_str());
                b.push_bind(n.origin.as_str()).push_bind(now);
            },
        )
        .await?;
        let aliases: Vec<_> = g.aliases.iter().collect();
        Self::insert_rows(
            conn,
            "INSERT INTO graph_node_aliases (tenant_id, node_key, alias) ",
            &aliases,
            " ON CONFLICT DO NOTHING",
            || context(lease, "aliases"),
            |mut b, (k, a)| {
                b.push_bind(t).push_bind(k.as_str()).push_bind(a.as_str());
            },
        )
        .await?;
        let support: Vec<_> = g.node_support.iter().collect();
        Self::insert_rows(
            conn,
            "INSERT INTO graph_node_support (tenant_id, node_key, message_id) ",
            &support,
            " ON CONFLICT DO NOTHING",
            || context(lease, "node support"),
            |mut b, (k, m)| {
                b.push_bind(t).push_bind(k.as_str()).push_bind(m.as_str());
            },
        )
        .await?;
        let edges: Vec<_> = g.edges.values().collect();
        Self::insert_rows(
            conn,
            "INSERT INTO graph_edges (tenant_id, src_key, rel, dst_key, origin, first_seen_at, last_seen_at,
                 updated_at) ",
            &edges,
            " ON CONFLICT (tenant_id, src_key, rel, dst_key) DO UPDATE SET
                 first_seen_at = CASE WHEN graph_edges.first_seen_at IS NULL
                                        OR excluded.first_seen_at < graph_edges.first_seen_at
                                      THEN excluded.first_seen_at ELSE graph_edges.first_seen_at END,
                 last_seen_at = CASE WHEN graph_edges.last_seen_at IS NULL
                                       OR excluded.last_seen_at > graph_edges.last_seen_at
                                     THEN excluded.last_seen_at ELSE graph_edges.last_seen_at END,
                 updated_at = excluded.updated_at",
            || context(lease, "edges"),
            |mut b, e| {
                b.push_bind(t).push_bind(e.key.src.as_str()).push_bind(e.key.rel.as_str());
                b.push_bind(e.key.dst.as_str()).push_bind(e.origin.as_str());
                b.push_bind(e.first_seen_at).push_bind(e.last_seen_at).push_bind(now);
            },
        )
        .await?;
        let support: Vec<_> = g.edge_support.iter().collect();
        Self::insert_rows(
            conn,
            "INSERT INTO graph_edge_support (tenant_id, src_key, rel, dst_key, message_id, stated_at) ",
            &support,
            " ON CONFLICT DO NOTHING",
            || context(lease, "edge support"),
            |mut b, ((k, m), at)| {
                b.push_bind(t).push_bind(k.src.as_str()).push_bind(k.rel.as_str()).push_bind(k.dst.as_str());
                b.push_bind(m.as_str()).push_bind(**at);
            },
        )
        .await?;
        Ok(())
    }

    /// Nodes and edges that lost their last supporting message go, and with a node its
    /// aliases, entity and edges. Only what this chunk touched: pruning the whole
    /// tenant per chunk would not scale.
    pub(super) async fn prune_touched(conn: &mut DB::Connection, lease: &Lease, touched: &Touched) -> Result<()> {
        let t = lease.tenant.as_str();
        let nodes: Vec<&String> = touched.nodes.iter().collect();
        let gone: Vec<(String,)> = Self::for_keys(
            conn,
            &nodes,
            ROWS_PER_STATEMENT,
            scoped("DELETE FROM graph_nodes", t, "node_key IN "),
            bind_one,
            " AND NOT EXISTS (SELECT 1 FROM graph_node_support s
                  WHERE s.tenant_id = graph_nodes.tenant_id AND s.node_key = graph_nodes.node_key)
              RETURNING node_key",
            || context(lease, "unsupported nodes"),
        )
        .await?;
        let gone: Vec<String> = gone.into_iter().map(|(k,)| k).collect();
        for (start, rest) in [
            ("DELETE FROM graph_node_aliases", "node_key IN "),
            ("DELETE FROM discovered_entities", "entity_key IN "),
            ("DELETE FROM graph_edge_support", "src_key IN "),
            ("DELETE FROM graph_edge_support", "dst_key IN "),
            ("DELETE FROM graph_edges", "src_key IN "),
            ("DELETE FROM graph_edges", "dst_key IN "),
        ] {
            let _: Vec<(String,)> =
                Self::for_keys(conn, &gone, ROWS_PER_STATEMENT, scoped(start, t, rest), bind_one, "", || {
                    context(lease, "what removed nodes leave behind")
                })
                .await?;
        }
        let edges: Vec<_> = touched.edges.iter().collect();
        let _: Vec<(String,)> = Self::for_keys(
            conn,
            &edges,
            ROWS_PER_STATEMENT / 3,
            scoped("DELETE FROM graph_edges", t, "(src_key, rel, dst_key) IN "),
            |sep, (s, r, d)| push_tuple(sep, &[s.as_str(), r.as_str(), d.as_str()]),
            " AND NOT EXISTS (SELECT 1 FROM graph_edge_support s WHERE s.tenant_id = graph_edges.tenant_id
                  AND s.src_key = graph_edges.src_key AND s.rel = graph_edges.rel AND s.dst_key = graph_edges.dst_key)",
            || context(lease, "unsupported edges"),
        )
        .await?;
        Ok(())
    }
}
