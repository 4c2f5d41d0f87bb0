use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Some(code) = octo_core::docs::handle_env(quarantine::command) {
        return code;
    }
    octo_core::exit::main("quarantine", || quarantine::run(quarantine::Cli::parse()))
}
