//! Man pages and shell completions generated from clap definitions (`make docs`).
//!
//! Every binary calls [`handle_env`] first thing in `main`: when `OCTO_GENERATE_DOCS=DIR` is set
//! it writes `DIR/man/NAME.1` and completions for bash, zsh and fish into `DIR/completions/`, and
//! exits. So help, man page and completions come from the same definitions.

use std::path::Path;
use std::process::ExitCode;

use clap_complete::Shell;

pub const GENERATE_ENV: &str = "OCTO_GENERATE_DOCS";

/// Write man page + completions for `cmd` under `dir`.
pub fn generate(cmd: clap::Command, dir: &Path) -> anyhow::Result<()> {
    // The plain version, without the git revision: committed docs change only when flags do.
    let mut cmd = cmd.version(env!("CARGO_PKG_VERSION"));
    let name = cmd.get_name().to_string();
    let man_dir = dir.join("man");
    let comp_dir = dir.join("completions");
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

/// If `OCTO_GENERATE_DOCS` is set, generate the docs for `cmd` and return the exit code to end
/// with; otherwise `None`.
pub fn handle_env(cmd: impl FnOnce() -> clap::Command) -> Option<ExitCode> {
    let dir = std::env::var_os(GENERATE_ENV)?;
    match generate(cmd(), Path::new(&dir)) {
        Ok(()) => Some(ExitCode::SUCCESS),
        Err(e) => {
            crate::log::error_line("docs", &e);
            Some(ExitCode::from(1))
        }
    }
}

/// The committed man page and completions of `cmd` under `dir` that differ from what
/// [`generate`] writes now (missing files count): empty when `make docs` has nothing to change.
/// Every binary has a test that asserts this is empty, so a flag change without `make docs` fails.
pub fn stale(cmd: clap::Command, dir: &Path) -> anyhow::Result<Vec<String>> {
    let name = cmd.get_name().to_string();
    let fresh = std::env::temp_dir().join(format!(
        "octobox-docs-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&fresh);
    generate(cmd, &fresh)?;
    let mut out = Vec::new();
    for sub in ["man", "completions"] {
        for entry in std::fs::read_dir(fresh.join(sub))? {
            let file = entry?.file_name();
            let rel = Path::new(sub).join(&file);
            let new = std::fs::read(fresh.join(&rel))?;
            if std::fs::read(dir.join(&rel)).ok().as_deref() != Some(new.as_slice()) {
                out.push(dir.join(&rel).display().to_string());
            }
        }
    }
    let _ = std::fs::remove_dir_all(&fresh);
    out.sort();
    Ok(out)
}
