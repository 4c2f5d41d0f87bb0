use std::process::ExitCode;

fn main() -> ExitCode {
    if let Some(code) = octo_core::docs::handle_env(sec_takedown::command) {
        return code;
    }
    octo_core::exit::main("sec-takedown", || sec_takedown::run(sec_takedown::parse()))
}
