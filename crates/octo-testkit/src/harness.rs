//! What the per-crate test harnesses (`crates/*/tests/common/mod.rs`) share: an in-process
//! octo-sim, the real binary with a scrubbed environment, and checks of its output. Each harness
//! keeps only what is its own (which secrets, which variables, which configuration).

use std::process::Output;

use serde_json::Value;

/// Start octo-sim in-process on a free loopback port.
pub fn spawn_sim(cfg: octo_sim::SimConfig) -> octo_sim::SimHandle {
    octo_sim::Sim::spawn(cfg).expect("spawning octo-sim")
}

/// The crate's binary `bin`, with every variable of `removed` taken out of its environment so
/// nothing from the caller's shell leaks in.
pub fn command(bin: &str, removed: &[&str]) -> assert_cmd::Command {
    let mut cmd =
        assert_cmd::Command::cargo_bin(bin).unwrap_or_else(|e| panic!("{bin} binary: {e}"));
    for k in removed {
        cmd.env_remove(k);
    }
    cmd
}

/// None of `secrets` appears in stdout or stderr.
pub fn assert_no_secrets(out: &Output, secrets: &[&str]) {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for s in secrets {
        assert!(!text.contains(s), "secret {s:?} leaked in output:\n{text}");
    }
}

/// stdout, which must be UTF-8.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

/// stderr, lossily.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// stdout parsed as JSON Lines; a line that is not JSON panics, naming it.
pub fn jsonl(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// The exit code (-1 when a signal ended the process).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// Assert exit 0, showing stdout and stderr otherwise.
pub fn ok(out: &Output) {
    assert_eq!(
        code(out),
        0,
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}
