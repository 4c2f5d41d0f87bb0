use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Some(code) = octo_core::docs::handle_env(ipblock::command) {
        return code;
    }
    octo_core::exit::main("ipblock", || ipblock::run(ipblock::Cli::parse()))
}
