//! The one test harness of the workspace, after fd's `TestEnv`: [`TestEnv`] (a temporary HOME and
//! XDG dirs, an optional in-process octo-sim, the real binaries run with an empty environment plus
//! explicit variables, the secret check), [`Background`] (a spawned binary killed on drop),
//! [`wait_until`] (a condition instead of a sleep), and checks of a run's output.

use std::process::Output;

use serde_json::Value;

mod env;
pub mod http;
mod spawn;

pub use env::{Keys, OCTO_CONF, PASSED_ENV, SIM_SECRETS, TestEnv, anchor, lines};
pub use spawn::{Background, read_line, wait_until};

/// Start octo-sim in-process on a free loopback port (stopped when the handle is dropped).
pub fn spawn_sim(cfg: octo_sim::SimConfig) -> octo_sim::SimHandle {
    octo_sim::Sim::spawn(cfg).expect("spawning octo-sim")
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

/// The figures of an exporter's `-v` summary line (`done: N records, R requests (T retries,
/// Q answered 429), …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportSummary {
    pub records: u64,
    pub requests: u64,
    pub retries: u64,
    pub throttled: u64,
}

/// The last `done: …` summary line of `stderr`, parsed; panics naming what is missing.
pub fn export_summary(stderr: &str) -> ExportSummary {
    let line = stderr
        .lines()
        .rfind(|l| l.starts_with("done: "))
        .unwrap_or_else(|| panic!("no summary line in {stderr}"));
    let num = |after: &str| -> u64 {
        let i = line
            .find(after)
            .unwrap_or_else(|| panic!("no `{after}` in {line}"));
        line[..i]
            .rsplit([' ', '(', ':'])
            .find(|w| !w.is_empty())
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("no number before `{after}` in {line}"))
    };
    ExportSummary {
        records: num(" records"),
        requests: num(" requests"),
        retries: num(" retries"),
        throttled: num(" answered 429"),
    }
}

/// Every file under `dir` (recursively) by its path relative to `dir` (`/`-separated), with its
/// bytes: two exports compare equal exactly when they wrote the same objects.
pub fn files(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(
        root: &std::path::Path,
        dir: &std::path::Path,
        out: &mut std::collections::BTreeMap<String, Vec<u8>>,
    ) {
        for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.expect("directory entry").path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("under root");
                let name = rel.to_string_lossy().replace('\\', "/");
                out.insert(name, std::fs::read(&p).expect("readable file"));
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
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

/// Assert exit `want` and that stderr contains `needle`, showing the exit code and stderr
/// otherwise; stderr, for more checks.
#[track_caller]
pub fn exits_with(out: &Output, want: i32, needle: &str) -> String {
    let err = stderr(out);
    assert_eq!(code(out), want, "stderr:\n{err}");
    assert!(err.contains(needle), "no {needle:?} in stderr:\n{err}");
    err
}

/// What a run on a pseudo-terminal ([`on_terminal`]) left behind.
#[derive(Debug)]
pub struct TerminalRun {
    /// The exit code (-1 when a signal ended the process).
    pub code: i32,
    /// Every byte the program wrote to the terminal (its stderr; the terminal turns `\n` into
    /// `\r\n`).
    pub terminal: Vec<u8>,
    /// What it wrote to stdout (a file, not the terminal).
    pub stdout: Vec<u8>,
}

impl TerminalRun {
    /// The terminal's bytes, lossily, for messages and `contains`.
    pub fn terminal_text(&self) -> String {
        String::from_utf8_lossy(&self.terminal).into_owned()
    }
}

/// Run `cmd` (program, arguments, environment and directory are taken from it) with stderr on a
/// pseudo-terminal, as a user at a terminal would, and stdout redirected to a file. Uses
/// util-linux `script`, which copies what reaches the terminal to its own stdout.
pub fn on_terminal(cmd: &std::process::Command) -> TerminalRun {
    fn quote(s: &std::ffi::OsStr) -> String {
        format!("'{}'", s.to_string_lossy().replace('\'', r"'\''"))
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out_file = dir.path().join("stdout");
    let mut line = String::from("exec");
    for part in std::iter::once(cmd.get_program()).chain(cmd.get_args()) {
        line.push(' ');
        line.push_str(&quote(part));
    }
    line.push_str(" >");
    line.push_str(&quote(out_file.as_os_str()));
    let mut script = std::process::Command::new("script");
    script.args(["-qec", &line, "/dev/null"]);
    // a terminal as users have them, unless `cmd` says otherwise
    // and nothing else but what `cmd` sets (a TestEnv command sets everything it passes)
    script.env_clear().env("TERM", "xterm-256color");
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => script.env(k, v),
            None => script.env_remove(k),
        };
    }
    if let Some(d) = cmd.get_current_dir() {
        script.current_dir(d);
    }
    let out = script
        .stdin(std::process::Stdio::null())
        .output()
        .expect("running `script` (util-linux)");
    let stdout = std::fs::read(&out_file).unwrap_or_default();
    TerminalRun {
        code: out.status.code().unwrap_or(-1),
        terminal: out.stdout,
        stdout,
    }
}
