//! A binary running in the background ([`Background`], its process group killed on drop) and
//! [`wait_until`], the one way a test waits: on a condition, never for a fixed time.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Poll `condition` until it holds (true) or `timeout` has passed (false; one last check at
/// the end). The pause between checks grows from 2 ms to 50 ms.
#[must_use = "assert on it: false means the condition never held"]
pub fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(2);
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// A spawned program in its own process group (so a shell's children go with it), stdout and
/// stderr piped. Dropping it kills the whole group (SIGKILL) and reaps the child, also when the
/// test panicked; nothing outlives the test and no PID is signalled after it was reaped.
pub struct Background {
    child: Child,
    stderr: Option<JoinHandle<Vec<u8>>>,
    reaped: Option<ExitStatus>,
}

impl Background {
    /// Spawn `cmd` (its stdin is left as set; stdout and stderr are piped, stderr collected).
    pub fn spawn(mut cmd: Command) -> Background {
        cmd.process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {:?}: {e}", cmd.get_program()));
        let stderr = child.stderr.take().map(|mut e| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = e.read_to_end(&mut buf);
                buf
            })
        });
        Background {
            child,
            stderr,
            reaped: None,
        }
    }

    /// The process id (also the process group id).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The child, e.g. to take its stdin or stdout.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Its stdout, line by line (taken from the child; once).
    pub fn stdout_lines(&mut self) -> BufReader<ChildStdout> {
        BufReader::new(
            self.child
                .stdout
                .take()
                .expect("stdout is piped, taken once"),
        )
    }

    /// The exit status when it has ended by itself, without waiting.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        if self.reaped.is_none() {
            self.reaped = self.child.try_wait().expect("try_wait on our child");
        }
        self.reaped
    }

    /// Send `signal` (a name `kill` knows: TERM, INT, KILL …) to the whole process group, unless
    /// it has been reaped already (its PID might be someone else's by now).
    pub fn signal(&mut self, signal: &str) {
        if self.try_wait().is_some() {
            return;
        }
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), "--", &format!("-{}", self.id())])
            .stderr(Stdio::null())
            .status();
    }

    /// Wait up to `timeout` for it to end by itself; None when it is still running.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        if wait_until(timeout, || self.try_wait().is_some()) {
            self.reaped
        } else {
            None
        }
    }

    /// Stop it (`signal` to the group, then SIGKILL if it has not ended within 30 s) and
    /// return what it left: its exit status, whatever of stdout was not read yet, and stderr.
    pub fn stop(mut self, signal: &str) -> Output {
        self.signal(signal);
        if self.wait_timeout(Duration::from_secs(30)).is_none() {
            self.signal("KILL");
        }
        self.finish()
    }

    /// Wait up to `timeout` for it to end by itself (stdout read meanwhile); panics, killing
    /// it, when it does not.
    pub fn wait_output(mut self, timeout: Duration) -> Output {
        let stdout = self.child.stdout.take().map(|mut o| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = o.read_to_end(&mut buf);
                buf
            })
        });
        let ended = self.wait_timeout(timeout).is_some();
        if !ended {
            self.signal("KILL");
        }
        let mut out = self.finish();
        out.stdout = stdout.and_then(|t| t.join().ok()).unwrap_or_default();
        assert!(
            ended,
            "still running after {timeout:?} (killed)\n--- stdout\n{}--- stderr\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Reap the child (it has ended or been killed) and collect what is left.
    fn finish(mut self) -> Output {
        let status = match self.reaped {
            Some(s) => s,
            None => self.child.wait().expect("waiting for our child"),
        };
        self.reaped = Some(status);
        let mut stdout = Vec::new();
        if let Some(mut o) = self.child.stdout.take() {
            let _ = BufReader::new(&mut o).read_to_end(&mut stdout);
        }
        let stderr = self
            .stderr
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        Output {
            status,
            stdout,
            stderr,
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if self.reaped.is_none() {
            self.signal("KILL");
            let _ = self.child.wait();
            self.reaped = Some(ExitStatus::from_raw(9));
        }
    }
}

/// Read the next line of `reader` (without its end); None at the end of the stream.
pub fn read_line(reader: &mut impl BufRead) -> Option<String> {
    let mut line = String::new();
    match reader.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches('\n').to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_until_returns_as_soon_as_the_condition_holds_and_false_at_the_deadline() {
        let mut n = 0;
        assert!(wait_until(Duration::from_secs(10), || {
            n += 1;
            n == 3
        }));
        assert_eq!(n, 3);
        let start = Instant::now();
        assert!(!wait_until(Duration::from_millis(50), || false));
        assert!(start.elapsed() >= Duration::from_millis(50));
    }

    /// Whether process `pid` is gone (or a zombie nobody reaped yet).
    fn gone(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        }
    }

    #[test]
    fn dropping_it_kills_the_whole_group() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 600 & echo $!; wait"]);
        let mut bg = Background::spawn(cmd);
        let grandchild = read_line(&mut bg.stdout_lines()).expect("the pid of sleep");
        assert!(!gone(&grandchild));
        drop(bg);
        assert!(
            wait_until(Duration::from_secs(10), || gone(&grandchild)),
            "sleep {grandchild} outlived its Background"
        );
    }

    #[test]
    fn wait_output_collects_what_it_printed_and_its_code() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let out = Background::spawn(cmd).wait_output(Duration::from_secs(30));
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
    }
}
