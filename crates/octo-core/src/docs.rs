//! Man pages and shell completions generated from clap definitions, the way ripgrep does it:
//! every binary answers `--generate man|complete-bash|complete-zsh|complete-fish`.
//!
//! - `TOOL --generate man` prints the top-level man page (roff) on stdout;
//! - `TOOL --generate man --out-dir DIR` writes `TOOL.1` and one page per subcommand, recursively
//!   (`halo-query-events.1`, `halo-query-group-describe.1` …, as clap_mangen names them);
//! - `TOOL --generate complete-bash|complete-zsh|complete-fish` prints a completion script.
//!
//! `--generate` works without a subcommand even where one is otherwise required. Each tool's
//! `command()` is [`command`]`(Cli::command(), EXAMPLES)`: the flags, plus `--generate`, plus one
//! example block per subcommand (its `--help` ends with it). `main.rs` is [`main`]. So help, man
//! pages and completions come from the same definitions; `make docs` (scripts/gen-docs.sh) writes
//! them all into `bin-docs/`, and each binary's `tests/docs.rs` checks them with [`stale`] and
//! [`check_examples`].

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, FromArgMatches};
use clap_complete::Shell;

use crate::exit::Exit;

/// The values of `--generate`.
pub const KINDS: [&str; 4] = ["man", "complete-bash", "complete-zsh", "complete-fish"];

/// Add `--generate KIND` and `--out-dir DIR` to a top-level command.
pub fn with_generate(cmd: clap::Command) -> clap::Command {
    cmd.arg(
        Arg::new("generate")
            .long("generate")
            .value_name("KIND")
            .value_parser(KINDS)
            .action(ArgAction::Set)
            .help("Print the man page (man) or a shell completion script (complete-bash, complete-zsh, complete-fish) and exit"),
    )
    .arg(
        Arg::new("generate_out_dir")
            .long("out-dir")
            .value_name("DIR")
            .value_parser(clap::value_parser!(std::path::PathBuf))
            .requires("generate")
            .help("With --generate man: write TOOL.1 and one page per subcommand into DIR"),
    )
}

/// A tool's full command: its flags, `--generate`, and its examples. `examples` maps a
/// subcommand path (`""` for the tool itself, `"events"`, `"group describe"`) to the text that
/// ends its `--help` (after_help). Panics when a path names no subcommand (a test catches it).
pub fn command(cmd: clap::Command, examples: &[(&str, &str)]) -> clap::Command {
    let mut cmd = with_generate(cmd);
    for (path, text) in examples {
        let words: Vec<&str> = path.split_whitespace().collect();
        cmd = set_after_help(cmd, &words, text);
    }
    cmd
}

fn set_after_help(cmd: clap::Command, path: &[&str], text: &str) -> clap::Command {
    match path.split_first() {
        None => cmd.after_help(text.to_string()),
        Some((first, rest)) => {
            assert!(
                cmd.find_subcommand(first).is_some(),
                "{}: no subcommand `{first}` for its examples",
                cmd.get_name()
            );
            cmd.mut_subcommand(*first, |sub| set_after_help(sub, rest, text))
        }
    }
}

/// The plain version, without the git revision: committed docs change only when flags do.
fn for_docs(cmd: clap::Command) -> clap::Command {
    cmd.version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true)
}

/// The top-level man page (roff).
pub fn man_page(cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(for_docs(cmd)).render(&mut buf)?;
    Ok(buf)
}

/// Write `NAME.1` and one page per (visible) subcommand, recursively, into `dir`.
pub fn write_man_pages(cmd: clap::Command, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(for_docs(cmd), dir)
}

/// The completion script of `cmd` for `shell`.
pub fn completion(cmd: clap::Command, shell: Shell) -> Vec<u8> {
    let mut cmd = for_docs(cmd);
    let name = cmd.get_name().to_string();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut buf);
    buf
}

/// Write man pages into `DIR/man/` and completions for bash, zsh and fish into
/// `DIR/completions/` (what `make docs` does with `--generate`, in one call).
pub fn generate(cmd: clap::Command, dir: &Path) -> anyhow::Result<()> {
    write_man_pages(cmd.clone(), &dir.join("man"))?;
    let comp_dir = dir.join("completions");
    std::fs::create_dir_all(&comp_dir)?;
    let mut cmd = for_docs(cmd);
    let name = cmd.get_name().to_string();
    for sh in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(sh, &mut cmd, &name, &comp_dir)?;
    }
    Ok(())
}

fn shell_of(kind: &str) -> Option<Shell> {
    match kind {
        "complete-bash" => Some(Shell::Bash),
        "complete-zsh" => Some(Shell::Zsh),
        "complete-fish" => Some(Shell::Fish),
        _ => None,
    }
}

/// Answer `--generate` when `matches` has it: `Some(result)` then, else `None`.
pub fn handle_generate(cmd: &clap::Command, matches: &ArgMatches) -> Option<anyhow::Result<Exit>> {
    let kind = matches.get_one::<String>("generate")?;
    let out_dir = matches.get_one::<std::path::PathBuf>("generate_out_dir");
    Some((|| {
        let out = match (shell_of(kind), out_dir) {
            (Some(_), Some(_)) => {
                return Err(crate::exit::usage(
                    "--out-dir goes with --generate man; completions print on stdout",
                ));
            }
            (Some(sh), None) => completion(cmd.clone(), sh),
            (None, Some(dir)) => {
                write_man_pages(cmd.clone(), dir)?;
                return Ok(Exit::Success);
            }
            (None, None) => man_page(cmd.clone())?,
        };
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&out)?;
        stdout.flush()?;
        Ok(Exit::Success)
    })())
}

/// Parse the command line with `command` (a tool's `command()`), answer `--generate`, or run.
/// `--generate` needs no subcommand and no otherwise required argument (see [`generate_words`]);
/// without it the command line is parsed as it is, with clap's own messages and exit code 2.
pub fn main<C: FromArgMatches>(
    tool: &'static str,
    command: fn() -> clap::Command,
    run: impl FnOnce(C) -> anyhow::Result<Exit>,
) -> ExitCode {
    ExitCode::from(main_from(tool, command, std::env::args_os(), run))
}

/// [`main`] with the arguments given (for tests).
pub fn main_from<C: FromArgMatches>(
    tool: &'static str,
    command: fn() -> clap::Command,
    args: impl IntoIterator<Item = OsString>,
    run: impl FnOnce(C) -> anyhow::Result<Exit>,
) -> u8 {
    let args: Vec<OsString> = args.into_iter().collect();
    let cmd = command();
    if let Some(words) = generate_words(&args) {
        let only = with_generate(clap::Command::new(tool));
        return match only.try_get_matches_from(words) {
            Ok(m) => match handle_generate(&cmd, &m) {
                Some(result) => crate::exit::report(tool, result).code(),
                None => clap_exit(&cmd.clone().error(
                    clap::error::ErrorKind::MissingRequiredArgument,
                    "--generate is missing",
                )),
            },
            Err(e) => clap_exit(&e),
        };
    }
    let matches = match cmd.clone().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => return clap_exit(&e),
    };
    match C::from_arg_matches(&matches) {
        Ok(cli) => crate::exit::report(tool, run(cli)).code(),
        Err(e) => clap_exit(&e.format(&mut cmd.clone())),
    }
}

/// When the command line asks for `--generate`: the program name, `--generate KIND` and
/// `--out-dir DIR` (other arguments are ignored, so neither a required subcommand nor a required
/// flag stands in the way). `None` without `--generate` (before any `--`).
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

/// Print a clap error or help/version text as clap would and return its exit code.
fn clap_exit(e: &clap::Error) -> u8 {
    // a closed stdout while printing help is not an error worth reporting
    let _ = e.print();
    u8::try_from(e.exit_code()).unwrap_or(2)
}

/// The files under `dir` (`man/`, `completions/`) that differ from what [`generate`] writes now:
/// missing, different, or extra (a committed page of a subcommand that no longer exists). Empty
/// when `make docs` has nothing to change. Every binary's `tests/docs.rs` asserts this is empty.
pub fn stale(cmd: clap::Command, dir: &Path) -> anyhow::Result<Vec<String>> {
    let name = cmd.get_name().to_string();
    let fresh = TempDir(std::env::temp_dir().join(format!(
        "octobox-docs-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    )));
    let _ = std::fs::remove_dir_all(fresh.path());
    generate(cmd, fresh.path())?;
    let mut out = Vec::new();
    for sub in ["man", "completions"] {
        for entry in std::fs::read_dir(fresh.path().join(sub))? {
            let file = entry?.file_name();
            let rel = Path::new(sub).join(&file);
            let new = std::fs::read(fresh.path().join(&rel))?;
            if std::fs::read(dir.join(&rel)).ok().as_deref() != Some(new.as_slice()) {
                out.push(dir.join(&rel).display().to_string());
            }
        }
    }
    // pages of this tool that generate would not write
    let prefix = format!("{name}-");
    if let Ok(entries) = std::fs::read_dir(dir.join("man")) {
        for entry in entries {
            let file = entry?.file_name().to_string_lossy().into_owned();
            let ours = file == format!("{name}.1") || file.starts_with(&prefix);
            if ours && !fresh.path().join("man").join(&file).exists() {
                out.push(dir.join("man").join(&file).display().to_string());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A directory removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Man page references (`name(1)`) in `tool`'s pages under `dir` (`tool.1`, `tool-*.1`) that
/// name no page there, as `page: name(1)`.
pub fn dangling_references(dir: &Path, tool: &str) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let re = regex::Regex::new(r"([A-Za-z0-9][A-Za-z0-9_.\\-]*)\(1\)")?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let file = path.file_name().unwrap_or_default().to_string_lossy();
        if !(file == format!("{tool}.1")
            || file.starts_with(&format!("{tool}-")) && file.ends_with(".1"))
        {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        for cap in re.captures_iter(&text) {
            let target = cap[1].replace("\\-", "-");
            if !dir.join(format!("{target}.1")).exists() {
                out.push(format!(
                    "{}: {target}(1)",
                    path.file_name().unwrap_or_default().to_string_lossy()
                ));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Every subcommand (recursively) of a tool's `command()` ends its help with examples, and every
/// example line (`  TOOL …`, up to the first `|`, `>`, `#`, `&` or `;`) parses with `cmd`: problems
/// as readable lines, empty when all is well.
pub fn check_examples(cmd: &clap::Command) -> Vec<String> {
    let mut problems = Vec::new();
    let mut root = cmd.clone();
    root.build();
    let name = root.get_name().to_string();
    walk(&root, &root, &name, &mut Vec::new(), &mut problems);
    problems
}

fn walk(
    root: &clap::Command,
    cmd: &clap::Command,
    tool: &str,
    path: &mut Vec<String>,
    problems: &mut Vec<String>,
) {
    let label = if path.is_empty() {
        tool.to_string()
    } else {
        format!("{tool} {}", path.join(" "))
    };
    let text = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(|t| t.to_string())
        .unwrap_or_default();
    let mut found = 0;
    for line in text.lines() {
        let Some(words) = example_words(line, tool) else {
            continue;
        };
        if words.len() > path.len() && words[1..=path.len()].iter().eq(path.iter()) {
            found += 1;
        }
        if let Err(e) = root.clone().try_get_matches_from(&words) {
            problems.push(format!(
                "{label}: example `{}` does not parse: {}",
                line.trim(),
                e.render().to_string().lines().next().unwrap_or_default()
            ));
        }
    }
    if found == 0 {
        problems.push(format!("{label}: no example of `{label}` in its --help"));
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        path.push(sub.get_name().to_string());
        walk(root, sub, tool, path, problems);
        path.pop();
    }
}

/// The words of an example line `  TOOL args… [| …]`, or `None` when the line does not run TOOL.
/// Single and double quotes group words; `$(…)` and other shell syntax end the command.
fn example_words(line: &str, tool: &str) -> Option<Vec<String>> {
    let line = line.trim_start();
    if !line.starts_with(&format!("{tool} ")) && line.trim_end() != tool {
        return None;
    }
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == c {
                        break;
                    }
                    cur.push(q);
                }
            }
            '|' | '>' | '<' | '#' | '&' | ';' if !in_word => break,
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Parser, Subcommand};

    /// Demo tool
    #[derive(Parser, Debug)]
    #[command(name = "demo", version = "1.2.3")]
    struct Cli {
        #[command(subcommand)]
        cmd: Cmd,
    }
    #[derive(Subcommand, Debug)]
    enum Cmd {
        /// List things
        List {
            #[arg(long)]
            all: bool,
        },
        /// Groups
        Group {
            #[command(subcommand)]
            sub: GroupCmd,
        },
    }
    #[derive(Subcommand, Debug)]
    enum GroupCmd {
        /// Describe a group
        Describe { name: String },
    }

    fn demo() -> clap::Command {
        command(
            <Cli as clap::CommandFactory>::command(),
            &[
                ("", "Examples:\n  demo list --all\n"),
                ("list", "Examples:\n  demo list --all | head -1\n"),
                ("group", "Examples:\n  demo group describe web\n"),
                (
                    "group describe",
                    "Examples:\n  demo group describe 'Root/Web'\n",
                ),
            ],
        )
    }

    fn run(args: &[&str]) -> (u8, Option<String>) {
        let mut seen = None;
        let code = main_from("demo", demo, args.iter().map(OsString::from), |cli: Cli| {
            seen = Some(format!("{:?}", cli.cmd));
            Ok(Exit::Success)
        });
        (code, seen)
    }

    #[test]
    fn generate_needs_no_subcommand_and_runs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        assert_eq!(
            run(&["demo", "--generate", "man", "--out-dir", out]),
            (0, None)
        );
        let mut files: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(
            files,
            [
                "demo-group-describe.1",
                "demo-group.1",
                "demo-list.1",
                "demo.1"
            ]
        );
        assert_eq!(
            dangling_references(dir.path(), "demo").unwrap(),
            Vec::<String>::new()
        );
        let list = std::fs::read_to_string(dir.path().join("demo-list.1")).unwrap();
        assert!(list.contains("\\-\\-all"), "{list}");
        assert!(list.contains("demo list \\-\\-all | head \\-1"), "{list}");
    }

    #[test]
    fn without_generate_the_subcommand_is_still_required() {
        assert_eq!(
            run(&["demo", "list", "--all"]),
            (0, Some("List { all: true }".into()))
        );
        assert_eq!(run(&["demo", "--out-dir", "x"]).0, 2);
        assert_eq!(run(&["demo", "list", "--generate=pdf"]).0, 2);
        assert_eq!(run(&["demo", "--generate", "pdf"]).0, 2);
        assert_eq!(run(&["demo"]), (2, None));
        assert_eq!(
            run(&["demo", "--generate", "complete-fish", "--out-dir", "d"]).0,
            2
        );
    }

    /// A tool without subcommands but with a required flag (as fw-graph's --policy).
    #[derive(Parser, Debug)]
    #[command(name = "req")]
    struct Req {
        #[arg(long)]
        policy: String,
    }

    fn req() -> clap::Command {
        command(<Req as clap::CommandFactory>::command(), &[])
    }

    #[test]
    fn generate_needs_no_required_argument() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap().to_string();
        let run = |args: &[&str]| {
            main_from("req", req, args.iter().map(OsString::from), |r: Req| {
                assert_eq!(r.policy, "p.json");
                Ok(Exit::Findings)
            })
        };
        assert_eq!(run(&["req", "--generate", "man", "--out-dir", &out]), 0);
        assert!(dir.path().join("req.1").exists());
        assert_eq!(run(&["req"]), 2);
        assert_eq!(run(&["req", "--policy", "p.json"]), 5);
    }

    #[test]
    fn dangling_references_are_found() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("demo.1"), "see demo\\-list(1) and demo(1)").unwrap();
        std::fs::write(dir.path().join("other.1"), "see other\\-gone(1)").unwrap();
        assert_eq!(
            dangling_references(dir.path(), "demo").unwrap(),
            ["demo.1: demo-list(1)"]
        );
    }

    #[test]
    fn stale_counts_missing_changed_and_extra_pages() {
        let dir = tempfile::tempdir().unwrap();
        generate(demo(), dir.path()).unwrap();
        assert_eq!(stale(demo(), dir.path()).unwrap(), Vec::<String>::new());
        std::fs::write(dir.path().join("man/demo-gone.1"), "old").unwrap();
        std::fs::write(dir.path().join("man/demo-list.1"), "old").unwrap();
        std::fs::remove_file(dir.path().join("completions/demo.bash")).unwrap();
        std::fs::write(dir.path().join("man/other-tool.1"), "not ours").unwrap();
        let names: Vec<String> = stale(demo(), dir.path())
            .unwrap()
            .iter()
            .map(|p| {
                let p = Path::new(p);
                format!(
                    "{}/{}",
                    p.parent().unwrap().file_name().unwrap().to_string_lossy(),
                    p.file_name().unwrap().to_string_lossy()
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                "completions/demo.bash",
                "man/demo-gone.1",
                "man/demo-list.1"
            ]
        );
    }

    #[test]
    fn examples_are_checked() {
        assert_eq!(check_examples(&demo()), Vec::<String>::new());
        let bad = command(
            <Cli as clap::CommandFactory>::command(),
            &[
                ("", "Examples:\n  demo list --all\n"),
                ("list", "Examples:\n  demo list --none\n"),
                ("group describe", "Examples:\n  demo group describe web\n"),
            ],
        );
        let problems = check_examples(&bad);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems[0].starts_with("demo list: example `demo list --none` does not parse"),
            "{problems:#?}"
        );
        assert_eq!(
            problems[1],
            "demo group: no example of `demo group` in its --help"
        );
    }

    #[test]
    fn example_words_stop_at_shell_syntax() {
        assert_eq!(
            example_words("  demo a 'b c' --x=\"y\" | jq .", "demo").unwrap(),
            ["demo", "a", "b c", "--x=y"]
        );
        assert_eq!(example_words("  other demo", "demo"), None);
        assert_eq!(
            example_words("  demo list > out.txt   # save", "demo").unwrap(),
            ["demo", "list"]
        );
    }
}
