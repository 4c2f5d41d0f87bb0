//! Test-only hooks, compiled only with the cargo feature `test-hooks` (which the crate's own tests
//! switch on through a dev-dependency on the crate itself): a binary from `cargo build` or
//! `cargo build --release` has none of this, and rejects `--stop-after` like any unknown flag.
//!
//! `--stop-after POINT` ends the run abruptly right after POINT (exit 137, as if killed), so the
//! tests can prove that a re-run resumes. It is taken out of the arguments before clap sees them:
//! the clap definitions, and so `--help`, man pages and completions, are the same in every build.

use std::ffi::OsString;
use std::sync::OnceLock;

static STOP_AFTER: OnceLock<String> = OnceLock::new();

/// The arguments without `--stop-after POINT` / `--stop-after=POINT` (the point is kept).
pub fn strip(args: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::with_capacity(args.len());
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "--stop-after" {
            if let Some(p) = it.next() {
                let _ = STOP_AFTER.set(p.to_string_lossy().into_owned());
            }
        } else if let Some(p) = a.to_str().and_then(|s| s.strip_prefix("--stop-after=")) {
            let _ = STOP_AFTER.set(p.to_string());
        } else {
            out.push(a);
        }
    }
    out
}

/// The point given with `--stop-after`, if any.
pub fn stop_after() -> Option<&'static str> {
    STOP_AFTER.get().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_after_is_taken_out_of_the_arguments() {
        let args = [
            "sec-takedown",
            "unlock",
            "ID",
            "--stop-after",
            "reply",
            "--apply",
        ];
        let out = strip(args.iter().map(OsString::from).collect());
        assert_eq!(out, ["sec-takedown", "unlock", "ID", "--apply"]);
        assert_eq!(stop_after(), Some("reply"));
        // the first point wins (one per process)
        let out = strip(vec!["x".into(), "--stop-after=lock".into()]);
        assert_eq!(out, ["x"]);
        assert_eq!(stop_after(), Some("reply"));
    }
}
