use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Some(code) = octo_core::docs::handle_env(scan_export::command) {
        return code;
    }
    octo_core::exit::main(
        "scan-export",
        || scan_export::run(scan_export::Cli::parse()),
    )
}
