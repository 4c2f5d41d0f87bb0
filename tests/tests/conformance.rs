//! The conformance test (issue 13, item 8): every binary of the workspace — found from `cargo
//! metadata`, so a new tool is covered without editing this file — is held to the one contract of
//! `shared/CONVENTIONS.md` and `bin-docs/`: help, version, usage errors, generated docs, output
//! flags, `| head -1`, `NO_COLOR`, terminal sanitizing, secrets, plan-by-default.
//!
//! Each test runs its checks over every binary (in parallel where cheap) and fails once, listing
//! every failed check as `COMMAND: CHECK: DETAIL`, so one run names every straggler.
//!
//! The tables below are the only per-tool knowledge: how to run each binary against octo-sim
//! ([`smoke`]), where the planted hostile hostname shows ([`escape`]), which commands print no
//! records ([`NO_RECORDS`]) and the mutating commands ([`mutations`]). A binary missing from a
//! table fails the test, naming it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use octobox_tests::bins;
use octobox_tests::help::{self, Node};
use octobox_tests::report::{Report, excerpt};
use octobox_tests::run;
use octobox_tests::world::{self, World};
use serde_json::Value;

/// Runnable commands that print no records (so need no `-o/-c/--no-header`), each with why.
const NO_RECORDS: &[(&str, &str)] = &[(
    "octo-sim serve",
    "a server: prints its base URL, then serves until SIGTERM",
)];

/// The record formats every record-printing command accepts.
const FORMATS: [&str; 4] = ["jsonl", "json", "csv", "table"];

/// Every binary, with its command tree (walked in parallel).
fn trees() -> Vec<(String, Vec<Node>)> {
    let bins = bins::workspace_bins();
    std::thread::scope(|s| {
        let handles: Vec<_> = bins
            .iter()
            .map(|b| s.spawn(move || (b.clone(), help::walk(b, &bins::path(b)))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("walking --help"))
            .collect()
    })
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn with(base: &[String], extra: &[&str]) -> Vec<String> {
    let mut v = base.to_vec();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn no_records_reason(command: &str) -> Option<&'static str> {
    NO_RECORDS
        .iter()
        .find(|(c, _)| *c == command)
        .map(|(_, r)| *r)
}

// ---------------------------------------------------------------------------------------------
// --help, --version, usage errors

#[test]
fn every_command_answers_help_with_examples_and_rejects_an_unknown_flag_and_every_binary_its_version()
 {
    let report = Report::new();
    let trees = trees();
    std::thread::scope(|s| {
        for (bin, nodes) in &trees {
            let report = &report;
            s.spawn(move || basics(bin, nodes, report));
        }
    });
    report.assert_clean("help/version/usage");
}

fn basics(bin: &str, nodes: &[Node], report: &Report) {
    let program = bins::path(bin);
    for node in nodes {
        let name = node.name();
        let text = node.help_text();
        report.check(
            node.help.code == 0 && !text.trim().is_empty(),
            &name,
            "--help exits 0 with the help on stdout",
            node.help.brief(),
        );
        if node.help.code != 0 {
            continue;
        }
        report.check(
            has_example(&text, bin),
            &name,
            "--help ends with examples",
            format!("no `Examples:` section with a `{bin} …` line"),
        );
        let bad = run::output(run::command(
            &program,
            &with(&node.sub_args(), &["--conformance-no-such-flag"]),
            &[],
        ));
        report.check(bad.code == 2, &name, "an unknown flag exits 2", bad.brief());
    }
    let v = run::run(&program, &["--version"], &[]);
    report.check(
        v.code == 0 && version_line_ok(bin, v.out().trim_end()),
        bin,
        "--version exits 0 printing `NAME X.Y.Z (rev GITREV)`",
        format!("exit {}, stdout {:?}", v.code, v.out()),
    );
}

/// An `Examples:` (or `Example:`) header followed by a line that runs the binary.
fn has_example(help: &str, bin: &str) -> bool {
    let mut seen = false;
    for line in help.lines() {
        let t = line.trim_start();
        if t.starts_with("Examples:") || t.starts_with("Example:") {
            seen = true;
        }
        if seen && (t.contains(&format!("{bin} ")) || t.ends_with(bin)) && !t.starts_with("Usage:")
        {
            return true;
        }
    }
    false
}

/// `NAME X.Y.Z (rev HEX)`, HEX 7–40 hex digits (or `unknown` when built without git).
fn version_line_ok(bin: &str, line: &str) -> bool {
    let Some(rest) = line.strip_prefix(&format!("{bin} ")) else {
        return false;
    };
    let Some((ver, rev)) = rest.split_once(" (rev ") else {
        return false;
    };
    let Some(rev) = rev.strip_suffix(')') else {
        return false;
    };
    let ver_ok = ver.split('.').count() == 3
        && ver
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let rev_ok = rev == "unknown"
        || ((7..=40).contains(&rev.len()) && rev.bytes().all(|b| b.is_ascii_hexdigit()));
    ver_ok && rev_ok
}

#[test]
fn version_line_format() {
    assert!(version_line_ok(
        "halo-query",
        "halo-query 0.1.0 (rev 16a4c130c9)"
    ));
    assert!(!version_line_ok("octo-sim", "octo-sim 0.1.0"));
    assert!(!version_line_ok(
        "halo-query",
        "halo-query 0.1 (rev 16a4c130c9)"
    ));
    assert!(!version_line_ok(
        "halo-query",
        "halo-query 0.1.0 (rev xyz1234)"
    ));
    assert!(has_example(
        "Examples:\n  quarantine release --server a\n",
        "quarantine"
    ));
    assert!(!has_example("Usage: quarantine [OPTIONS]\n", "quarantine"));
}

// ---------------------------------------------------------------------------------------------
// --generate man|complete-*

#[test]
fn every_binary_generates_its_man_pages_and_completions_and_the_committed_pages_are_current() {
    let report = Report::new();
    let trees = trees();
    let bins: Vec<String> = trees.iter().map(|(b, _)| b.clone()).collect();
    let committed = committed_pages(&bins);
    std::thread::scope(|s| {
        for (bin, nodes) in &trees {
            let (report, bins, committed) = (&report, &bins, &committed);
            s.spawn(move || docs(bin, nodes, bins, committed, report));
        }
    });
    report.assert_clean("generated docs");
}

/// `bin-docs/man/*.1`: file name → (owning binary, bytes). A page belongs to the binary whose
/// name is the longest one it starts with (`NAME.1` or `NAME-…1`).
fn committed_pages(bins: &[String]) -> BTreeMap<String, (Option<String>, Vec<u8>)> {
    let dir = bins::workspace_root().join("bin-docs/man");
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let e = e.expect("dir entry");
        let file = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = file.strip_suffix(".1") {
            let owner = owner(stem, bins);
            out.insert(
                file,
                (owner, std::fs::read(e.path()).expect("reading a page")),
            );
        }
    }
    out
}

fn owner(stem: &str, bins: &[String]) -> Option<String> {
    bins.iter()
        .filter(|b| stem == b.as_str() || stem.starts_with(&format!("{b}-")))
        .max_by_key(|b| b.len())
        .cloned()
}

fn docs(
    bin: &str,
    nodes: &[Node],
    bins: &[String],
    committed: &BTreeMap<String, (Option<String>, Vec<u8>)>,
    report: &Report,
) {
    let program = bins::path(bin);
    let r = run::run(&program, &["--generate", "man"], &[]);
    report.check(
        r.code == 0 && is_roff(&r.out(), bin),
        bin,
        "--generate man exits 0 with a roff page (.TH NAME) on stdout",
        format!("{}, stdout {}", r.brief(), excerpt(&r.out(), 120)),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().to_str().expect("utf-8 temp path").to_string();
    let r = run::run(&program, &["--generate", "man", "--out-dir", &out_dir], &[]);
    let generated = pages_under(dir.path());
    let ours: BTreeMap<&String, &Vec<u8>> = committed
        .iter()
        .filter(|(_, (o, _))| o.as_deref() == Some(bin))
        .map(|(f, (_, b))| (f, b))
        .collect();
    if r.code != 0 || generated.is_empty() {
        report.fail(
            bin,
            "--generate man --out-dir DIR exits 0 and writes the pages",
            format!("{}, {} page(s) written", r.brief(), generated.len()),
        );
    } else {
        for node in nodes {
            if node.help.code == 0 {
                report.check(
                    generated.contains_key(&node.man_page()),
                    &node.name(),
                    "--generate man --out-dir writes a page per subcommand",
                    format!(
                        "no {} among {:?}",
                        node.man_page(),
                        generated.keys().collect::<Vec<_>>()
                    ),
                );
            }
        }
        for (file, bytes) in &generated {
            match ours.get(file) {
                None => report.fail(
                    bin,
                    "committed bin-docs/man is current",
                    format!("bin-docs/man/{file} is missing (run `make docs`)"),
                ),
                Some(c) if *c != bytes => report.fail(
                    bin,
                    "committed bin-docs/man is current",
                    format!("bin-docs/man/{file} differs from --generate man (run `make docs`)"),
                ),
                Some(_) => {}
            }
        }
        for file in ours.keys() {
            report.check(
                generated.contains_key(*file),
                bin,
                "committed bin-docs/man is current",
                format!("bin-docs/man/{file} is not generated any more (remove it)"),
            );
        }
    }
    // references NAME-SUB(1) must name a page that exists: of the generated pages, or the
    // committed ones when generation fails
    let pages: BTreeMap<String, Vec<u8>> = if generated.is_empty() {
        ours.iter()
            .map(|(f, b)| ((*f).clone(), (*b).clone()))
            .collect()
    } else {
        generated.clone()
    };
    let existing: BTreeSet<String> = pages
        .keys()
        .cloned()
        .chain(committed.keys().cloned())
        .collect();
    for (file, bytes) in &pages {
        for r in references(&String::from_utf8_lossy(bytes), bins) {
            report.check(
                existing.contains(&format!("{r}.1")),
                bin,
                "man pages reference only pages that exist",
                format!("{file} references {r}(1), which does not exist"),
            );
        }
    }
    for shell in ["bash", "zsh", "fish"] {
        let flag = format!("complete-{shell}");
        let r = run::run(&program, &["--generate", &flag], &[]);
        let ok = r.code == 0 && !r.out().trim().is_empty();
        report.check(
            ok,
            bin,
            &format!("--generate {flag} exits 0 with the script on stdout"),
            r.brief(),
        );
        if ok && shell == "bash" {
            let f = dir.path().join("completion.bash");
            std::fs::write(&f, &r.stdout).expect("writing the completion");
            let n = run::run(
                Path::new("/bin/bash"),
                &["-n", f.to_str().expect("utf-8")],
                &[],
            );
            report.check(
                n.code == 0,
                bin,
                "--generate complete-bash is valid bash (bash -n)",
                n.brief(),
            );
        }
    }
}

fn is_roff(text: &str, bin: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with(".TH ") && l[4..].trim_start().starts_with(bin))
}

/// Every `*.1` file under `dir` (any depth): file name → bytes.
fn pages_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Some(name) = p.file_name().and_then(|n| n.to_str())
                && name.ends_with(".1")
            {
                out.insert(name.to_string(), std::fs::read(&p).expect("reading a page"));
            }
        }
    }
    out
}

/// The `NAME(1)` references in a roff page whose NAME is a workspace binary or one of its
/// subcommand pages (`halo-query-events`).
fn references(roff: &str, bins: &[String]) -> BTreeSet<String> {
    let text = roff
        .replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fR", "")
        .replace("\\fI", "")
        .replace("\\fP", "");
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("(1)") {
        let start = text[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(0, |p| p + 1);
        let name = &text[start..i];
        if owner(name, bins).is_some() {
            out.insert(name.to_string());
        }
    }
    out
}

#[test]
fn man_references_are_found() {
    let bins = args(&["halo-query", "quarantine"]);
    let r = references(
        ".SH SUBCOMMANDS\n.TP\nhalo\\-query\\-events(1)\nsee \\fBquarantine\\fR(1), ls(1)\n",
        &bins,
    );
    assert_eq!(
        r,
        BTreeSet::from(["halo-query-events".to_string(), "quarantine".to_string()])
    );
    assert_eq!(
        owner("halo-query-events", &bins).as_deref(),
        Some("halo-query")
    );
    assert_eq!(owner("octo-sim", &bins), None);
}

// ---------------------------------------------------------------------------------------------
// -o/--format, -c/--columns, --no-header

#[test]
fn every_record_printing_command_accepts_the_output_flags() {
    let report = Report::new();
    let trees = trees();
    for (command, _) in NO_RECORDS {
        report.check(
            trees
                .iter()
                .flat_map(|(_, n)| n)
                .any(|n| n.runnable && n.name() == *command),
            command,
            "NO_RECORDS names a runnable command",
            "no such command (stale entry in tests/tests/conformance.rs)",
        );
    }
    std::thread::scope(|s| {
        for (bin, nodes) in &trees {
            let report = &report;
            s.spawn(move || output_flags(bin, nodes, report));
        }
    });
    report.assert_clean("output flags");
}

fn output_flags(bin: &str, nodes: &[Node], report: &Report) {
    let program = bins::path(bin);
    for node in nodes.iter().filter(|n| n.runnable) {
        let name = node.name();
        if let Some(o) = help::option_section(&node.help_text(), "-o") {
            report.check(
                o.contains("--format"),
                &name,
                "-o means the output format, never a file",
                excerpt(o.lines().next().unwrap_or(""), 100),
            );
        }
        if no_records_reason(&name).is_some() {
            continue;
        }
        let sub = node.sub_args();
        let accepts = |extra: &[&str]| {
            run::output(run::command(
                &program,
                &with(&with(&sub, extra), &["--help"]),
                &[],
            ))
        };
        for f in FORMATS {
            let r = accepts(&["-o", f]);
            report.check(r.code == 0, &name, &format!("accepts -o {f}"), r.brief());
        }
        let r = accepts(&["-c", "id"]);
        report.check(r.code == 0, &name, "accepts -c FIELDS", r.brief());
        let r = accepts(&["-o", "csv", "--no-header"]);
        report.check(
            r.code == 0,
            &name,
            "accepts --no-header (csv/table)",
            r.brief(),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Behaviour against octo-sim (and moto): | head -1, NO_COLOR, secrets

enum Kind {
    /// `TOOL ARGS | head -1`
    Pipe,
    /// A server: first line on stdout, then SIGTERM.
    Server,
}

struct Smoke {
    args: Vec<String>,
    kind: Kind,
}

fn pipe(v: Vec<String>) -> Vec<Smoke> {
    vec![Smoke {
        args: v,
        kind: Kind::Pipe,
    }]
}

/// How to run each binary against the world: `None` = no entry (the test fails naming the binary).
fn smoke(bin: &str, w: &World) -> Option<Vec<Smoke>> {
    let events = w.events.display().to_string();
    Some(match bin {
        "halo-query" => pipe(args(&["events"])),
        "ec2-delta" => pipe(args(&["--regions", "us-east-1", "--reverse"])),
        "event-export" => pipe(args(&["--since", "-6h", "--to", "-"])),
        "scan-export" => pipe(args(&["--since", "-24h", "--to", "-"])),
        "fw-graph" => pipe(args(&["--group", "Root/Prod/Web", "--format", "dot"])),
        "quarantine" => pipe(args(&["-i", &events])),
        "ipblock" => pipe(args(&["-i", &events])),
        "slack-notify" => pipe(args(&["--dry-run", "-i", &events])),
        "octo-bot" => pipe(args(&["ask", "servers"])),
        "sec-takedown" => {
            let id = w
                .active_instances()
                .into_iter()
                .next()
                .expect("an ACTIVE instance");
            pipe(args(&["info", &id]))
        }
        "octo-sim" => vec![Smoke {
            args: args(&["serve", "--port", "0"]),
            kind: Kind::Server,
        }],
        _ => return None,
    })
}

/// Binaries whose output may show the simulator's demo secrets on purpose.
const SHOWS_DEMO_SECRETS: &[(&str, &str)] = &[(
    "octo-sim",
    "the simulator prints its own demo keys in --help and its log; it is configured with no secret",
)];

fn check_secrets(report: &Report, bin: &str, command: &str, what: &str, text: &str) {
    if SHOWS_DEMO_SECRETS.iter().any(|(b, _)| *b == bin) {
        return;
    }
    let leaked = world::leaked(text);
    report.check(
        leaked.is_empty(),
        command,
        "no configured secret in any output",
        format!("{what} shows the value of {}", leaked.join(", ")),
    );
}

#[test]
fn every_binary_survives_head_1_honours_no_color_and_never_shows_a_secret() {
    let report = Report::new();
    let bins = bins::workspace_bins();
    let w = World::plain(true);
    let coloured = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for bin in &bins {
            let (report, w, coloured) = (&report, &w, &coloured);
            s.spawn(move || {
                // the control: without NO_COLOR, clap's usage error is coloured on a terminal
                let r = run::output(run::pty_command(
                    &bins::path(bin),
                    &args(&["--conformance-no-such-flag"]),
                    &w.env,
                ));
                if run::sgr(&octo_testkit::pty::text(&r.stdout)).is_some() {
                    coloured.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                smoke_one(bin, w, report)
            });
        }
    });
    assert!(
        coloured.into_inner() > 0,
        "no binary shows colour on the pseudo-terminal even without NO_COLOR: the NO_COLOR checks could not fail"
    );
    report.assert_clean("head -1 / NO_COLOR / secrets");
}

fn smoke_one(bin: &str, w: &World, report: &Report) {
    let program = bins::path(bin);
    // clap's own output on a terminal (help, usage errors) honours NO_COLOR too
    let mut no_color = w.env.clone();
    no_color.push(("NO_COLOR".into(), "1".into()));
    for a in [["--help"], ["--conformance-no-such-flag"]] {
        let r = run::output(run::pty_command(&program, &args(&a), &no_color));
        let t = octo_testkit::pty::text(&r.stdout);
        if let Some(seq) = run::sgr(&t) {
            report.fail(
                bin,
                "NO_COLOR=1 on a terminal: no ANSI colour",
                format!("`{bin} {}` shows {seq:?}", a[0]),
            );
        }
        check_secrets(
            report,
            bin,
            bin,
            &format!("`{bin} {}` on a terminal", a[0]),
            &t,
        );
    }
    let Some(cases) = smoke(bin, w) else {
        report.fail(
            bin,
            "has a smoke invocation",
            "no entry in smoke() of tests/tests/conformance.rs: add how to run it against octo-sim",
        );
        return;
    };
    for case in cases {
        let shown = format!("{bin} {}", case.args.join(" "));
        let command = |pty: bool, env: &[(String, String)]| {
            let mut c = if pty {
                run::pty_command(&program, &case.args, env)
            } else {
                run::command(&program, &case.args, env)
            };
            c.current_dir(w.workdir(&format!("{bin}-{}", if pty { "pty" } else { "pipe" })));
            c
        };
        match case.kind {
            Kind::Server => {
                let r = run::server_first_line(command(false, &w.env));
                report.check(
                    r.code == 0 && r.out().starts_with("http://"),
                    bin,
                    "a server prints its URL first and exits 0 on SIGTERM",
                    format!("`{shown}`: first line {:?}, {}", r.out(), r.brief()),
                );
                report.check(
                    !run::panicked(&r.err()),
                    bin,
                    "no panic",
                    format!("`{shown}`: {}", r.brief()),
                );
            }
            Kind::Pipe => {
                let r = run::head_one(command(false, &w.env));
                report.check(
                    r.code == 0,
                    bin,
                    "`| head -1` exits 0",
                    format!("`{shown} | head -1`: {}", r.brief()),
                );
                report.check(
                    !run::panicked(&r.err()),
                    bin,
                    "`| head -1`: no panic text on stderr",
                    format!("`{shown} | head -1`: {}", r.brief()),
                );
                report.check(
                    !r.out().trim().is_empty(),
                    bin,
                    "the smoke invocation prints at least one line",
                    format!("`{shown}`: {}", r.brief()),
                );
                check_secrets(report, bin, bin, &format!("`{shown}`"), &r.all());
                let t = run::output(command(true, &no_color));
                let text = octo_testkit::pty::text(&t.stdout);
                report.check(
                    t.code == 0,
                    bin,
                    "runs on a terminal",
                    format!(
                        "`{shown}` on a terminal: exit {}, transcript {}",
                        t.code,
                        excerpt(&text, 300)
                    ),
                );
                if let Some(seq) = run::sgr(&text) {
                    report.fail(
                        bin,
                        "NO_COLOR=1 on a terminal: no ANSI colour",
                        format!("`{shown}` shows {seq:?}"),
                    );
                }
                report.check(
                    !run::panicked(&text),
                    bin,
                    "no panic on a terminal",
                    excerpt(&text, 300),
                );
                check_secrets(report, bin, bin, &format!("`{shown}` on a terminal"), &text);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Terminal safety: the planted hostname

struct Escape {
    /// The command as `NO_RECORDS` and failure messages name it (`halo-query servers`).
    command: &'static str,
    args: Vec<String>,
    /// `-c` for the record formats, so the hostname's column is shown.
    columns: &'static str,
}

/// Where the planted hostname shows, per binary; `Err(reason)` when it cannot reach the binary.
fn escape(bin: &str, w: &World) -> Option<Result<Vec<Escape>, &'static str>> {
    let events = w.events.display().to_string();
    let one = |command, a: &[&str], columns| {
        Ok(vec![Escape {
            command,
            args: args(a),
            columns,
        }])
    };
    Some(match bin {
        "halo-query" => Ok(vec![
            Escape {
                command: "halo-query servers",
                args: args(&["servers", "--state", "all"]),
                columns: "id,hostname",
            },
            Escape {
                command: "halo-query events",
                args: args(&["events", "--since", "-6h"]),
                columns: "id,server_hostname",
            },
        ]),
        "ec2-delta" => one(
            "ec2-delta",
            &["--regions", "us-east-1", "--reverse"],
            "id,hostname",
        ),
        "quarantine" => one(
            "quarantine",
            &["-i", &events],
            "server_id,server_hostname,status",
        ),
        "slack-notify" => Err(
            "its `text` is a Slack message it composes from the event, with control characters \
             removed for Slack itself: the raw hostname reaches neither a pipe nor a terminal",
        ),
        "event-export" => one(
            "event-export",
            &["--since", "-6h", "--to", "-"],
            "id,server_hostname",
        ),
        "ipblock" => Err("its records carry addresses, zone and event ids, no hostname or message"),
        "octo-bot" => one(
            "octo-bot ask",
            &["ask", "servers --state all"],
            "id,hostname",
        ),
        "scan-export" => Err("octo-sim cannot plant a scan of the planted server"),
        "fw-graph" => Err("draws a firewall policy: no server hostname reaches it"),
        "sec-takedown" => {
            Err("octo-sim has no hook to plant an OpenStack instance with a hostile name")
        }
        "octo-sim" => Err("the simulator prints only its URL and its log"),
        _ => return None,
    })
}

#[test]
fn a_hostname_with_escape_sequences_never_reaches_a_terminal_raw_but_passes_through_a_pipe() {
    let report = Report::new();
    let bins = bins::workspace_bins();
    let w = World::new(true);
    std::thread::scope(|s| {
        for bin in &bins {
            let (report, w) = (&report, &w);
            s.spawn(move || escape_one(bin, w, report));
        }
    });
    report.assert_clean("terminal sanitizing");
}

fn escape_one(bin: &str, w: &World, report: &Report) {
    let program = bins::path(bin);
    let cases = match escape(bin, w) {
        None => {
            report.fail(
                bin,
                "has an escape-sequence case",
                "no entry in escape() of tests/tests/conformance.rs",
            );
            return;
        }
        Some(Err(_reason)) => return,
        Some(Ok(c)) => c,
    };
    let mut tty_env = w.env.clone();
    tty_env.push(("NO_COLOR".into(), "1".into()));
    for case in cases {
        let records = no_records_reason(case.command).is_none();
        let variants: Vec<(String, Vec<String>)> = if records {
            FORMATS
                .iter()
                .map(|f| {
                    (
                        format!("-o {f}"),
                        with(&case.args, &["-o", f, "-c", case.columns]),
                    )
                })
                .collect()
        } else {
            vec![("its output".to_string(), case.args.clone())]
        };
        let workdir = w.workdir(&format!("escape-{}", case.command.replace(' ', "-")));
        for (label, a) in &variants {
            let mut c = run::pty_command(&program, a, &tty_env);
            c.current_dir(&workdir);
            let r = run::output(c);
            let text = String::from_utf8_lossy(&r.stdout).into_owned();
            let check = format!("a hostile hostname never reaches a terminal raw ({label})");
            if r.code != 0 {
                report.fail(
                    case.command,
                    &check,
                    format!(
                        "on a terminal: exit {}, transcript {}",
                        r.code,
                        excerpt(&text, 300)
                    ),
                );
                continue;
            }
            for (seq, what) in world::RAW_SEQUENCES {
                report.check(
                    !text.contains(seq),
                    case.command,
                    &check,
                    format!("the terminal receives {what} raw"),
                );
            }
            report.check(
                text.contains(world::HOSTILE_MARKER),
                case.command,
                &check,
                format!(
                    "the hostname does not show at all (`{}` missing), so this case checks nothing",
                    world::HOSTILE_MARKER
                ),
            );
            check_secrets(report, bin, case.command, "a terminal run", &text);
        }
        // on a pipe the raw bytes pass through: JSON that decodes to the exact hostname, and
        // for CSV the bytes themselves
        let piped: Vec<(String, Vec<String>)> = if records {
            vec![
                ("-o jsonl".into(), with(&case.args, &["-o", "jsonl"])),
                (
                    "-o csv".into(),
                    with(&case.args, &["-o", "csv", "-c", case.columns]),
                ),
            ]
        } else {
            vec![("its output".into(), case.args.clone())]
        };
        for (label, a) in piped {
            let mut c = run::command(&program, &a, &w.env);
            c.current_dir(&workdir);
            let r = run::output(c);
            let out = r.out();
            let raw = out.contains(world::HOSTILE_HOSTNAME)
                || out
                    .lines()
                    .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                    .any(|v| world::contains_string(&v, world::HOSTILE_HOSTNAME));
            report.check(
                r.code == 0 && raw,
                case.command,
                &format!("on a pipe the raw bytes pass through ({label})"),
                format!(
                    "{}, the exact hostname is not in stdout {}",
                    r.brief(),
                    excerpt(&out, 200)
                ),
            );
            check_secrets(report, bin, case.command, "a piped run", &r.all());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations: a plan by default, action only with --apply

struct Mutation {
    command: &'static str,
    /// What the world needs first (not under test; a failure is reported as a set-up failure).
    setup: Option<Setup>,
    plan: Vec<String>,
    apply: Vec<String>,
}

enum Setup {
    /// Run the same binary with these arguments.
    Run(Vec<String>),
    /// A block of ours in ipblock's zone that expired long ago.
    ExpiredBlock,
}

fn mutation(command: &'static str, plan: &[&str], extra: &[&str]) -> Mutation {
    let plan = args(plan);
    Mutation {
        command,
        setup: None,
        apply: with(&plan, extra),
        plan,
    }
}

impl Mutation {
    fn after(mut self, setup: Setup) -> Mutation {
        self.setup = Some(setup);
        self
    }
}

/// The mutating commands, in the order they run against one world per binary (a step may need
/// the state an earlier one left).
fn mutations(bin: &str, w: &World) -> Vec<Mutation> {
    let events = w.events.display().to_string();
    match bin {
        "quarantine" => vec![
            mutation("quarantine", &["-i", &events], &["--apply"]),
            mutation(
                "quarantine release",
                &[
                    "release",
                    "--server",
                    &w.hostile_id,
                    "--to-group",
                    "Root/q-test",
                ],
                &["--apply"],
            ),
        ],
        "ipblock" => vec![
            mutation("ipblock", &["-i", &events], &["--apply"]),
            mutation(
                "ipblock unblock",
                &["unblock", world::OFFENDER_IP],
                &["--apply"],
            ),
            mutation("ipblock expire", &["expire"], &["--apply"]).after(Setup::ExpiredBlock),
        ],
        "sec-takedown" => {
            let ids = w.active_instances();
            assert!(ids.len() >= 3, "octo-sim has fewer than 3 ACTIVE instances");
            vec![
                mutation("sec-takedown lock", &["lock", &ids[0]], &["--apply"]),
                mutation("sec-takedown unlock", &["unlock", &ids[0]], &["--apply"]),
                // delete needs the ticket that lock opens
                mutation(
                    "sec-takedown delete",
                    &["delete", &ids[1]],
                    &["--apply", "--yes"],
                )
                .after(Setup::Run(args(&["lock", &ids[1], "--apply"]))),
                mutation(
                    "sec-takedown takedown",
                    &["takedown", &ids[2]],
                    &["--apply", "--yes"],
                ),
            ]
        }
        _ => Vec::new(),
    }
}

/// Before `ipblock expire`: a block of ours in the zone that expired long ago (written through
/// `halo-query api` with the full-access key).
fn plant_expired_block(w: &World, report: &Report) {
    let zone = w.zone("halo-ipblocker");
    let ip = "198.51.100.9";
    let body = serde_json::json!({"firewall_zone": {
        "ip_address": format!("{},{ip}", zone["ip_address"].as_str().unwrap_or("")),
        "description": format!("{}\noctobox-ipblock: {ip} until 2020-01-01T00:00:00Z",
            zone["description"].as_str().unwrap_or("")),
    }});
    let path = format!(
        "/v1/firewall_zones/{}",
        zone["id"].as_str().expect("zone id")
    );
    let r = run::run(
        &bins::path("halo-query"),
        &["api", "PUT", &path, "--data", &body.to_string()],
        &w.env,
    );
    report.check(
        r.code == 0,
        "ipblock expire",
        "set-up: plant an expired block with `halo-query api PUT`",
        r.brief(),
    );
}

#[test]
fn every_mutating_command_plans_by_default_and_acts_only_with_apply() {
    let report = Report::new();
    let trees = trees();
    // every command that offers --apply is in the table, and keeps --dry-run as an alias
    let table_bins = ["quarantine", "ipblock", "sec-takedown"];
    let probe = World::new(false);
    let listed: BTreeSet<&str> = table_bins
        .iter()
        .flat_map(|b| mutations(b, &probe))
        .map(|m| m.command)
        .collect();
    drop(probe);
    for (bin, nodes) in &trees {
        for node in nodes.iter().filter(|n| n.runnable) {
            let name = node.name();
            let offers = help::option_section(&node.help_text(), "--apply").is_some();
            if offers {
                report.check(
                    listed.contains(name.as_str()),
                    &name,
                    "every command with --apply is in the mutation table",
                    "add it to mutations() in tests/tests/conformance.rs",
                );
            }
            if offers || listed.contains(name.as_str()) {
                let r = run::output(run::command(
                    &bins::path(bin),
                    &with(&node.sub_args(), &["--dry-run", "--help"]),
                    &[],
                ));
                report.check(
                    r.code == 0,
                    &name,
                    "--dry-run stays accepted (a no-op alias of the default plan)",
                    r.brief(),
                );
            }
        }
    }
    std::thread::scope(|s| {
        for bin in table_bins {
            let report = &report;
            s.spawn(move || {
                let w = World::new(false);
                for m in mutations(bin, &w) {
                    match &m.setup {
                        None => {}
                        Some(Setup::ExpiredBlock) => plant_expired_block(&w, report),
                        Some(Setup::Run(a)) => {
                            let r = run::output(run::command(&bins::path(bin), a, &w.env));
                            report.check(
                                r.code == 0,
                                m.command,
                                &format!("set-up: `{bin} {}`", a.join(" ")),
                                r.brief(),
                            );
                        }
                    }
                    mutate(bin, &w, &m, report);
                }
            });
        }
    });
    report.assert_clean("plan by default, --apply to act");
}

fn mutate(bin: &str, w: &World, m: &Mutation, report: &Report) {
    let program = bins::path(bin);
    let workdir = w.workdir(&m.command.replace(' ', "-"));
    let go = |a: &[String]| {
        let mut c = run::command(&program, a, &w.env);
        c.current_dir(&workdir);
        run::output(c)
    };
    let before = w.mutations();
    let r = go(&m.plan);
    let after = w.mutations();
    let shown = format!("`{bin} {}`", m.plan.join(" "));
    report.check(
        after == before,
        m.command,
        "without --apply: zero mutating calls",
        format!(
            "{shown} made {}: {:?}",
            after - before,
            w.mutations_since(before)
        ),
    );
    report.check(
        r.code == 0,
        m.command,
        "without --apply: exits 0",
        format!("{shown}: {}", r.brief()),
    );
    let planned = r
        .out()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .any(|v| v["status"] == "planned");
    report.check(
        planned,
        m.command,
        "without --apply: prints its plan (`planned` records)",
        format!("{shown}: stdout {}", excerpt(&r.out(), 200)),
    );
    check_secrets(report, bin, m.command, &shown, &r.all());
    let before = w.mutations();
    let r = go(&m.apply);
    let after = w.mutations();
    let shown = format!("`{bin} {}`", m.apply.join(" "));
    report.check(
        after > before,
        m.command,
        "with --apply: acts (mutating calls made)",
        format!("{shown} made none: {}", r.brief()),
    );
    report.check(
        r.code == 0,
        m.command,
        "with --apply: exits 0",
        format!("{shown}: {}", r.brief()),
    );
    check_secrets(report, bin, m.command, &shown, &r.all());
}
