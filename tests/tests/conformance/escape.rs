//! Terminal safety: the planted hostname.

use crate::*;

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
