//! Run a program on a pseudo-terminal, for checks of what a user's terminal would show (colour,
//! escape sequences from API text, progress bars, table output).
//!
//! [`command`] wraps the program in util-linux `script -qec CMD /dev/null`: the program's stdin,
//! stdout and stderr are one terminal, and everything it wrote to that terminal comes back on the
//! returned command's stdout (stdout and stderr interleaved; the terminal turns `\n` into `\r\n`).
//! `-e` passes the program's exit code through. Set environment, working directory and timeout on
//! the returned command as on any other; the wrapper's own stdin is `/dev/null`, so the program
//! sees a terminal with nothing typed on it.
//!
//! ```no_run
//! let out = octo_testkit::pty::command(&octo_testkit::bin("halo-query"), ["--help"])
//!     .env("NO_COLOR", "1")
//!     .output()
//!     .unwrap();
//! assert!(!out.stdout.contains(&0x1b));
//! ```

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};

/// The util-linux program that provides the pseudo-terminal.
pub const SCRIPT: &str = "script";

/// A command that runs `program ARGS` on a fresh pseudo-terminal; its stdout is the transcript.
/// Panics when an argument is not UTF-8 (it is passed through `sh -c`).
pub fn command<I, S>(program: &Path, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut line = quote(&program.to_string_lossy());
    for a in args {
        let a = a.as_ref();
        let a = a
            .to_str()
            .unwrap_or_else(|| panic!("pty::command: argument {a:?} is not UTF-8"));
        line.push(' ');
        line.push_str(&quote(a));
    }
    let mut cmd = Command::new(SCRIPT);
    cmd.args(["-q", "-e", "-c", &line, "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// `s` quoted for `sh -c` (single quotes; a single quote becomes `'\''`).
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The transcript with the terminal's `\r\n` line ends turned back into `\n`.
pub fn text(transcript: &[u8]) -> String {
    String::from_utf8_lossy(transcript).replace("\r\n", "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_sees_a_terminal_and_its_exit_code_passes_through() {
        let out = command(
            Path::new("/bin/sh"),
            [
                "-c",
                "test -t 0 && test -t 1 && test -t 2 && echo 'it'\\''s a tty'; exit 3",
            ],
        )
        .output()
        .expect("running script(1) from util-linux");
        assert_eq!(out.status.code(), Some(3), "{out:?}");
        assert_eq!(text(&out.stdout), "it's a tty\n");
    }
}
