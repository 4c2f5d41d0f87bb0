//! fw-graph: render a Halo firewall policy as PNG, SVG, DOT, Mermaid or JSONL edges.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Some(code) = octo_core::docs::handle_env(fw_graph::command) {
        return code;
    }
    octo_core::exit::main("fw-graph", || fw_graph::run(fw_graph::Cli::parse()))
}
