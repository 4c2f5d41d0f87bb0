use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(octo_core::docs::main_from(
        "sec-takedown",
        sec_takedown::command,
        sec_takedown::args(),
        sec_takedown::run,
    ))
}
