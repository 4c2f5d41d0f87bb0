use std::process::ExitCode;

fn main() -> ExitCode {
    octo_core::docs::main("event-export", event_export::command, event_export::run)
}
