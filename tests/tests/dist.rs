//! `make dist` (issue 18 item 3) on the debug build: the archive and `SHA256SUMS`, nothing else, in
//! DIST_DIR; the sums verify (computed here and by `sha256sum -c`); the archive unpacks into one
//! folder named for the version and target, holding the binaries, man pages, completions, README,
//! CHANGELOG, LICENSE and examples; its binaries run from wherever it was unpacked.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use octobox_tests::package::{
    PREFIX_LAYOUT, VERSION, assert_binaries_run, assert_completions_load, assert_man_renders,
    assert_ok, expected_files, files_under, make, tempdir,
};
use sha2::{Digest, Sha256};

#[test]
fn dist_archive_verifies_unpacks_into_one_folder_and_runs_anywhere() {
    let dist = tempdir();
    let r = make(
        "dist",
        &[("DIST_DIR", dist.path()), ("GZIP_LEVEL", Path::new("1"))],
    );
    assert_ok("dist", &r);

    let name = format!("octobox-{VERSION}-x86_64-unknown-linux-gnu");
    let archive = format!("{name}.tar.gz");
    assert_eq!(
        files_under(dist.path()),
        BTreeSet::from([archive.clone(), "SHA256SUMS".to_string()]),
        "DIST_DIR holds the archive and its sums"
    );

    // SHA256SUMS: one line for the archive, the digest of its bytes
    let sums = fs::read_to_string(dist.path().join("SHA256SUMS")).unwrap();
    let digest = hex::encode(Sha256::digest(
        fs::read(dist.path().join(&archive)).unwrap(),
    ));
    assert_eq!(sums, format!("{digest}  {archive}\n"));
    let check = Command::new("sha256sum")
        .args(["-c", "--strict", "SHA256SUMS"])
        .current_dir(dist.path())
        .output()
        .expect("sha256sum");
    assert!(
        check.status.success(),
        "sha256sum -c: {}",
        String::from_utf8_lossy(&check.stdout)
    );

    // unpacked somewhere else: one folder
    let anywhere = tempdir();
    let tar = Command::new("tar")
        .arg("-xzf")
        .arg(dist.path().join(&archive))
        .current_dir(anywhere.path())
        .output()
        .expect("tar");
    assert!(
        tar.status.success(),
        "{}",
        String::from_utf8_lossy(&tar.stderr)
    );
    let top: Vec<String> = fs::read_dir(anywhere.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        top,
        vec![name.clone()],
        "the archive unpacks into one folder"
    );

    let folder = anywhere.path().join(&name);
    let mut expected = expected_files(PREFIX_LAYOUT);
    expected.extend(["README.md", "CHANGELOG.md", "LICENSE"].map(String::from));
    assert_eq!(files_under(&folder), expected, "the archive's files");
    let repo = octobox_tests::bins::workspace_root();
    for f in ["README.md", "CHANGELOG.md", "LICENSE"] {
        assert_eq!(
            fs::read(folder.join(f)).unwrap(),
            fs::read(repo.join(f)).unwrap(),
            "{f} in the archive"
        );
    }
    assert_binaries_run(&folder.join("bin"));
    assert_man_renders(
        &folder.join("share/man/man1/sec-takedown-takedown.1"),
        "sec-takedown-takedown",
    );
    assert_completions_load(&folder, PREFIX_LAYOUT);
}
