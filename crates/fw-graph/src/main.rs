//! fw-graph: render a Halo firewall policy as PNG, SVG, DOT, Mermaid or JSONL edges.

use std::process::ExitCode;

fn main() -> ExitCode {
    octo_core::docs::main("fw-graph", fw_graph::command, fw_graph::run)
}
