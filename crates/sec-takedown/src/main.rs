use std::process::ExitCode;

fn main() -> ExitCode {
    octo_core::docs::main("sec-takedown", sec_takedown::command, sec_takedown::run)
}
