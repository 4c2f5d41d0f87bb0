//! Logging: `tracing` to stderr only. `-v`/`-q` and `--log-format json` for CI; `OCTO_LOG`
//! (EnvFilter syntax) overrides. The single error line of a failed run also goes through here.
//!
//! Terminal safety: whatever reaches stderr from here — the error line, notes, tracing lines
//! (their message and fields, which may quote API text or config values) — is sanitized by
//! [`crate::sanitize`] when stderr is a terminal (json log lines with JSON escapes, so they stay
//! valid JSON). Redirected stderr gets the raw text. [`for_stderr`] does the same for any other
//! line meant for stderr (e.g. a progress bar's `println`).

use std::borrow::Cow;
use std::fmt;
use std::io::{IsTerminal, Write};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::Writer;

use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Color {
    #[default]
    Auto,
    Always,
    Never,
}

/// Flags every binary shares for logging and colour.
#[derive(Debug, Clone, Args, Default)]
pub struct LogArgs {
    /// More log output on stderr (-v info, -vv debug, -vvv trace)
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr; no progress bars
    #[arg(short = 'q', long = "quiet", global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Log line format on stderr
    #[arg(long = "log-format", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal
    #[arg(long = "color", value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
}

impl LogArgs {
    /// Install the global subscriber (idempotent: a second call is ignored).
    pub fn init(&self) {
        crate::progress::set_enabled(self.progress());
        let level = if self.quiet {
            "error"
        } else {
            match self.verbose {
                0 => "warn",
                1 => "info",
                2 => "debug",
                _ => "trace",
            }
        };
        let filter = crate::env::var_nonempty(crate::env::OCTO_LOG)
            .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
            .unwrap_or_else(|| {
                // rustls logs the TLS failures our error line already names; its lines show
                // from -vv on.
                let tls = if self.verbose >= 2 { level } else { "off" };
                tracing_subscriber::EnvFilter::new(format!("{level},rustls={tls}"))
            });
        let ansi = self.use_color();
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(|| crate::progress::Stderr)
            .with_target(false);
        let terminal = std::io::stderr().is_terminal();
        let _ = match (self.log_format, terminal) {
            (LogFormat::Json, false) => builder.json().try_init(),
            (LogFormat::Json, true) => builder
                .json()
                .with_writer(|| JsonTerminal(std::io::stderr()))
                .try_init(),
            (LogFormat::Text, false) => builder.with_ansi(ansi).without_time().try_init(),
            (LogFormat::Text, true) => builder
                .with_ansi(ansi)
                .without_time()
                .fmt_fields(TerminalFields)
                .try_init(),
        };
    }

    pub fn use_color(&self) -> bool {
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                !crate::env::is_set(crate::env::NO_COLOR) && std::io::stderr().is_terminal()
            }
        }
    }

    /// Whether progress bars may be drawn (stderr is a terminal and not `-q`); see
    /// [`crate::progress`].
    pub fn progress(&self) -> bool {
        crate::progress::decide(self.quiet, std::io::stderr().is_terminal())
    }
}

/// `text` as it may be written to stderr: sanitized ([`crate::sanitize::for_terminal`]) when
/// stderr is a terminal, unchanged otherwise.
pub fn for_stderr(text: &str) -> Cow<'_, str> {
    for_sink(text, std::io::stderr().is_terminal())
}

fn for_sink(text: &str, terminal: bool) -> Cow<'_, str> {
    if terminal {
        crate::sanitize::for_terminal(text)
    } else {
        Cow::Borrowed(text)
    }
}

/// Print the one error line of a failed run: `tool: {err:#}` (the whole context chain),
/// sanitized of control characters when stderr is a terminal.
pub fn error_line(tool: &str, err: &anyhow::Error) {
    let text = format!("{tool}: {err:#}");
    crate::progress::suspend(|| {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{}", for_stderr(&text));
    });
}

/// A plain informational line on stderr (progress notes, "already exported" …), unless quiet;
/// sanitized when stderr is a terminal.
pub fn note(quiet: bool, msg: impl std::fmt::Display) {
    if !quiet {
        let text = msg.to_string();
        crate::progress::suspend(|| {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "{}", for_stderr(&text));
        });
    }
}

/// Fields of a text log line on a terminal: the message as is and `name=value` (Debug) for the
/// others, like tracing's default, each sanitized.
struct TerminalFields;

impl<'w> FormatFields<'w> for TerminalFields {
    fn format_fields<R: RecordFields>(&self, mut writer: Writer<'w>, fields: R) -> fmt::Result {
        let mut v = TerminalVisitor {
            writer: &mut writer,
            result: Ok(()),
            first: true,
        };
        fields.record(&mut v);
        v.result
    }
}

struct TerminalVisitor<'a, 'w> {
    writer: &'a mut Writer<'w>,
    result: fmt::Result,
    first: bool,
}

impl Visit for TerminalVisitor<'_, '_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_err() {
            return;
        }
        let text = format!("{value:?}");
        let safe = crate::sanitize::for_terminal(&text);
        let sep = if self.first { "" } else { " " };
        self.first = false;
        self.result = match field.name() {
            "message" => write!(self.writer, "{sep}{safe}"),
            name => write!(self.writer, "{sep}{name}={safe}"),
        };
    }
}

/// stderr for json log lines on a terminal: each line (tracing writes one event per write)
/// with [`crate::sanitize::json_for_terminal`].
struct JsonTerminal(std::io::Stderr);

impl Write for JsonTerminal {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0
            .write_all(crate::sanitize::json_for_terminal(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn stderr_text_is_sanitized_only_for_a_terminal() {
        let text = "quarantine: server web\x1b[2J\u{9b}1m\u{202e}: moved";
        assert_eq!(for_sink(text, false), text);
        assert_eq!(
            for_sink(text, true),
            "quarantine: server web\\x1b[2J\\u{9b}1m\\u{202e}: moved"
        );
    }

    /// A writer the test can read.
    #[derive(Clone, Default)]
    struct Buf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn terminal_log_lines_escape_api_text_in_message_and_fields() {
        let buf = Buf::default();
        let w = buf.clone();
        let layer = tracing_subscriber::fmt::layer()
            .with_writer(move || w.clone())
            .with_ansi(false)
            .without_time()
            .with_target(false)
            .fmt_fields(TerminalFields);
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            let host = "web\u{1b}]0;owned\u{7}";
            tracing::warn!(zone = "z\u{9b}2J", "server {host} is gone");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            " WARN server web\\x1b]0;owned\\x07 is gone zone=\"z\\u{9b}2J\"\n"
        );
    }
}
