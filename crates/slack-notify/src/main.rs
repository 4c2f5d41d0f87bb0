use std::process::ExitCode;

fn main() -> ExitCode {
    octo_core::docs::main("slack-notify", slack_notify::command, slack_notify::run)
}
