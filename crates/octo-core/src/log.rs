//! Logging: `tracing` to stderr only. `-v`/`-q` and `--log-format json` for CI; `OCTO_LOG`
//! (EnvFilter syntax) overrides. The single error line of a failed run also goes through here.

use std::io::{IsTerminal, Write};

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
        let filter = std::env::var(crate::env::OCTO_LOG)
            .ok()
            .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
            .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(level));
        let ansi = self.use_color();
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(|| crate::progress::Stderr)
            .with_target(false);
        let _ = match self.log_format {
            LogFormat::Json => builder.json().try_init(),
            LogFormat::Text => builder.with_ansi(ansi).without_time().try_init(),
        };
    }

    pub fn use_color(&self) -> bool {
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::env::var_os(crate::env::NO_COLOR).is_none() && std::io::stderr().is_terminal()
            }
        }
    }

    /// Whether progress bars may be drawn (stderr is a terminal and not `-q`); see
    /// [`crate::progress`].
    pub fn progress(&self) -> bool {
        crate::progress::decide(self.quiet, std::io::stderr().is_terminal())
    }
}

/// Print the one error line of a failed run: `tool: {err:#}` (the whole context chain),
/// sanitized of control characters when stderr is a terminal.
pub fn error_line(tool: &str, err: &anyhow::Error) {
    let text = format!("{tool}: {err:#}");
    let text = if std::io::stderr().is_terminal() {
        crate::sanitize::for_terminal(&text).into_owned()
    } else {
        text
    };
    crate::progress::suspend(|| {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{text}");
    });
}

/// A plain informational line on stderr (progress notes, "already exported" …), unless quiet.
pub fn note(quiet: bool, msg: impl std::fmt::Display) {
    if !quiet {
        crate::progress::suspend(|| {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "{msg}");
        });
    }
}
