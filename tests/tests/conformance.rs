//! The conformance test (issue 13, item 8): every binary of the workspace — found from `cargo
//! metadata`, so a new tool is covered without editing this file — is held to the one contract of
//! `shared/CONVENTIONS.md` and `bin-docs/`: help, version, usage errors, generated docs, output
//! flags, `| head -1`, `NO_COLOR`, terminal sanitizing, secrets, plan-by-default.
//!
//! Each test runs its checks over every binary (in parallel where cheap) and fails once, listing
//! every failed check as `COMMAND: CHECK: DETAIL`, so one run names every straggler.
//!
//! The tables in `conformance/` are the only per-tool knowledge: how to run each binary against octo-sim
//! ([`smoke`]), where the planted hostile hostname shows ([`escape`]), which commands print no
//! records ([`NO_RECORDS`]) and the mutating commands ([`mutations`]). A binary missing from a
//! table fails the test, naming it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use octobox_tests::bins;
use octobox_tests::help::{self, Node};
use octobox_tests::report::{Report, excerpt};
use octobox_tests::run;
use octobox_tests::world::{self, World};
use serde_json::Value;

/// Runnable commands that print no records (so need no `-o/-c/--no-header`), each with why.
const NO_RECORDS: &[(&str, &str)] = &[(
    "octo-sim serve",
    "a server: prints its base URL, then serves until SIGTERM",
)];

/// The record formats every record-printing command accepts.
const FORMATS: [&str; 4] = ["jsonl", "json", "csv", "table"];

/// Every binary, with its command tree (walked in parallel).
fn trees() -> Vec<(String, Vec<Node>)> {
    let bins = bins::workspace_bins();
    std::thread::scope(|s| {
        let handles: Vec<_> = bins
            .iter()
            .map(|b| s.spawn(move || (b.clone(), help::walk(b, &bins::path(b)))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("walking --help"))
            .collect()
    })
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn with(base: &[String], extra: &[&str]) -> Vec<String> {
    let mut v = base.to_vec();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn no_records_reason(command: &str) -> Option<&'static str> {
    NO_RECORDS
        .iter()
        .find(|(c, _)| *c == command)
        .map(|(_, r)| *r)
}

/// Report a leak of any configured secret in `text` (what `command` showed as `what`), unless
/// `bin` shows the demo's secrets on purpose.
fn check_secrets(report: &Report, bin: &str, command: &str, what: &str, text: &str) {
    if conformance::smoke::SHOWS_DEMO_SECRETS
        .iter()
        .any(|(b, _)| *b == bin)
    {
        return;
    }
    let leaked = world::leaked(text);
    report.check(
        leaked.is_empty(),
        command,
        "no configured secret in any output",
        format!("{what} shows the value of {}", leaked.join(", ")),
    );
}

// One module per part of the contract, in tests/tests/conformance/.
mod conformance {
    mod docs;
    mod escape;
    mod help;
    mod mutate;
    mod output;
    pub(crate) mod smoke;
}
