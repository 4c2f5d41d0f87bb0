//! The graph every output format draws: peers (sources and targets), services and the workload,
//! and one edge per distinct rule.
//!
//! An INPUT rule reads `source → service → workload`, an OUTPUT rule `workload → service →
//! target`. The rule itself (action, position, count, active) belongs to the peer–service
//! segment; the service–workload segment is shared by every rule through that service and is
//! drawn once ([`Graph::service_links`]).
//!
//! Sources and targets are separate nodes even when the same zone is both: the drawing reads left
//! to right, inbound on the left of the workload and outbound on the right.
//!
//! Duplicate rules — same chain, action, active flag, peer and service — collapse into one edge
//! that remembers every position and counts them.

use std::collections::HashMap;

use crate::model::{Action, Chain, Peer, PeerKind, Policy, Rule, Service};

/// Which column group a node sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// Sources and INPUT services: left of the workload.
    In,
    /// The workload itself.
    Center,
    /// OUTPUT services and targets: right of the workload.
    Out,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    Peer(PeerKind),
    Service,
    Workload,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// A short identifier that is safe in DOT and Mermaid: `src1` sources, `svcin1` INPUT
    /// services, `workload`, `svcout1` OUTPUT services, `dst1` targets — numbered in rule order.
    pub id: String,
    pub kind: NodeKind,
    pub side: Side,
    /// The first line of the label (a name, a `TCP/22` …).
    pub title: String,
    /// Further label lines (type, addresses, service name, policy).
    pub detail: Vec<String>,
}

impl Node {
    /// Every label line, title first.
    pub fn lines(&self) -> Vec<&str> {
        std::iter::once(self.title.as_str())
            .chain(self.detail.iter().map(String::as_str))
            .collect()
    }

    /// `FirewallZone`, `Group`, `UserGroup`, `any`, `service` or `workload`.
    pub fn type_name(&self) -> &str {
        match &self.kind {
            NodeKind::Peer(k) => k.api_name(),
            NodeKind::Service => "service",
            NodeKind::Workload => "workload",
        }
    }
}

/// One distinct rule (after collapsing duplicates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub chain: Chain,
    pub action: Action,
    pub active: bool,
    /// Every position this rule appears at, ascending; never empty.
    pub positions: Vec<u64>,
    /// Index of the source (INPUT) or target (OUTPUT) node.
    pub peer: usize,
    /// Index of the service node.
    pub service: usize,
    /// `TCP/22`, `ICMP`, a service name, or `any`.
    pub service_spec: String,
}

impl Edge {
    /// The first position (what a firewall evaluates first).
    pub fn position(&self) -> u64 {
        self.positions[0]
    }

    pub fn count(&self) -> usize {
        self.positions.len()
    }

    /// `ACCEPT #3`, `DROP #5 ×2`, `REJECT #7 (inactive)`.
    pub fn label(&self) -> String {
        let mut s = format!("{} #{}", self.action.as_str(), self.position());
        if self.count() > 1 {
            s.push_str(&format!(" ×{}", self.count()));
        }
        if !self.active {
            s.push_str(" (inactive)");
        }
        s
    }
}

/// What to include and how to name the workload.
#[derive(Debug, Clone, Default)]
pub struct GraphOptions {
    /// Draw inactive rules too (dashed, marked "inactive").
    pub include_inactive: bool,
    /// The group the policy protects: the workload's label. Without it, the policy name.
    pub group_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    pub policy_name: String,
    pub policy_id: Option<String>,
    pub platform: Option<String>,
    pub nodes: Vec<Node>,
    /// Index of the workload node.
    pub workload: usize,
    /// In chain order (INPUT first), then by first position.
    pub edges: Vec<Edge>,
    /// Inactive rules left out (zero with `include_inactive`).
    pub omitted_inactive: usize,
}

impl Graph {
    pub fn workload(&self) -> &Node {
        &self.nodes[self.workload]
    }

    /// The service nodes of each side, each once, in node order: INPUT services link to the
    /// workload, the workload links to OUTPUT services. Returns `(from, to)` node indices.
    pub fn service_links(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if n.kind != NodeKind::Service || !self.edges.iter().any(|e| e.service == i) {
                continue;
            }
            match n.side {
                Side::In => out.push((i, self.workload)),
                Side::Out => out.push((self.workload, i)),
                Side::Center => {}
            }
        }
        out
    }

    /// The nodes in drawing order, left to right: sources, INPUT services, the workload, OUTPUT
    /// services, targets; within each, in rule order.
    pub fn nodes_in_columns(&self) -> Vec<&Node> {
        let column = |n: &Node| match (&n.kind, n.side) {
            (NodeKind::Peer(_), Side::In) => 0,
            (NodeKind::Service, Side::In) => 1,
            (NodeKind::Workload, _) | (_, Side::Center) => 2,
            (NodeKind::Service, Side::Out) => 3,
            (NodeKind::Peer(_), Side::Out) => 4,
        };
        let mut v: Vec<&Node> = self.nodes.iter().collect();
        v.sort_by_key(|n| column(n));
        v
    }

    /// Edge endpoints as `(from, to)` of the peer–service segment.
    pub fn segment(&self, e: &Edge) -> (usize, usize) {
        match e.chain {
            Chain::Input => (e.peer, e.service),
            Chain::Output => (e.service, e.peer),
        }
    }
}

/// Wrap a zone's addresses into lines of at most ~34 characters, at most 4 lines.
fn address_lines(addrs: &[String]) -> Vec<String> {
    const WIDTH: usize = 34;
    const MAX_LINES: usize = 4;
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, a) in addrs.iter().enumerate() {
        let piece = if i + 1 < addrs.len() {
            format!("{a},")
        } else {
            a.clone()
        };
        if !cur.is_empty() && cur.chars().count() + 1 + piece.chars().count() > WIDTH {
            lines.push(std::mem::take(&mut cur));
            if lines.len() == MAX_LINES {
                let shown: usize = lines.iter().map(|l| l.matches(',').count()).sum();
                let last = lines.last_mut().expect("MAX_LINES > 0");
                last.push_str(&format!(" … +{} more", addrs.len() - shown));
                return lines;
            }
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&piece);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

fn peer_node(peer: &Peer, side: Side, id: String) -> Node {
    let mut detail = vec![peer.kind.describe()];
    if peer.kind == PeerKind::Zone {
        detail.extend(address_lines(&peer.addresses));
    }
    Node {
        id,
        kind: NodeKind::Peer(peer.kind.clone()),
        side,
        title: peer.name.clone(),
        detail,
    }
}

fn service_node(service: Option<&Service>, side: Side, id: String) -> Node {
    let (title, detail) = match service {
        None => ("any service".to_string(), Vec::new()),
        Some(s) => {
            let spec = s.spec();
            let detail = match &s.name {
                Some(n) if *n != spec => vec![n.clone()],
                _ => Vec::new(),
            };
            (spec, detail)
        }
    };
    Node {
        id,
        kind: NodeKind::Service,
        side,
        title,
        detail,
    }
}

type PeerKey = (Side, PeerKind, String, Vec<String>);
type ServiceKey = (Side, Option<String>, Option<String>, Option<String>);

/// Build the graph of a policy.
pub fn build(policy: &Policy, opts: &GraphOptions) -> Graph {
    let platform_suffix = policy
        .platform
        .as_deref()
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    let workload = match &opts.group_name {
        Some(g) => Node {
            id: "workload".into(),
            kind: NodeKind::Workload,
            side: Side::Center,
            title: g.clone(),
            detail: vec![format!("firewall policy: {}{platform_suffix}", policy.name)],
        },
        None => Node {
            id: "workload".into(),
            kind: NodeKind::Workload,
            side: Side::Center,
            title: policy.name.clone(),
            detail: vec![format!("firewall policy{platform_suffix}")],
        },
    };
    let mut nodes = vec![workload];
    let mut peers: HashMap<PeerKey, usize> = HashMap::new();
    let mut services: HashMap<ServiceKey, usize> = HashMap::new();
    let mut counters = [0usize; 4]; // s, i, o, t
    let mut edges: Vec<Edge> = Vec::new();
    let mut edge_index: HashMap<(Chain, Action, bool, usize, usize), usize> = HashMap::new();
    let mut omitted_inactive = 0;

    let mut rules: Vec<&Rule> = policy.rules.iter().collect();
    rules.sort_by_key(|r| (r.chain, r.position, r.index));
    for rule in rules {
        if !rule.active && !opts.include_inactive {
            omitted_inactive += 1;
            continue;
        }
        let side = match rule.chain {
            Chain::Input => Side::In,
            Chain::Output => Side::Out,
        };
        let pkey: PeerKey = (
            side,
            rule.peer.kind.clone(),
            rule.peer.name.clone(),
            rule.peer.addresses.clone(),
        );
        let peer = *peers.entry(pkey).or_insert_with(|| {
            let (slot, prefix) = if side == Side::In {
                (0, "src")
            } else {
                (3, "dst")
            };
            counters[slot] += 1;
            nodes.push(peer_node(
                &rule.peer,
                side,
                format!("{prefix}{}", counters[slot]),
            ));
            nodes.len() - 1
        });
        let s = rule.service.as_ref();
        let skey: ServiceKey = (
            side,
            s.and_then(|s| s.protocol.clone()),
            s.and_then(|s| s.port.clone()),
            s.and_then(|s| s.name.clone()),
        );
        let service = *services.entry(skey).or_insert_with(|| {
            let (slot, prefix) = if side == Side::In {
                (1, "svcin")
            } else {
                (2, "svcout")
            };
            counters[slot] += 1;
            nodes.push(service_node(s, side, format!("{prefix}{}", counters[slot])));
            nodes.len() - 1
        });
        let key = (rule.chain, rule.action, rule.active, peer, service);
        match edge_index.get(&key) {
            Some(&i) => edges[i].positions.push(rule.position),
            None => {
                edge_index.insert(key, edges.len());
                edges.push(Edge {
                    chain: rule.chain,
                    action: rule.action,
                    active: rule.active,
                    positions: vec![rule.position],
                    peer,
                    service,
                    service_spec: s.map(Service::spec).unwrap_or_else(|| "any".into()),
                });
            }
        }
    }
    for e in &mut edges {
        e.positions.sort_unstable();
    }
    edges.sort_by_key(|e| (e.chain, e.position(), !e.active));
    Graph {
        policy_name: policy.name.clone(),
        policy_id: policy.id.clone(),
        platform: policy.platform.clone(),
        nodes,
        workload: 0,
        edges,
        omitted_inactive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_policy;
    use serde_json::json;

    fn policy() -> Policy {
        let zone = json!({"type": "FirewallZone", "name": "office", "ip_address": "10.0.0.0/8"});
        let ssh = json!({"protocol": "TCP", "port": "22", "name": "ssh"});
        parse_policy(&json!({"name": "web", "platform": "linux", "firewall_rules": [
            {"chain": "INPUT", "action": "ACCEPT", "active": true, "position": 1, "firewall_source": zone, "firewall_service": ssh},
            {"chain": "INPUT", "action": "ACCEPT", "active": true, "position": 4, "firewall_source": zone, "firewall_service": ssh},
            {"chain": "INPUT", "action": "DROP", "active": true, "position": 2, "firewall_source": null, "firewall_service": ssh},
            {"chain": "INPUT", "action": "ACCEPT", "active": false, "position": 3, "firewall_source": zone, "firewall_service": null},
            {"chain": "OUTPUT", "action": "ACCEPT", "active": true, "position": 1, "firewall_target": zone, "firewall_service": null},
        ]}))
        .unwrap()
    }

    #[test]
    fn duplicates_collapse_and_inactive_rules_are_omitted() {
        let g = build(&policy(), &GraphOptions::default());
        assert_eq!(g.omitted_inactive, 1);
        let labels: Vec<String> = g.edges.iter().map(Edge::label).collect();
        assert_eq!(labels, vec!["ACCEPT #1 ×2", "DROP #2", "ACCEPT #1"]);
        assert_eq!(g.edges[0].positions, vec![1, 4]);
        // the same zone is a source and a target: two nodes, one per side
        let titles: Vec<(&str, &str)> = g
            .nodes
            .iter()
            .map(|n| (n.id.as_str(), n.title.as_str()))
            .collect();
        assert_eq!(
            titles,
            vec![
                ("workload", "web"),
                ("src1", "office"),
                ("svcin1", "TCP/22"),
                ("src2", "any"),
                ("dst1", "office"),
                ("svcout1", "any service")
            ]
        );
        assert_eq!(g.nodes[1].detail, vec!["IP zone", "10.0.0.0/8"]);
        assert_eq!(g.nodes[2].detail, vec!["ssh"]);
        assert_eq!(g.service_links(), vec![(2, 0), (0, 5)]);
    }

    #[test]
    fn all_includes_inactive_and_group_names_the_workload() {
        let opts = GraphOptions {
            include_inactive: true,
            group_name: Some("web-servers".into()),
        };
        let g = build(&policy(), &opts);
        assert_eq!(g.omitted_inactive, 0);
        assert!(g.edges.iter().any(|e| e.label() == "ACCEPT #3 (inactive)"));
        assert_eq!(g.workload().title, "web-servers");
        assert_eq!(g.workload().detail, vec!["firewall policy: web (linux)"]);
    }

    #[test]
    fn long_address_lists_wrap_and_truncate() {
        let addrs: Vec<String> = (0..40).map(|i| format!("10.0.{i}.0/24")).collect();
        let lines = address_lines(&addrs);
        assert_eq!(lines.len(), 4);
        assert!(lines.iter().all(|l| l.chars().count() <= 48), "{lines:?}");
        assert!(lines[3].ends_with("more"), "{lines:?}");
        let shown: usize = lines.iter().map(|l| l.matches("/24").count()).sum();
        assert!(
            lines[3].ends_with(&format!("+{} more", 40 - shown)),
            "{lines:?}"
        );
        assert_eq!(address_lines(&["1.2.3.4".into()]), vec!["1.2.3.4"]);
    }
}
