//! octo-fuzz: fuzz and property targets for every parser the octobox tools expose to input,
//! on the stable toolchain ([`arbtest`] over [`arbitrary`]; cargo-fuzz needs nightly).
//!
//! - [`harness`]: the loop (time budget from `FUZZ_SECONDS`, case limit, hang watchdog, the
//!   failing input named in the panic)
//! - [`input`]: generators of hostile-but-plausible text, JSON, YAML and byte mutations
//! - [`targets`]: one module per parser family; each target is a `generate` function and a
//!   `check` property, run by `tests/fuzz.rs` (one test each) and replayed on the inputs it once
//!   failed on by `tests/regressions.rs`
//!
//! `make fuzz` runs every target for `FUZZ_SECONDS` (default 60); `make test` runs each for about
//! a second.
pub mod harness;
pub mod input;
pub mod targets;

pub use harness::fuzz;
