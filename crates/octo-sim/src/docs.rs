//! The simulator's man pages and shell completions, like every octobox binary's:
//! `octo-sim --generate man [--out-dir DIR]|complete-bash|complete-zsh|complete-fish`.
//!
//! The other binaries use `octo_core::docs`; octo-sim depends on no octobox crate (so it can never
//! hide a client bug by sharing the client's code), hence these few lines of its own. Its
//! `tests/docs.rs` checks them against `octo_core::docs::stale`, so both write the same files.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgMatches};
use clap_complete::Shell;

/// Add `--generate KIND` and `--out-dir DIR` (the same flags as every octobox binary).
pub fn with_generate(cmd: clap::Command) -> clap::Command {
    cmd.arg(
        Arg::new("generate")
            .long("generate")
            .value_name("KIND")
            .value_parser(["man", "complete-bash", "complete-zsh", "complete-fish"])
            .help("Print the man page (man) or a shell completion script (complete-bash, complete-zsh, complete-fish) and exit"),
    )
    .arg(
        Arg::new("generate_out_dir")
            .long("out-dir")
            .value_name("DIR")
            .value_parser(clap::value_parser!(PathBuf))
            .requires("generate")
            .help("With --generate man: write TOOL.1 and one page per subcommand into DIR"),
    )
}

/// The plain version: committed docs change only when flags do.
fn for_docs(cmd: clap::Command) -> clap::Command {
    cmd.version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true)
}

/// Write every man page into `DIR/man/` and bash, zsh and fish completions into
/// `DIR/completions/`.
pub fn generate(cmd: clap::Command, dir: &Path) -> anyhow::Result<()> {
    let mut cmd = for_docs(cmd);
    let name = cmd.get_name().to_string();
    let (man_dir, comp_dir) = (dir.join("man"), dir.join("completions"));
    std::fs::create_dir_all(&man_dir)?;
    std::fs::create_dir_all(&comp_dir)?;
    clap_mangen::generate_to(cmd.clone(), &man_dir)?;
    for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(sh, &mut cmd, &name, &comp_dir)?;
    }
    Ok(())
}

/// The program name, `--generate KIND` and `--out-dir DIR` when the command line asks for
/// `--generate` (before any `--`), else `None`: other arguments do not stand in the way.
pub fn generate_words(args: &[OsString]) -> Option<Vec<OsString>> {
    let mut words: Vec<OsString> = args.first().cloned().into_iter().collect();
    let mut wanted = false;
    let mut it = args.iter().skip(1);
    while let Some(arg) = it.next() {
        let Some(s) = arg.to_str() else { continue };
        match s {
            "--" => break,
            "--generate" | "--out-dir" => {
                wanted |= s == "--generate";
                words.push(arg.clone());
                words.extend(it.next().cloned());
            }
            _ if s.starts_with("--generate=") || s.starts_with("--out-dir=") => {
                wanted |= s.starts_with("--generate=");
                words.push(arg.clone());
            }
            _ => {}
        }
    }
    wanted.then_some(words)
}

/// Answer `--generate` when `matches` has it (the exit code to end with), else `None`.
pub fn handle(cmd: &clap::Command, matches: &ArgMatches) -> Option<ExitCode> {
    let kind = matches.get_one::<String>("generate")?;
    let out_dir = matches.get_one::<PathBuf>("generate_out_dir");
    let mut doc = for_docs(cmd.clone());
    let name = doc.get_name().to_string();
    let shell = match kind.as_str() {
        "complete-bash" => Some(Shell::Bash),
        "complete-zsh" => Some(Shell::Zsh),
        "complete-fish" => Some(Shell::Fish),
        _ => None,
    };
    let result = match (shell, out_dir) {
        (Some(_), Some(_)) => Err(anyhow::anyhow!(
            "--out-dir goes with --generate man; completions print on stdout"
        )),
        (Some(sh), None) => {
            let mut buf = Vec::new();
            clap_complete::generate(sh, &mut doc, name, &mut buf);
            print(&buf)
        }
        (None, Some(dir)) => std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(doc, dir))
            .map_err(Into::into),
        (None, None) => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(doc)
                .render(&mut buf)
                .map_err(Into::into)
                .and_then(|()| print(&buf))
        }
    };
    Some(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "octo-sim: {e:#}");
            ExitCode::from(if shell.is_some() && out_dir.is_some() {
                2
            } else {
                1
            })
        }
    })
}

fn print(buf: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(buf).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
