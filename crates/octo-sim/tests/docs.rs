//! The committed man pages and completions in bin-docs/ match the clap definitions (`make docs`),
//! and octo-sim's own generator writes exactly what `octo_core::docs` writes for the others.

use std::path::Path;

const BIN_DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bin-docs");

#[test]
fn committed_docs_are_current() {
    let stale = octo_core::docs::stale(octo_sim::cli::command(), Path::new(BIN_DOCS)).unwrap();
    assert!(stale.is_empty(), "stale, run `make docs`: {stale:?}");
    let dangling =
        octo_core::docs::dangling_references(&Path::new(BIN_DOCS).join("man"), "octo-sim").unwrap();
    assert!(dangling.is_empty(), "{dangling:?}");
}

#[test]
fn every_subcommand_has_working_examples() {
    let problems = octo_core::docs::check_examples(&octo_sim::cli::command());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn its_generator_writes_what_octo_core_writes() {
    let dir = tempfile::tempdir().unwrap();
    octo_sim::docs::generate(octo_sim::cli::command(), dir.path()).unwrap();
    let stale = octo_core::docs::stale(octo_sim::cli::command(), dir.path()).unwrap();
    assert!(stale.is_empty(), "{stale:?}");
    let man = std::fs::read_to_string(dir.path().join("man/octo-sim-serve.1")).unwrap();
    assert!(man.contains("\\-\\-rate\\-429"), "{man}");
}
