//! The command tree of a binary, found by walking `--help` of every subcommand.

use std::path::Path;

use crate::run::{Run, run};

/// One command of a binary: the binary itself or a subcommand at any depth.
#[derive(Clone, Debug)]
pub struct Node {
    /// `["quarantine", "release"]`: the binary, then the subcommand path.
    pub path: Vec<String>,
    /// The `--help` run of this command.
    pub help: Run,
    /// Its subcommands (without clap's `help`).
    pub subs: Vec<String>,
    /// Runs by itself (its usage does not require a `<COMMAND>`).
    pub runnable: bool,
}

impl Node {
    /// `quarantine release`.
    pub fn name(&self) -> String {
        self.path.join(" ")
    }
    /// The man page this command should have: `quarantine-release.1`.
    pub fn man_page(&self) -> String {
        format!("{}.1", self.path.join("-"))
    }
    /// The arguments after the binary.
    pub fn sub_args(&self) -> Vec<String> {
        self.path[1..].to_vec()
    }
    pub fn help_text(&self) -> String {
        self.help.out()
    }
}

/// Every command of `bin` (at `program`), the binary first, depth first. A `--help` that fails is
/// kept (its run shows how) and not walked further.
pub fn walk(bin: &str, program: &Path) -> Vec<Node> {
    let mut out = Vec::new();
    let mut todo = vec![vec![bin.to_string()]];
    while let Some(path) = todo.pop() {
        let mut args: Vec<&str> = path[1..].iter().map(String::as_str).collect();
        args.push("--help");
        let help = run(program, &args, &[]);
        let text = help.out();
        let subs = if help.code == 0 {
            subcommands(&text)
        } else {
            Vec::new()
        };
        let runnable = help.code == 0 && !usage_needs_command(&text);
        for s in subs.iter().rev() {
            let mut p = path.clone();
            p.push(s.clone());
            todo.push(p);
        }
        out.push(Node {
            path,
            help,
            subs,
            runnable,
        });
    }
    out
}

/// The names in the `Commands:` section of a clap help text, without `help`.
pub fn subcommands(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_section = false;
    for line in help.lines() {
        if !in_section {
            in_section = line.trim_end() == "Commands:";
            continue;
        }
        if line.trim().is_empty() || !line.starts_with(' ') {
            break;
        }
        // a command line is indented by two spaces; its wrapped description by more
        let rest = &line[2..];
        if rest.starts_with(' ') {
            continue;
        }
        if let Some(name) = rest.split_whitespace().next()
            && name != "help"
        {
            out.push(name.to_string());
        }
    }
    out
}

/// The usage line says a subcommand is required (`<COMMAND>`).
pub fn usage_needs_command(help: &str) -> bool {
    help.lines()
        .skip_while(|l| !l.starts_with("Usage:"))
        .take_while(|l| !l.trim().is_empty())
        .any(|l| l.contains("<COMMAND>"))
}

/// The help text of the option whose flags line contains `flag` (e.g. `--format`): that line and
/// its indented description, or `None` when the option is not there.
pub fn option_section<'a>(help: &'a str, flag: &str) -> Option<String> {
    let lines: Vec<&'a str> = help.lines().collect();
    let start = lines.iter().position(|l| {
        let t = l.trim_start();
        t.starts_with('-')
            && !t.starts_with("- ")
            && t.split(|c: char| c.is_whitespace() || c == ',' || c == '=' || c == '<')
                .any(|w| w == flag)
    })?;
    let indent = lines[start].len() - lines[start].trim_start().len();
    let mut text = lines[start].to_string();
    for l in &lines[start + 1..] {
        let t = l.trim_start();
        let ind = l.len() - t.len();
        if !t.is_empty() && ind <= indent {
            break;
        }
        text.push('\n');
        text.push_str(l);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELP: &str = "Query\n\nUsage: halo-query [OPTIONS] <COMMAND>\n\nCommands:\n  groups  List groups\n  group   Describe one group: facts,\n          wrapped\n  help    Print this message\n\nOptions:\n  -o, --format <FORMAT>\n          Output format\n\n          Possible values:\n          - jsonl: One\n          - csv:   Comma\n\n  -c, --columns <COLUMNS>\n          Fields\n      --no-header  No header row\n";

    #[test]
    fn parses_commands_usage_and_options() {
        assert_eq!(subcommands(HELP), vec!["groups", "group"]);
        assert!(usage_needs_command(HELP));
        assert!(!usage_needs_command(
            "Usage: quarantine [OPTIONS] [COMMAND]\n"
        ));
        let f = option_section(HELP, "--format").unwrap();
        assert!(
            f.contains("jsonl") && f.contains("csv") && !f.contains("Fields"),
            "{f}"
        );
        assert!(option_section(HELP, "-c").unwrap().contains("Fields"));
        assert!(option_section(HELP, "--no-header").is_some());
        assert!(option_section(HELP, "--no").is_none());
    }
}
