use std::process::ExitCode;

fn main() -> ExitCode {
    octo_core::docs::main("ipblock", ipblock::command, ipblock::run)
}
