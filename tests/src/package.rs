//! The packaging checks shared by `install.rs`, `deb.rs` and `dist.rs`: running a `make` target of
//! scripts/package.sh on the debug build, the files a prefix must hold (computed here from
//! `cargo metadata`, bin-docs/ and examples/, not from the script under test), and the checks that
//! installed binaries run, man pages render and completions load in their shells.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::bins::{workspace_bins, workspace_root};
use crate::run::{self, Run};

/// How long one `make install|uninstall|deb|dist` may take (a deb of the debug build is
/// compressed, stripped and checked; the machine may be busy with the rest of the suite).
pub const MAKE_TIMEOUT: Duration = Duration::from_secs(600);

/// The workspace version (every crate inherits it).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `make TARGET VARS...` in the workspace root, packaging the binaries of this test build
/// (`PROFILE=dev NO_BUILD=1 BIN_DIR=target/debug`) with the knobs of the caller's environment
/// removed, so a developer's `PREFIX` or `DESTDIR` never leaks in.
pub fn make(target: &str, vars: &[(&str, &Path)]) -> Run {
    let mut cmd = Command::new("make");
    cmd.current_dir(workspace_root())
        .arg("--no-print-directory")
        .arg(target)
        .arg("PROFILE=dev")
        .arg("NO_BUILD=1")
        .arg(format!("BIN_DIR={}", octo_testkit::bin_dir().display()))
        .arg(format!("CARGO={}", env!("CARGO")));
    for (k, v) in vars {
        cmd.arg(format!("{k}={}", v.display()));
    }
    for k in [
        "PREFIX",
        "DESTDIR",
        "DIST_DIR",
        "DEB_FAST",
        "GZIP_LEVEL",
        "ZSH_COMPLETION_DIR",
        "CARGO_TARGET_DIR",
        "MAKEFLAGS",
        "MFLAGS",
        "MAKELEVEL",
    ] {
        cmd.env_remove(k);
    }
    cmd.stdin(std::process::Stdio::null());
    let mut cmd = assert_cmd::Command::from_std(cmd);
    cmd.timeout(MAKE_TIMEOUT);
    let out = cmd.output().expect("running make");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: out.stderr,
    }
}

/// Asserts a `make` run succeeded, showing its output when it did not.
pub fn assert_ok(target: &str, r: &Run) {
    assert_eq!(r.code, 0, "make {target} failed:\n{}\n{}", r.out(), r.err());
}

/// Where a layout puts the files that differ between a plain prefix and the Debian package.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// `share/zsh/site-functions` (make install, the archive) or `share/zsh/vendor-completions`
    /// (Debian's zsh reads the latter under /usr).
    pub zsh_dir: &'static str,
    /// The suffix of man pages (`""`, or `".gz"` in the package).
    pub man_suffix: &'static str,
}

/// `make install` and the archive.
pub const PREFIX_LAYOUT: Layout = Layout {
    zsh_dir: "share/zsh/site-functions",
    man_suffix: "",
};

/// The Debian package (under `usr/`).
pub const DEB_LAYOUT: Layout = Layout {
    zsh_dir: "share/zsh/vendor-completions",
    man_suffix: ".gz",
};

/// Every file a prefix holds after an install, relative to the prefix: each binary of the
/// workspace, every man page of bin-docs/man (subcommands included), the three completions of
/// each binary, the README, the CHANGELOG and every file of examples/.
pub fn expected_files(layout: Layout) -> BTreeSet<String> {
    let root = workspace_root();
    let mut files = BTreeSet::new();
    for b in workspace_bins() {
        files.insert(format!("bin/{b}"));
        files.insert(format!("share/bash-completion/completions/{b}"));
        files.insert(format!("{}/_{b}", layout.zsh_dir));
        files.insert(format!("share/fish/vendor_completions.d/{b}.fish"));
    }
    let pages = man_pages();
    assert!(
        pages.len() > workspace_bins().len(),
        "bin-docs/man holds a page per binary and per subcommand"
    );
    for page in pages {
        files.insert(format!("share/man/man1/{page}{}", layout.man_suffix));
    }
    files.insert("share/doc/octobox/README.md".into());
    files.insert("share/doc/octobox/CHANGELOG.md".into());
    for f in files_under(&root.join("examples")) {
        files.insert(format!("share/doc/octobox/examples/{f}"));
    }
    files
}

/// The names of the man pages in bin-docs/man (`halo-query.1`, `halo-query-events.1`, …).
pub fn man_pages() -> Vec<String> {
    let dir = workspace_root().join("bin-docs/man");
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".1"))
        .collect();
    pages.sort();
    pages
}

/// Every file (and symlink) under `dir`, as `/`-separated paths relative to it.
pub fn files_under(dir: &Path) -> BTreeSet<String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let e = e.unwrap();
            let path = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap();
                out.insert(rel.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// The permission bits of a file.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Each workspace binary in `bin_dir` is executable and answers `--version` with its name and
/// the workspace version (run with a clean environment, from another directory).
pub fn assert_binaries_run(bin_dir: &Path) {
    let elsewhere = tempfile::tempdir().unwrap();
    for b in workspace_bins() {
        let path = bin_dir.join(&b);
        assert_eq!(mode(&path), 0o755, "{} is not mode 755", path.display());
        let mut cmd = run::command(&path, &["--version".into()], &[]);
        cmd.current_dir(elsewhere.path());
        let r = run::output(cmd);
        assert_eq!(r.code, 0, "{} --version: {}", path.display(), r.brief());
        let first = r.out().lines().next().unwrap_or_default().to_string();
        assert!(
            first.starts_with(&format!("{b} {VERSION}")),
            "{} --version printed {first:?}",
            path.display()
        );
    }
}

/// Prints why a check did not run (the test still passes: the tool is missing on this machine;
/// CI installs it, see .ci/run).
pub fn skip(what: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what}");
}

/// Whether `program` can be run (found on the PATH of [`run::command`]).
pub fn have(program: &str) -> bool {
    Command::new("sh")
        .env("PATH", run::PATH)
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

/// `man -l PAGE` renders the page (the file may be gzipped): the NAME section names `title`.
pub fn assert_man_renders(page: &Path, title: &str) {
    if !have("man") {
        skip(&format!(
            "man is not installed: {} not rendered",
            page.display()
        ));
        return;
    }
    let mut cmd = run::command(
        Path::new("man"),
        &["-l".into(), page.display().to_string()],
        &[
            ("MANPAGER".into(), "cat".into()),
            ("MANWIDTH".into(), "100".into()),
            ("LANG".into(), "C.UTF-8".into()),
        ],
    );
    cmd.current_dir(std::env::temp_dir());
    let r = run::output(cmd);
    assert_eq!(r.code, 0, "man -l {}: {}", page.display(), r.brief());
    let text = r.out();
    let name = text
        .lines()
        .skip_while(|l| l.trim() != "NAME")
        .nth(1)
        .unwrap_or_default()
        .trim()
        .to_string();
    assert!(
        name.starts_with(title),
        "man -l {} rendered no NAME section naming {title}:\n{}",
        page.display(),
        crate::report::excerpt(&text, 600)
    );
    assert!(
        text.contains("SYNOPSIS") || text.contains("OPTIONS"),
        "man -l {} rendered no SYNOPSIS/OPTIONS",
        page.display()
    );
}

/// Each binary's completion files under `prefix` load in their shell: bash sources its file and
/// then knows a completion for the command; zsh and fish parse theirs (`-n`) when installed.
pub fn assert_completions_load(prefix: &Path, layout: Layout) {
    let bins = workspace_bins();
    for b in &bins {
        let file = prefix.join(format!("share/bash-completion/completions/{b}"));
        let script = format!("source '{}' && complete -p {b}", file.display());
        let r = run::output(run::command(
            Path::new("bash"),
            &["--norc".into(), "--noprofile".into(), "-c".into(), script],
            &[],
        ));
        assert_eq!(r.code, 0, "bash: {}: {}", file.display(), r.brief());
        assert!(
            r.out().trim_end().ends_with(&format!(" {b}")),
            "bash registered no completion for {b}: {}",
            r.out()
        );
    }
    for (shell, file_of) in [
        (
            "zsh",
            Box::new(|b: &str| format!("{}/_{b}", layout.zsh_dir)) as Box<dyn Fn(&str) -> String>,
        ),
        (
            "fish",
            Box::new(|b: &str| format!("share/fish/vendor_completions.d/{b}.fish")),
        ),
    ] {
        if !have(shell) {
            skip(&format!(
                "{shell} is not installed: its completions were not loaded"
            ));
            continue;
        }
        for b in &bins {
            let file = prefix.join(file_of(b));
            let r = run::output(run::command(
                Path::new(shell),
                &["-n".into(), file.display().to_string()],
                &[],
            ));
            assert_eq!(r.code, 0, "{shell} -n {}: {}", file.display(), r.brief());
        }
    }
}

/// A fresh temporary directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}
