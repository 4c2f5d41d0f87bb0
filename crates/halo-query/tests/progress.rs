//! Progress of a time-window list on stderr: drawn on a terminal (a pseudo-terminal here), with
//! the records and pages so far and the window position; never with `-q`; never on a pipe.

mod common;

use common::*;
use octo_sim::SimConfig;
use octo_testkit::harness::on_terminal;

fn busy_day() -> octo_sim::SimHandle {
    spawn(SimConfig {
        events_per_day: 1_500,
        scans_per_day: 300,
        now: Some(anchor()),
        ..Default::default()
    })
}

#[test]
fn a_terminal_shows_the_window_progress_and_quiet_silences_it() {
    let sim = busy_day();
    let env = env(&sim.url());
    let truth = ids(&sim.events(day_start(2026, 11, 19), day_start(2026, 11, 20)));
    assert!(truth.len() > 1_000, "ground truth has {}", truth.len());
    let args = ["events", "--date", "2026-11-19"];

    let run = on_terminal(env.std_command("halo-query", Keys::Read).args(args));
    let tty = run.terminal_text();
    assert_eq!(run.code, 0, "terminal:\n{tty}");
    assert_eq!(stdout_ids(&run.stdout), truth, "the records are unchanged");
    assert!(
        tty.contains("events 2026-11-19T00:00:00") && tty.contains("2026-11-20T00:00:00"),
        "the window is named:\n{tty:?}"
    );
    assert!(tty.contains(" records, "), "records so far:\n{tty:?}");
    assert!(
        tty.contains(" pages, at 2026-11-19T"),
        "pages and position:\n{tty:?}"
    );
    assert!(
        tty.contains('%'),
        "the window position as a share:\n{tty:?}"
    );
    assert!(tty.contains('\u{1b}'), "a bar that is redrawn:\n{tty:?}");
    for s in octo_testkit::harness::SIM_SECRETS {
        assert!(!tty.contains(s), "secret on the terminal");
    }

    let mut quiet = env.std_command("halo-query", Keys::Read);
    quiet.args(args);
    quiet.arg("-q");
    let run = on_terminal(&quiet);
    assert_eq!(run.code, 0, "terminal:\n{}", run.terminal_text());
    assert_eq!(stdout_ids(&run.stdout), truth);
    assert_eq!(run.terminal_text(), "", "-q: nothing on the terminal");
}

#[test]
fn a_pipe_gets_no_progress() {
    let sim = busy_day();
    for args in [
        ["events", "--date", "2026-11-19"],
        ["scans", "--date", "2026-11-19"],
    ] {
        let out = run(&sim.url(), &args);
        ok(&out);
        assert!(jsonl(&out).len() > 100, "{args:?}: a list of several pages");
        assert_eq!(stderr(&out), "", "{args:?}: stderr is a pipe");
    }
}

fn stdout_ids(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"));
            v["id"].as_str().expect("string id").to_string()
        })
        .collect()
}
