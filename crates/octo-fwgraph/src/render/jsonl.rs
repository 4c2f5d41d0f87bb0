//! One `fw-graph.edge/v1` record per edge (schema: `bin-docs/schemas/fw-graph.edge.v1.json`).

use serde_json::{Value, json};

use crate::graph::Graph;
use crate::model::Chain;

pub const RECORD: &str = "fw-graph.edge/v1";

/// The records, in edge order (INPUT first, then by position).
pub fn records(g: &Graph) -> Vec<Value> {
    let w = g.workload();
    g.edges
        .iter()
        .map(|e| {
            let peer = &g.nodes[e.peer];
            let (from, to) = match e.chain {
                Chain::Input => (peer, w),
                Chain::Output => (w, peer),
            };
            json!({
                "record": RECORD,
                "chain": e.chain.as_str(),
                "action": e.action.as_str(),
                "position": e.position(),
                "active": e.active,
                "count": e.count(),
                "from": from.title,
                "from_type": from.type_name(),
                "service": e.service_spec,
                "to": to.title,
                "to_type": to.type_name(),
                "policy": g.policy_name,
                "policy_id": g.policy_id,
            })
        })
        .collect()
}

/// The records as JSON Lines.
pub fn render(g: &Graph) -> String {
    let mut out = String::new();
    for r in records(g) {
        out.push_str(&r.to_string());
        out.push('\n');
    }
    out
}
