//! --help, --version, usage errors.

use crate::*;

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
