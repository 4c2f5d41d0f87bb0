//! The committed man page and completions in bin-docs/ match the clap definitions (`make docs`),
//! and octo-sim's own generator writes exactly what `octo_core::docs` writes for the others.

#[test]
fn committed_docs_are_current() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../bin-docs"));
    let stale = octo_core::docs::stale(octo_sim::cli::command(), dir).unwrap();
    assert!(stale.is_empty(), "stale, run `make docs`: {stale:?}");
}

#[test]
fn its_generator_writes_what_octo_core_writes() {
    let dir = tempfile::tempdir().unwrap();
    octo_sim::docs::generate(octo_sim::cli::command(), dir.path()).unwrap();
    let stale = octo_core::docs::stale(octo_sim::cli::command(), dir.path()).unwrap();
    assert!(stale.is_empty(), "{stale:?}");
    let man = std::fs::read_to_string(dir.path().join("man/octo-sim.1")).unwrap();
    assert!(man.contains("octo\\-sim"), "{man}");
}
