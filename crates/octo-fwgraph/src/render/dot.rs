//! Graphviz DOT text: `dot -Tsvg` or any other Graphviz renderer draws it.

use std::fmt::Write;

use crate::graph::{Graph, NodeKind};
use crate::render::palette;

/// A DOT double-quoted string: `"` and `\` escaped, line breaks as `\n`, other control
/// characters dropped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Label lines joined by DOT's centred line break.
fn label(lines: &[&str]) -> String {
    let joined = lines.join("\n");
    quote(&joined)
}

pub fn render(g: &Graph) -> String {
    let mut o = String::new();
    let mut title = format!("Firewall policy: {}", g.policy_name);
    if let Some(p) = &g.platform {
        let _ = write!(title, " ({p})");
    }
    let _ = writeln!(o, "digraph fw_graph {{");
    let _ = writeln!(
        o,
        "  graph [rankdir=LR, label={}, labelloc=t, fontname=\"DejaVu Sans\"];",
        quote(&title)
    );
    let _ = writeln!(
        o,
        "  node [shape=box, style=\"rounded,filled\", fontname=\"DejaVu Sans\", color={}];",
        quote(palette::BORDER)
    );
    let _ = writeln!(o, "  edge [fontname=\"DejaVu Sans\"];");
    for n in g.nodes_in_columns() {
        let (fill, font) = match &n.kind {
            NodeKind::Peer(k) => (palette::peer_fill(k), palette::TEXT),
            NodeKind::Service => (palette::SERVICE_FILL, palette::TEXT),
            NodeKind::Workload => (palette::WORKLOAD_FILL, palette::ON_DARK),
        };
        let _ = writeln!(
            o,
            "  {} [label={}, fillcolor={}, fontcolor={}];",
            n.id,
            label(&n.lines()),
            quote(fill),
            quote(font)
        );
    }
    for e in &g.edges {
        let (a, b) = g.segment(e);
        let colour = quote(palette::action(e.action));
        let style = if e.active { "solid" } else { "dashed" };
        let _ = writeln!(
            o,
            "  {} -> {} [label={}, color={colour}, fontcolor={colour}, style={style}, penwidth=2];",
            g.nodes[a].id,
            g.nodes[b].id,
            quote(&e.label()),
        );
    }
    for (a, b) in g.service_links() {
        let _ = writeln!(
            o,
            "  {} -> {} [color={}];",
            g.nodes[a].id,
            g.nodes[b].id,
            quote(palette::NEUTRAL)
        );
    }
    o.push_str("}\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_quotes_backslashes_and_newlines() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(quote("x\ny\u{7}"), r#""x\ny""#);
    }
}
