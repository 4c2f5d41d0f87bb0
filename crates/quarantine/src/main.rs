use std::process::ExitCode;

fn main() -> ExitCode {
    octo_core::docs::main("quarantine", quarantine::command, quarantine::run)
}
