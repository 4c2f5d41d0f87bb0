use std::process::ExitCode;

fn main() -> ExitCode {
    octo_core::docs::main("octo-bot", octo_bot::command, octo_bot::run)
}
