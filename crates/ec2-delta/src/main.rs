use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Some(code) = octo_core::docs::handle_env(ec2_delta::command) {
        return code;
    }
    octo_core::exit::main("ec2-delta", || ec2_delta::run(ec2_delta::Cli::parse()))
}
