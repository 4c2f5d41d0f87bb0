//! `make install` / `make uninstall` (issue 18 item 1) into a temporary DESTDIR, on the debug
//! build: every file where the layout says with its mode, the installed binaries run, an installed
//! subcommand page renders with `man -l`, the completions load in their shells, and uninstall
//! removes exactly what install put (files of other software in the same prefix stay).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use octobox_tests::package::{
    PREFIX_LAYOUT, assert_binaries_run, assert_completions_load, assert_man_renders, assert_ok,
    expected_files, files_under, make, mode, tempdir,
};

#[test]
fn install_puts_every_file_in_place_and_uninstall_removes_exactly_those() {
    let destdir = tempdir();
    let prefix = "/opt/octo";
    let root = destdir.path().join("opt/octo");
    // other software in the same prefix, which uninstall must not touch
    let foreign = [
        "bin/other-tool",
        "share/man/man1/other-tool.1",
        "share/doc/other/README",
    ];
    for f in foreign {
        let path = root.join(f);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "not octobox\n").unwrap();
    }
    let vars = [("DESTDIR", destdir.path()), ("PREFIX", Path::new(prefix))];

    let r = make("install", &vars);
    assert_ok("install", &r);

    let expected = expected_files(PREFIX_LAYOUT);
    let mut with_foreign = expected.clone();
    with_foreign.extend(foreign.iter().map(|f| f.to_string()));
    let installed = files_under(&root);
    assert_eq!(
        installed.difference(&with_foreign).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "installed files nobody asked for"
    );
    assert_eq!(
        with_foreign.difference(&installed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "files missing after make install"
    );
    // nothing outside the prefix
    assert_eq!(
        files_under(destdir.path()).len(),
        installed.len(),
        "make install wrote outside $DESTDIR$PREFIX"
    );
    for f in &expected {
        let want = if f.starts_with("bin/") { 0o755 } else { 0o644 };
        assert_eq!(mode(&root.join(f)), want, "mode of {f}");
    }
    // the copies are the files they came from
    let repo = octobox_tests::bins::workspace_root();
    for (installed, source) in [
        (
            "share/man/man1/halo-query-events.1",
            "bin-docs/man/halo-query-events.1",
        ),
        (
            "share/fish/vendor_completions.d/fw-graph.fish",
            "bin-docs/completions/fw-graph.fish",
        ),
        (
            "share/zsh/site-functions/_ipblock",
            "bin-docs/completions/_ipblock",
        ),
        (
            "share/bash-completion/completions/quarantine",
            "bin-docs/completions/quarantine.bash",
        ),
        (
            "share/doc/octobox/examples/cron/octobox.crontab",
            "examples/cron/octobox.crontab",
        ),
    ] {
        assert_eq!(
            fs::read(root.join(installed)).unwrap(),
            fs::read(repo.join(source)).unwrap(),
            "{installed} differs from {source}"
        );
    }

    assert_binaries_run(&root.join("bin"));
    assert_man_renders(
        &root.join("share/man/man1/halo-query-events.1"),
        "halo-query-events",
    );
    assert_completions_load(&root, PREFIX_LAYOUT);

    let r = make("uninstall", &vars);
    assert_ok("uninstall", &r);
    let left = files_under(destdir.path());
    let foreign_under_destdir: BTreeSet<String> =
        foreign.iter().map(|f| format!("opt/octo/{f}")).collect();
    assert_eq!(
        left, foreign_under_destdir,
        "uninstall left or removed the wrong files"
    );
    assert!(
        !root.join("share/doc/octobox").exists(),
        "share/doc/octobox (octobox's own directory) is gone after uninstall"
    );
    // a second uninstall finds nothing to do and does not fail
    assert_ok("uninstall", &make("uninstall", &vars));
}

#[test]
fn install_without_the_binaries_fails_naming_the_missing_file() {
    let destdir = tempdir();
    let empty = tempdir();
    let r = make(
        "install",
        &[("DESTDIR", destdir.path()), ("BIN_DIR", empty.path())],
    );
    assert_ne!(r.code, 0, "install succeeded without binaries: {}", r.err());
    assert!(
        r.err().contains(&format!("{}/", empty.path().display())) && r.err().contains("is missing"),
        "the error names the missing binary: {}",
        r.err()
    );
}
