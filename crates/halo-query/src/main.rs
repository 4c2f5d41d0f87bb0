use std::process::ExitCode;

fn main() -> ExitCode {
    octo_core::docs::main("halo-query", halo_query::command, halo_query::run)
}
