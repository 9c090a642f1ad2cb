-- Indexes the chunk path and verify need so that their cost follows the chunk, not
-- the tenant: support rows are found by message (a chunk's removals and
-- replacements), edges and their support by destination (pruning a removed node),
-- the ledger by message id alone (verify pages through it).
CREATE INDEX graph_node_support_message ON graph_node_support (tenant_id, message_id);
CREATE INDEX graph_edge_support_message ON graph_edge_support (tenant_id, message_id);
CREATE INDEX graph_edge_support_dst ON graph_edge_support (tenant_id, dst_key);
CREATE INDEX graph_edges_dst ON graph_edges (tenant_id, dst_key);
CREATE INDEX message_ledger_message ON message_ledger (tenant_id, message_id);
INSERT INTO schema_compat (version, additive, note) VALUES (10, TRUE, 'indexes only');
