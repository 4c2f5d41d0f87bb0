//! The host the examples are installed on, in a temp dir ([`Root`]), the environment file the
//! examples read, and running a scheduler's command to the end.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use octo_testkit::harness::{Background, SIM_SECRETS, assert_no_secrets};

use super::BINARIES;

/// Host directories an example names, mapped into [`Root`].
pub const MAPPED: [&str; 4] = [
    "/etc/octobox",
    "/var/lib/octobox",
    "/usr/local/bin",
    "/usr/local/sbin",
];

pub struct Root {
    dir: tempfile::TempDir,
}

impl Default for Root {
    fn default() -> Self {
        Root::new()
    }
}

impl Root {
    /// `/etc/octobox`, `/var/lib/octobox` (the state dir the examples write to) and
    /// `/usr/local/bin` with every octobox binary installed (symlinked).
    pub fn new() -> Root {
        let root = Root {
            dir: tempfile::tempdir().unwrap(),
        };
        for d in MAPPED {
            std::fs::create_dir_all(root.path(d)).unwrap();
        }
        std::fs::create_dir_all(root.path("/home/octobox")).unwrap();
        for b in BINARIES {
            std::os::unix::fs::symlink(octo_testkit::bin(b), root.path("/usr/local/bin").join(b))
                .unwrap();
        }
        root
    }

    /// Where host path `host` (absolute) is in this root.
    pub fn path(&self, host: &str) -> PathBuf {
        self.dir.path().join(host.trim_start_matches('/'))
    }

    /// `text` with every mapped host path replaced by its place in this root (one pass).
    pub fn map(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        'scan: while !rest.is_empty() {
            for p in MAPPED {
                if let Some(after) = rest.strip_prefix(p)
                    && !after.starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_')
                {
                    out.push_str(&self.path(p).display().to_string());
                    rest = after;
                    continue 'scan;
                }
            }
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }

    /// Every absolute path in the non-comment lines of an example is mapped here or exists on
    /// this machine, so the example runs with nothing of the host but system binaries.
    pub fn check_paths(&self, name: &str, text: &str) {
        for line in text.lines() {
            let t = line.trim_start();
            if t.starts_with('#') || t.starts_with(';') {
                continue;
            }
            let words = t.split(|c: char| c.is_whitespace() || "\"'=;|&<>(),".contains(c));
            for tok in words
                .filter(|w| !w.contains("://"))
                .flat_map(|w| w.split(':'))
            {
                if !tok.starts_with('/') {
                    continue;
                }
                let mapped = MAPPED
                    .iter()
                    .any(|p| tok == *p || tok.starts_with(&format!("{p}/")));
                assert!(
                    mapped || Path::new(tok).exists(),
                    "{name} names {tok}, neither mapped nor present here"
                );
            }
        }
    }

    /// Write `/etc/octobox/env`: `KEY=VALUE` lines, the format of systemd's `EnvironmentFile=`
    /// (no `export`, no shell code), which is also what an operator sources in a shell.
    pub fn write_env_file(&self, vars: &[(String, String)]) {
        let mut text = String::from("# octobox credentials (mode 0600)\n");
        for (k, v) in vars {
            assert!(
                !v.is_empty()
                    && !v
                        .chars()
                        .any(|c| c.is_whitespace() || "'\"$`\\".contains(c)),
                "{k}: a value this helper can write"
            );
            // `;` `&` `#` `|` … would end the assignment in a shell: double quotes, which systemd
            // removes too
            if v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:,@%+=".contains(c))
            {
                text.push_str(&format!("{k}={v}\n"));
            } else {
                text.push_str(&format!("{k}=\"{v}\"\n"));
            }
        }
        let path = self.path("/etc/octobox/env");
        std::fs::write(&path, text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// The env file's Halo and Slack part, pointing at the simulator.
pub fn halo_env(sim: &octo_sim::Sim) -> Vec<(String, String)> {
    [
        ("HALO_API_URL", sim.url()),
        ("HALO_API_KEY", octo_sim::READ_KEY.0.to_string()),
        ("HALO_API_SECRET_KEY", octo_sim::READ_KEY.1.to_string()),
        ("HALO_API_KEY_RW", octo_sim::WRITE_KEY.0.to_string()),
        ("HALO_API_SECRET_KEY_RW", octo_sim::WRITE_KEY.1.to_string()),
        ("SLACK_API_URL", format!("{}/api", sim.url())),
        ("SLACK_API_TOKEN", octo_sim::slack::SLACK_TOKEN.to_string()),
        ("SLACK_CHANNEL", "sec-alerts".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Run `cmd` (its own process group) with `stdin` to the end; a run still going after `secs`
/// is killed with its whole group and fails the test. Checks that no secret reached its output.
pub fn run_with_timeout(mut cmd: Command, stdin: &str, secs: u64) -> Output {
    cmd.stdin(Stdio::piped());
    let mut child = Background::spawn(cmd);
    let mut pipe = child.child().stdin.take().expect("piped stdin");
    let input = stdin.to_string();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let out = child.wait_output(Duration::from_secs(secs));
    let _ = writer.join();
    assert_no_secrets(&out, &SIM_SECRETS);
    out
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Everything a run printed, for assertion messages.
pub fn shown(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    )
}
