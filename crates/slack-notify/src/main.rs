use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Some(code) = octo_core::docs::handle_env(slack_notify::command) {
        return code;
    }
    octo_core::exit::main("slack-notify", || {
        slack_notify::run(slack_notify::Cli::parse())
    })
}
