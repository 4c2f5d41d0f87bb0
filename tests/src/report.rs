//! Failures collected over every binary and asserted once, so one run names every straggler.

use std::fmt::Display;
use std::sync::Mutex;

/// A list of failed checks, each `COMMAND: CHECK: DETAIL` (COMMAND is the binary and its
/// subcommand path, e.g. `quarantine release`).
#[derive(Default)]
pub struct Report {
    failures: Mutex<Vec<String>>,
}

impl Report {
    pub fn new() -> Report {
        Report::default()
    }

    /// Record that `check` failed for `command`.
    pub fn fail(&self, command: &str, check: &str, detail: impl Display) {
        let detail = detail.to_string();
        let detail = detail.trim_end();
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(format!("{command}: {check}: {detail}"));
    }

    /// `fail` unless `ok`.
    pub fn check(&self, ok: bool, command: &str, check: &str, detail: impl Display) {
        if !ok {
            self.fail(command, check, detail);
        }
    }

    /// The failures so far, sorted.
    pub fn failures(&self) -> Vec<String> {
        let mut v = self
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        v.sort();
        v
    }

    /// Panic listing every failure (sorted by command), if there is any.
    pub fn assert_clean(&self, what: &str) {
        let f = self.failures();
        assert!(
            f.is_empty(),
            "{what}: {} failed check(s):\n  {}",
            f.len(),
            f.join("\n  ")
        );
    }
}

/// The first `max` characters of `text`, for failure messages.
pub fn excerpt(text: &str, max: usize) -> String {
    let t = text.trim();
    if t.chars().count() <= max {
        format!("{t:?}")
    } else {
        let cut: String = t.chars().take(max).collect();
        format!("{cut:?}…")
    }
}
