//! Embeds the git revision for `--version`; degrades to "unknown" when git or .git is absent.
use std::process::Command;

/// `git ARGS` in this directory, its trimmed stdout when it succeeded.
fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    let rev = git(&["rev-parse", "--short=10", "HEAD"]).unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=OCTO_GIT_REV={rev}");
    // Rerun when HEAD moves: the HEAD file (a worktree has its own) and the branch's ref file.
    // Only paths that exist: Cargo reruns a build script on every build while a path it was told
    // to watch is missing (a worktree's git dir has no refs/heads; a packed ref has no file),
    // which rebuilt octo-core and every crate above it on every cargo command.
    let mut watch = Vec::new();
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        watch.push(format!("{dir}/HEAD"));
    }
    if let (Some(common), Some(branch)) = (
        git(&["rev-parse", "--git-common-dir"]),
        git(&["symbolic-ref", "-q", "HEAD"]),
    ) {
        watch.push(format!("{common}/{branch}"));
    }
    for path in watch {
        if std::path::Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
