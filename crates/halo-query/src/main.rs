use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Some(code) = octo_core::docs::handle_env(halo_query::command) {
        return code;
    }
    octo_core::exit::main("halo-query", || halo_query::run(halo_query::Cli::parse()))
}
