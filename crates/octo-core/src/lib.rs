//! octo-core: the one client crate every octobox binary links.
//!
//! - [`env`]: every environment variable name, documented, in one place
//! - [`exit`]: exit codes and the error kinds that map to them; [`exit::main`] for `main.rs`
//! - [`config`]: flags > env > config file > defaults; secrets never print
//! - [`http`]: one reqwest client with retries, backoff, `Retry-After`, concurrency and rate limits
//! - [`halo`]: the Halo API client (token, pagination streams, time-window cursor)
//! - [`records`]: JSONL reader (line-numbered errors) and the record writer (broken pipe = success)
//! - [`output`]: `--format jsonl|json|csv|table`, `--columns`
//! - [`time`]: `--date/--since/--until` parsing, UTC windows
//! - [`log`]: tracing to stderr, `-v/-q`, `--log-format json`
//! - [`mutation`]: `--apply`/`--dry-run`/`--yes` of every mutating command, typed confirmation
//! - [`progress`]: progress bars on stderr, only on a terminal and never with `-q`
//! - [`doctor`]: what every `doctor` shares: settings with sources, redaction, checks, the report
//! - [`docs`]: man pages and completions generated from clap
//! - [`validate`]: ranges of numbers from flags, env and octo.yml (clap value parsers)

pub mod config;
pub mod docs;
pub mod doctor;
pub mod env;
pub mod exit;
pub mod halo;
pub mod http;
pub mod json;
pub mod log;
pub mod mutation;
pub mod output;
pub mod progress;
pub mod records;
pub mod sanitize;
pub mod time;
pub mod validate;

pub use exit::{Exit, InputError, UsageError};

/// `X.Y.Z (rev abcdef1234)`: what every binary's `--version` prints after its name.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (rev ",
    env!("OCTO_GIT_REV"),
    ")"
);

/// Run an async entry point on a fresh multi-threaded tokio runtime.
pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("building the tokio runtime")
        .block_on(fut)
}
