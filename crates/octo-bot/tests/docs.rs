//! The committed man pages (one per subcommand) and completions in bin-docs/ match the clap
//! definitions (`make docs`), reference no missing page, and every subcommand's `--help` ends
//! with examples that parse.

use std::path::Path;

const BIN_DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bin-docs");

#[test]
fn committed_docs_are_current() {
    let stale = octo_core::docs::stale(octo_bot::command(), Path::new(BIN_DOCS)).unwrap();
    assert!(stale.is_empty(), "stale, run `make docs`: {stale:?}");
    let dangling =
        octo_core::docs::dangling_references(&Path::new(BIN_DOCS).join("man"), "octo-bot").unwrap();
    assert!(dangling.is_empty(), "{dangling:?}");
}

#[test]
fn every_subcommand_has_working_examples() {
    let problems = octo_core::docs::check_examples(&octo_bot::command());
    assert!(problems.is_empty(), "{problems:#?}");
}
