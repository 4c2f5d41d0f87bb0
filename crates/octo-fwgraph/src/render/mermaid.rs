//! Mermaid `flowchart LR` text, for Markdown renderers (GitHub, GitLab, mkdocs …).

use std::fmt::Write;

use crate::graph::{Graph, NodeKind};
use crate::model::{Action, PeerKind};
use crate::render::palette;

/// Text safe inside a quoted Mermaid label: characters Mermaid would parse (quotes, `#`, `;`,
/// `|`, angle brackets, `&`, backticks) become Mermaid entity codes; control characters are
/// dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '|' => out.push_str("#124;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn class_of(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Peer(PeerKind::Zone) => "zone",
        NodeKind::Peer(PeerKind::Group) => "group",
        NodeKind::Peer(PeerKind::UserGroup) => "usergroup",
        NodeKind::Peer(PeerKind::Any) => "any",
        NodeKind::Peer(PeerKind::Other(_)) => "other",
        NodeKind::Service => "service",
        NodeKind::Workload => "workload",
    }
}

pub fn render(g: &Graph) -> String {
    let mut o = String::new();
    let mut title = format!("Firewall policy: {}", g.policy_name);
    if let Some(p) = &g.platform {
        let _ = write!(title, " ({p})");
    }
    o.push_str("flowchart LR\n");
    // a comment cannot be escaped: keep it to one line
    let _ = writeln!(o, "  %% {}", title.replace(['\n', '\r'], " "));
    for n in g.nodes_in_columns() {
        let text: Vec<String> = n.lines().iter().map(|l| escape(l)).collect();
        let _ = writeln!(o, "  {}[\"{}\"]", n.id, text.join("<br/>"));
    }
    // link index -> style, for linkStyle lines
    let mut styles: Vec<(Option<Action>, bool)> = Vec::new();
    for e in &g.edges {
        let (a, b) = g.segment(e);
        let arrow = if e.active { "-->" } else { "-.->" };
        let _ = writeln!(
            o,
            "  {} {arrow}|\"{}\"| {}",
            g.nodes[a].id,
            escape(&e.label()),
            g.nodes[b].id
        );
        styles.push((Some(e.action), e.active));
    }
    for (a, b) in g.service_links() {
        let _ = writeln!(o, "  {} --> {}", g.nodes[a].id, g.nodes[b].id);
        styles.push((None, true));
    }
    let classes: [(&str, &str, &str, &str); 7] = [
        (
            "zone",
            palette::peer_fill(&PeerKind::Zone),
            palette::BORDER,
            palette::TEXT,
        ),
        (
            "group",
            palette::peer_fill(&PeerKind::Group),
            palette::BORDER,
            palette::TEXT,
        ),
        (
            "usergroup",
            palette::peer_fill(&PeerKind::UserGroup),
            palette::BORDER,
            palette::TEXT,
        ),
        (
            "any",
            palette::peer_fill(&PeerKind::Any),
            palette::BORDER,
            palette::TEXT,
        ),
        (
            "other",
            palette::peer_fill(&PeerKind::Other(String::new())),
            palette::BORDER,
            palette::TEXT,
        ),
        (
            "service",
            palette::SERVICE_FILL,
            palette::BORDER,
            palette::TEXT,
        ),
        (
            "workload",
            palette::WORKLOAD_FILL,
            palette::WORKLOAD_BORDER,
            palette::ON_DARK,
        ),
    ];
    for (name, fill, stroke, color) in classes {
        let members: Vec<&str> = g
            .nodes
            .iter()
            .filter(|n| class_of(&n.kind) == name)
            .map(|n| n.id.as_str())
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(
            o,
            "  classDef {name} fill:{fill},stroke:{stroke},color:{color}"
        );
        let _ = writeln!(o, "  class {} {name}", members.join(","));
    }
    let groups: [(Option<Action>, &str, &str); 4] = [
        (Some(Action::Accept), palette::action(Action::Accept), "2px"),
        (Some(Action::Drop), palette::action(Action::Drop), "2px"),
        (Some(Action::Reject), palette::action(Action::Reject), "2px"),
        (None, palette::NEUTRAL, "1px"),
    ];
    for (action, colour, width) in groups {
        let idx: Vec<String> = styles
            .iter()
            .enumerate()
            .filter(|(_, s)| s.0 == action)
            .map(|(i, _)| i.to_string())
            .collect();
        if !idx.is_empty() {
            let _ = writeln!(
                o,
                "  linkStyle {} stroke:{colour},stroke-width:{width},color:{colour}",
                idx.join(",")
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_what_mermaid_would_parse() {
        assert_eq!(
            escape(r#"a "b" #1; x|y <z> & `q`"#),
            "a #quot;b#quot; #35;1#59; x#124;y #lt;z#gt; #amp; #96;q#96;"
        );
        assert_eq!(
            escape("plain 10.0.0.0/8, [x] (y)"),
            "plain 10.0.0.0/8, [x] (y)"
        );
    }
}
