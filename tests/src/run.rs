//! Running a binary: a clean environment, a timeout, `| head -1`, a pseudo-terminal.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long any one run may take before it is killed and reported.
pub const TIMEOUT: Duration = Duration::from_secs(90);

/// The `PATH` of every run (the tools need none of the caller's; `script`, `sh` and `bash` are
/// found here).
pub const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What a run left behind.
#[derive(Clone, Debug)]
pub struct Run {
    /// Exit code; -1 when a signal ended it, -2 when it timed out (and was killed).
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Run {
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    /// stdout and stderr, for searching both.
    pub fn all(&self) -> String {
        format!("{}{}", self.out(), self.err())
    }
    /// A short description for failure messages: exit code and the start of stderr.
    pub fn brief(&self) -> String {
        format!(
            "exit {}, stderr {}",
            self.code,
            crate::report::excerpt(&self.err(), 300)
        )
    }
}

/// `program` with an empty environment except `PATH` and `envs`, stdin `/dev/null`.
pub fn command(program: &Path, args: &[String], envs: &[(String, String)]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args);
    clean(&mut cmd, envs);
    cmd
}

/// `program ARGS` on a pseudo-terminal ([`octo_testkit::pty`]), with the same clean environment
/// plus `TERM`; the transcript (stdout and stderr of the program) is the run's stdout.
pub fn pty_command(program: &Path, args: &[String], envs: &[(String, String)]) -> Command {
    let mut cmd = octo_testkit::pty::command(program, args);
    clean(&mut cmd, envs);
    cmd.env("TERM", "xterm-256color");
    cmd
}

fn clean(cmd: &mut Command, envs: &[(String, String)]) {
    cmd.env_clear()
        .env("PATH", PATH)
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null());
}

/// Run to the end (killed after [`TIMEOUT`]).
pub fn output(cmd: Command) -> Run {
    let mut cmd = assert_cmd::Command::from_std(cmd);
    cmd.timeout(TIMEOUT);
    match cmd.output() {
        Ok(o) => Run {
            code: o.status.code().unwrap_or(-1),
            stdout: o.stdout,
            stderr: o.stderr,
        },
        Err(e) => Run {
            code: -2,
            stdout: Vec::new(),
            stderr: format!("(did not finish within {TIMEOUT:?}: {e})").into_bytes(),
        },
    }
}

/// The simple case: `program ARGS` with `envs`, to the end.
pub fn run(program: &Path, args: &[&str], envs: &[(String, String)]) -> Run {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    output(command(program, &args, envs))
}

/// `CMD | head -1`: read stdout up to the first line end, close the pipe, wait for the exit.
/// The returned run's stdout is that first line.
pub fn head_one(cmd: Command) -> Run {
    first_line(cmd, AfterFirstLine::Exit)
}

/// A server (`octo-sim serve`): read its first stdout line, close the pipe, ask it to stop
/// (SIGTERM) and wait for it. The run's stdout is the first line.
pub fn server_first_line(cmd: Command) -> Run {
    first_line(cmd, AfterFirstLine::Terminate)
}

/// What a run read up to its first line is expected to do next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AfterFirstLine {
    /// exit by itself once its stdout is closed (a tool behind `head -1`)
    Exit,
    /// keep running until asked to stop with SIGTERM (a server)
    Terminate,
}

/// Run `cmd`, keep its first stdout line, close the pipe, then let it end as `after` says;
/// anything still running [`TIMEOUT`] later is killed (exit code -2, said on stderr).
fn first_line(mut cmd: Command, after: AfterFirstLine) -> Run {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Run {
                code: -1,
                stdout: Vec::new(),
                stderr: format!("(cannot start: {e})").into_bytes(),
            };
        }
    };
    let pid = child.id();
    let mut stderr = child.stderr.take().expect("piped stderr");
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = Vec::new();
        let _ = BufReader::new(stdout).read_until(b'\n', &mut line);
        // the reader (and so the pipe's read end) is dropped here, as `head -1` exits
        let _ = tx.send(line);
    });
    let (first, timed_out) = match rx.recv_timeout(TIMEOUT) {
        Ok(line) => (line, false),
        Err(_) => (Vec::new(), true),
    };
    if after == AfterFirstLine::Terminate {
        terminate(pid);
    }
    let (wtx, wrx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = wtx.send(child.wait());
    });
    // a tool that printed no line in time is not waited for again; a server was asked to stop
    let status = if timed_out && after == AfterFirstLine::Exit {
        None
    } else {
        wrx.recv_timeout(TIMEOUT).ok().and_then(Result::ok)
    };
    if status.is_none() {
        kill(pid);
    }
    let mut err = err_thread.join().unwrap_or_default();
    let code = match status {
        Some(s) => s.code().unwrap_or(-1),
        None => {
            err.extend_from_slice(
                format!("(killed: still running {TIMEOUT:?} after the pipe was closed)").as_bytes(),
            );
            -2
        }
    };
    Run {
        code,
        stdout: first,
        stderr: err,
    }
}

/// End our own child `pid` (SIGKILL).
pub fn kill(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status();
}

/// End our own child `pid` politely (SIGTERM).
pub fn terminate(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
}

/// Text that shows a panic.
pub fn panicked(text: &str) -> bool {
    text.contains("panicked at") || text.contains("RUST_BACKTRACE")
}

/// The first ANSI SGR sequence (colour or style, `ESC [ … m`) in `text`, if any.
pub fn sgr(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == 0x1b && b[i + 1] == b'[' {
            let mut j = i + 2;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b';') {
                j += 1;
            }
            if j < b.len() && b[j] == b'm' {
                return Some(String::from_utf8_lossy(&b[i..=j]).into_owned());
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgr_finds_colour_and_nothing_else() {
        assert_eq!(sgr("a\x1b[1;31mred\x1b[0m"), Some("\x1b[1;31m".into()));
        assert_eq!(sgr("a\x1b[2Kclear \\u001b[31m"), None);
    }
}
