//! The simulator's man page and shell completions (`make docs`), like every octobox binary's.
//!
//! The other binaries use `octo_core::docs`; octo-sim depends on no octobox crate (so it can never
//! hide a client bug by sharing the client's code), hence these few lines of its own. Its
//! `tests/docs.rs` checks them against `octo_core::docs::stale`, so both write the same files.

use std::path::Path;
use std::process::ExitCode;

use clap_complete::Shell;

/// The variable `make docs` sets to the output directory (as for the other binaries).
pub const GENERATE_ENV: &str = "OCTO_GENERATE_DOCS";

/// Write `DIR/man/NAME.1` and bash, zsh and fish completions into `DIR/completions/`.
pub fn generate(cmd: clap::Command, dir: &Path) -> anyhow::Result<()> {
    // The plain version: committed docs change only when flags do.
    let mut cmd = cmd.version(env!("CARGO_PKG_VERSION"));
    let name = cmd.get_name().to_string();
    let (man_dir, comp_dir) = (dir.join("man"), dir.join("completions"));
    std::fs::create_dir_all(&man_dir)?;
    std::fs::create_dir_all(&comp_dir)?;
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    std::fs::write(man_dir.join(format!("{name}.1")), buf)?;
    for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(sh, &mut cmd, &name, &comp_dir)?;
    }
    Ok(())
}

/// When `OCTO_GENERATE_DOCS=DIR` is set: generate the docs of `cmd` there and return the exit
/// code to end with; otherwise `None`.
pub fn handle_env(cmd: impl FnOnce() -> clap::Command) -> Option<ExitCode> {
    let dir = std::env::var_os(GENERATE_ENV)?;
    match generate(cmd(), Path::new(&dir)) {
        Ok(()) => Some(ExitCode::SUCCESS),
        Err(e) => {
            tracing::error!("octo-sim: generating docs: {e:#}");
            Some(ExitCode::from(1))
        }
    }
}
