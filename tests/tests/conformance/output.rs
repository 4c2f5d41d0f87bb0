//! -o/--format, -c/--columns, --no-header.

use crate::*;

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
