use std::process::ExitCode;

fn main() -> ExitCode {
    octo_core::docs::main("ec2-delta", ec2_delta::command, ec2_delta::run)
}
