//! octo-fwgraph: draw a Halo firewall policy as a graph — the engine of `fw-graph` (its command
//! line) and of octo-bot's `firewall` answer, library only so that no binary imports another.
//!
//! ```text
//! sources ─[ACCEPT #1]→ services → workload → services ─[DROP #4]→ destinations
//! ```
//!
//! Pipeline: [`model::parse_policy`] (JSON → typed rules) → [`graph::build`] (nodes, edges,
//! duplicates collapsed, inactive rules filtered) → a text format ([`render::dot`],
//! [`render::mermaid`], [`render::jsonl`]) or [`layout::layout`] → a drawing ([`render::svg`],
//! [`render::png`]). [`render`] does all of it; [`read_policy_document`] turns raw input bytes
//! into the JSON value with line-numbered errors. [`font`] registers the embedded DejaVu Sans.

pub mod font;
pub mod graph;
pub mod layout;
pub mod model;
pub mod render;

use anyhow::Context;
use octo_core::InputError;
use serde_json::Value;

pub use graph::{Graph, GraphOptions};
pub use model::{Policy, PolicyError};

/// Output format: a picture, or the edges as records (`fw-graph.edge/v1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// PNG image (needs --out unless stdout is redirected)
    Png,
    /// SVG image
    Svg,
    /// Graphviz DOT text
    Dot,
    /// Mermaid flowchart text
    Mermaid,
    /// One fw-graph.edge/v1 JSON record per edge (default when stdout is piped)
    Jsonl,
    /// The edge records as one JSON array
    Json,
    /// The edge records as CSV
    Csv,
    /// The edge records as a table (default on a terminal)
    Table,
}

impl Format {
    /// Whether the output is binary (must not go to a terminal).
    pub fn is_binary(self) -> bool {
        self == Format::Png
    }

    /// The records format, when this is one (the edges as `fw-graph.edge/v1` records).
    pub fn records(self) -> Option<octo_core::output::Format> {
        use octo_core::output::Format as R;
        match self {
            Format::Jsonl => Some(R::Jsonl),
            Format::Json => Some(R::Json),
            Format::Csv => Some(R::Csv),
            Format::Table => Some(R::Table),
            Format::Png | Format::Svg | Format::Dot | Format::Mermaid => None,
        }
    }

    /// The format a record format stands for.
    pub fn from_records(f: octo_core::output::Format) -> Format {
        use octo_core::output::Format as R;
        match f {
            R::Jsonl => Format::Jsonl,
            R::Json => Format::Json,
            R::Csv => Format::Csv,
            R::Table => Format::Table,
        }
    }
}

/// Table columns of the edge records (without `--columns`).
pub const EDGE_COLUMNS: &[&str] = &[
    "chain", "position", "action", "from", "service", "to", "active", "count",
];

/// What to render and how.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub format: Format,
    /// Draw inactive rules too.
    pub include_inactive: bool,
    /// Label the workload with this group name instead of the policy name.
    pub group_name: Option<String>,
}

/// Rendered output, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub format: Format,
    pub bytes: Vec<u8>,
}

/// Parse, build and render a policy (`{"firewall_policy": {...}}` or the bare object).
///
/// A policy that cannot be read fails with a [`PolicyError`] in the chain.
pub fn render(policy: &Value, opts: &RenderOptions) -> anyhow::Result<Rendered> {
    render_graph(&build(policy, opts)?, opts.format)
}

/// Parse a policy and build its graph (what [`render`] draws).
///
/// A policy that cannot be read fails with a [`PolicyError`] in the chain.
pub fn build(policy: &Value, opts: &RenderOptions) -> anyhow::Result<Graph> {
    let policy = model::parse_policy(policy)?;
    Ok(graph::build(
        &policy,
        &GraphOptions {
            include_inactive: opts.include_inactive,
            group_name: opts.group_name.clone(),
        },
    ))
}

/// Render an already built graph.
pub fn render_graph(graph: &Graph, format: Format) -> anyhow::Result<Rendered> {
    let bytes = match format {
        Format::Dot => render::dot::render(graph).into_bytes(),
        Format::Mermaid => render::mermaid::render(graph).into_bytes(),
        Format::Jsonl => render::jsonl::render(graph).into_bytes(),
        Format::Json | Format::Csv | Format::Table => {
            let args = octo_core::output::OutputArgs {
                format: format.records(),
                ..Default::default()
            };
            let defaults = octo_core::output::Defaults::RECORDS.table_columns(EDGE_COLUMNS);
            octo_core::output::to_vec(&args, defaults, &render::jsonl::records(graph))?
        }
        Format::Svg => {
            let l = layout::layout(graph).context("laying out the graph")?;
            render::svg::render(&l)?.into_bytes()
        }
        Format::Png => {
            let l = layout::layout(graph).context("laying out the graph")?;
            render::png::render(&l)?
        }
    };
    Ok(Rendered { format, bytes })
}

/// Read exactly one JSON document (a firewall policy) from raw input. Malformed JSON, an empty
/// input or a second document is an [`InputError`] naming `source_name` and the line.
pub fn read_policy_document(bytes: &[u8], source_name: &str) -> Result<Value, InputError> {
    let bad = |line: usize, message: String| InputError {
        source_name: source_name.to_string(),
        line: line.max(1) as u64,
        field: None,
        message,
    };
    let bytes = octo_core::json::strip_bom(bytes);
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Value>();
    let value = match stream.next() {
        None => {
            return Err(bad(
                1,
                "empty input: expected a firewall policy JSON object".into(),
            ));
        }
        Some(Err(e)) => return Err(bad(e.line(), format!("malformed JSON: {e}"))),
        Some(Ok(v)) => v,
    };
    match stream.next() {
        None => Ok(value),
        Some(Err(e)) => Err(bad(
            e.line(),
            format!("malformed JSON after the policy: {e}"),
        )),
        Some(Ok(_)) => {
            let line = 1 + bytes[..stream.byte_offset()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            Err(bad(
                line,
                "a second JSON document: expected exactly one firewall policy".into(),
            ))
        }
    }
}

/// The [`InputError`] (exit 3) for a policy that parsed as JSON but is not a usable policy.
pub fn policy_input_error(source_name: &str, e: &PolicyError) -> InputError {
    let mut message = e.message.clone();
    if let Some(p) = e.position {
        message = format!("rule at position {p}: {message}");
    }
    InputError {
        source_name: source_name.to_string(),
        line: 1,
        field: Some(e.field.clone()),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_document_exactly() {
        assert!(read_policy_document(b" {\"a\": 1}\n", "stdin").is_ok());
        let e = read_policy_document(b"{\"a\": ", "stdin").unwrap_err();
        assert_eq!((e.source_name.as_str(), e.line), ("stdin", 1));
        assert!(e.message.starts_with("malformed JSON"), "{e}");
        let e = read_policy_document(b"{}\n{}\n", "p.json").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.to_string()
                .starts_with("p.json:2: a second JSON document"),
            "{e}"
        );
        let e = read_policy_document(b"", "stdin").unwrap_err();
        assert!(e.message.contains("empty"));
        let e = read_policy_document(b"{\n\"a\": tru }", "stdin").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn policy_errors_become_input_errors() {
        let v = serde_json::json!({"name": "p", "firewall_rules": [{"chain": "INPUT", "position": 2, "active": true}]});
        let opts = RenderOptions {
            format: Format::Dot,
            include_inactive: false,
            group_name: None,
        };
        let err = render(&v, &opts).unwrap_err();
        let pe = err.downcast_ref::<PolicyError>().expect("a PolicyError");
        let ie = policy_input_error("stdin", pe);
        assert_eq!(
            ie.to_string(),
            "stdin:1: field `firewall_rules[0].action`: rule at position 2: missing"
        );
    }
}
