//! The committed man page and completions in bin-docs/ match the clap definitions (`make docs`).

#[test]
fn committed_docs_are_current() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../bin-docs"));
    let stale = octo_core::docs::stale(fw_graph::command(), dir).unwrap();
    assert!(stale.is_empty(), "stale, run `make docs`: {stale:?}");
}
