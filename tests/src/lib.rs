//! The machinery of the workspace-level tests (`tests/tests/*.rs`); the conformance test's tables
//! (smoke invocations, commands that print no records, mutating commands) live in the test itself.
//!
//! - [`bins`]: every binary of the workspace, from `cargo metadata` (a new tool is covered
//!   without editing any test), run from `target/debug` ([`octo_testkit::bin_dir`]); the
//!   metadata itself, whose dependency graph `tests/deps.rs` holds to the crate rules.
//! - [`help`]: the command tree of a binary, found by walking `--help` of every subcommand.
//! - [`run`]: running a binary with a clean environment, a timeout, `| head -1`, on a
//!   pseudo-terminal.
//! - [`world`]: octo-sim (and moto) with the hostile server planted, a config file, and the
//!   environment every tool needs, with distinctive secrets.
//! - [`examples`]: the host the files in `examples/` are installed on, the parsers of crontab,
//!   GitHub Actions and systemd, and the AWS side (moto) of the examples' tests.
//! - [`package`]: `make install|uninstall|deb|dist` on the debug build, the files a prefix must
//!   hold, and the checks of installed binaries, man pages and completions.
//! - [`report`]: failures collected over every binary, each naming binary, subcommand and check,
//!   asserted once at the end so one run lists every straggler.

pub mod bins;
pub mod examples;
pub mod help;
pub mod package;
pub mod report;
pub mod run;
pub mod world;
