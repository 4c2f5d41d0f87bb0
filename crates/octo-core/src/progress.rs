//! Progress on stderr: the one helper every tool uses for long work (indicatif underneath).
//!
//! Progress is drawn only when stderr is a terminal and `-q` was not given
//! ([`LogArgs::progress`](crate::log::LogArgs::progress), switched on by
//! [`LogArgs::init`](crate::log::LogArgs::init)); on a pipe, or quiet, every [`Progress`] is a
//! no-op that writes nothing, so scripts and CI logs never see a bar or an escape sequence.
//!
//! All bars share one stderr area; log lines and notes written while a bar is shown go through
//! [`suspend`], so they print above the bar instead of tearing it. A tool creates a handle per
//! piece of work ([`Progress::bar`] when the total is known, [`Progress::spinner`] otherwise),
//! updates its message or position, and [`Progress::finish`]es it (dropping the last clone
//! clears it too). Messages are sanitized of control characters: they name servers, accounts
//! and other text that came from outside.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};

static ENABLED: AtomicBool = AtomicBool::new(false);
static AREA: OnceLock<MultiProgress> = OnceLock::new();

/// Whether progress may be drawn: stderr is a terminal and the run is not quiet.
/// `stderr_is_terminal` is injected so that the rule is testable without a terminal.
pub fn decide(quiet: bool, stderr_is_terminal: bool) -> bool {
    !quiet && stderr_is_terminal
}

/// Switch progress on or off for this process (called once by `LogArgs::init`).
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether [`set_enabled`] switched progress on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

fn area() -> &'static MultiProgress {
    AREA.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
}

/// Run `f` (which writes to stderr) with every bar cleared, then redraw them. Without progress
/// this is just `f()`.
pub fn suspend<R>(f: impl FnOnce() -> R) -> R {
    match AREA.get() {
        Some(a) if enabled() => a.suspend(f),
        _ => f(),
    }
}

/// A stderr writer that prints above the bars (the writer of `tracing` and of notes).
#[derive(Debug, Default, Clone, Copy)]
pub struct Stderr;

impl std::io::Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        suspend(|| std::io::stderr().write(buf))
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        suspend(|| std::io::stderr().write_all(buf))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// One piece of long work shown on stderr; a no-op when progress is off. Cheap to clone (the
/// clones share the bar).
#[derive(Clone, Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

const TICK: Duration = Duration::from_millis(200);

impl Progress {
    /// A handle that never draws.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// A spinner for work of unknown size, with elapsed time: `⠋ {msg} [12s]`.
    pub fn spinner(msg: impl AsRef<str>) -> Progress {
        Progress::spinner_if(enabled(), msg)
    }

    /// A bar of `len` steps: `[12s] ███░░░ 3/8 {msg}`.
    pub fn bar(len: u64, msg: impl AsRef<str>) -> Progress {
        Progress::bar_if(enabled(), len, msg)
    }

    /// [`Progress::spinner`] with the decision given (tests, or a tool with its own rule).
    pub fn spinner_if(show: bool, msg: impl AsRef<str>) -> Progress {
        Progress::make(show, None, "{spinner} {msg} [{elapsed}]", msg.as_ref())
    }

    /// [`Progress::bar`] with the decision given.
    pub fn bar_if(show: bool, len: u64, msg: impl AsRef<str>) -> Progress {
        Progress::make(
            show,
            Some(len),
            "[{elapsed}] {bar:30} {pos}/{len} {msg}",
            msg.as_ref(),
        )
    }

    /// A bar of `len` steps shown as a share, for positions that are not counts (seconds into
    /// a time window): `[12s] ███░░░ 42% {msg}`.
    pub fn percent_if(show: bool, len: u64, msg: impl AsRef<str>) -> Progress {
        Progress::make(
            show,
            Some(len),
            "[{elapsed}] {bar:30} {percent:>3}% {msg}",
            msg.as_ref(),
        )
    }

    fn make(show: bool, len: Option<u64>, template: &str, msg: &str) -> Progress {
        if !show {
            return Progress::hidden();
        }
        let style = ProgressStyle::with_template(template)
            .expect("progress template is valid")
            .progress_chars("█▉▊▋▌▍▎▏ ");
        let bar = match len {
            Some(n) => ProgressBar::new(n),
            None => ProgressBar::new_spinner(),
        }
        .with_style(style)
        .with_finish(ProgressFinish::AndClear);
        let bar = area().add(bar);
        bar.set_message(clean(msg));
        bar.enable_steady_tick(TICK);
        Progress { bar: Some(bar) }
    }

    /// Whether this handle draws anything.
    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }

    /// Replace the text after the bar.
    pub fn set_message(&self, msg: impl AsRef<str>) {
        if let Some(b) = &self.bar {
            b.set_message(clean(msg.as_ref()));
        }
    }

    /// Advance by `n` steps.
    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    /// Set the position (and the length, when it changed).
    pub fn set_position(&self, pos: u64, len: u64) {
        if let Some(b) = &self.bar {
            if b.length() != Some(len) {
                b.set_length(len);
            }
            b.set_position(pos.min(len));
        }
    }

    /// A line on stderr above the bar; without a bar, a plain line unless `quiet`.
    pub fn note(&self, quiet: bool, msg: impl std::fmt::Display) {
        match &self.bar {
            Some(b) => b.println(msg.to_string()),
            None => crate::log::note(quiet, msg),
        }
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Messages name things that came from outside: never let them move the cursor.
fn clean(msg: &str) -> String {
    crate::sanitize::for_terminal(msg).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_only_on_a_terminal_and_not_quiet() {
        assert!(decide(false, true), "terminal, not quiet: on");
        assert!(!decide(true, true), "-q on a terminal: off");
        assert!(!decide(false, false), "a pipe: off");
        assert!(!decide(true, false), "-q on a pipe: off");
    }

    #[test]
    fn hidden_handles_draw_nothing_and_accept_every_call() {
        for p in [
            Progress::spinner_if(false, "waiting"),
            Progress::bar_if(false, 3, "pairs"),
            Progress::hidden(),
        ] {
            assert!(!p.is_visible());
            p.set_message("x");
            p.inc(1);
            p.set_position(5, 2);
            p.finish();
        }
    }

    #[test]
    fn shown_handles_keep_their_position_within_the_length() {
        let p = Progress::bar_if(true, 4, "pairs");
        assert!(p.is_visible());
        p.inc(3);
        p.set_position(9, 6);
        let b = p.bar.as_ref().unwrap();
        assert_eq!((b.position(), b.length()), (6, Some(6)));
        p.finish();
    }

    #[test]
    fn messages_lose_escape_sequences() {
        let m = clean("srv\u{1b}[2Jx\u{7}");
        assert!(m.starts_with("srv") && m.contains("[2Jx"), "{m}");
        assert!(!m.contains(['\u{1b}', '\u{7}']), "{m:?}");
    }
}
