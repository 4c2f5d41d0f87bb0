use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Some(code) = octo_core::docs::handle_env(event_export::command) {
        return code;
    }
    octo_core::exit::main("event-export", || {
        event_export::run(event_export::Cli::parse())
    })
}
