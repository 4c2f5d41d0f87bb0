//! Behaviour against octo-sim (and moto): | head -1, NO_COLOR, secrets.

use crate::*;

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
pub(crate) const SHOWS_DEMO_SECRETS: &[(&str, &str)] = &[(
    "octo-sim",
    "the simulator prints its own demo keys in --help and its log; it is configured with no secret",
)];

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
