use std::process::ExitCode;

fn main() -> ExitCode {
    octo_core::docs::main("scan-export", scan_export::command, scan_export::run)
}
