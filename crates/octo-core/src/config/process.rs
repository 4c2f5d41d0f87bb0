//! Secrets from a command, as the AWS CLI's `credential_process`: a setting of octo.yml names a
//! command (an argv list, never a shell string) whose stdout is one small JSON object, e.g.
//!
//! ```yaml
//! halo:
//!   credential_process: [vault-halo, --key, read]         # prints {"key_id": "…", "secret_key": "…"}
//! notify:
//!   credential_process:                                    # prints {"token": "xoxb-…"}
//!     command: [pass-json, slack/bot]
//!     timeout_secs: 5
//! ```
//!
//! The command runs without a shell, with the tool's environment, its stdin closed. Its stdout is
//! read (at most [`MAX_OUTPUT_BYTES`]) and parsed, and its stderr is discarded: neither is ever
//! printed or logged, whatever happens. A command that cannot start, exits non-zero, runs longer
//! than its timeout (default [`DEFAULT_TIMEOUT_SECS`] s; it is killed), prints something that is
//! not a JSON object, or leaves out a field is a configuration error (exit 2) that names the
//! setting and the field, never the output. Other fields of the object are ignored.

use std::collections::BTreeMap;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use crate::exit::usage;

/// Most bytes of stdout read from a credential command.
pub const MAX_OUTPUT_BYTES: usize = 64 * 1024;
/// A credential command's timeout when its setting gives none.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
/// The longest timeout a setting may give.
pub const MAX_TIMEOUT_SECS: u64 = 600;

/// A `credential_process` setting: `[cmd, arg, …]` or `{command: [cmd, arg, …], timeout_secs: N}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum CredentialProcess {
    Argv(Vec<String>),
    Full {
        command: Vec<String>,
        timeout_secs: Option<u64>,
    },
}

impl CredentialProcess {
    pub fn argv(&self) -> &[String] {
        match self {
            CredentialProcess::Argv(a) => a,
            CredentialProcess::Full { command, .. } => command,
        }
    }

    pub fn timeout_secs(&self) -> u64 {
        match self {
            CredentialProcess::Full {
                timeout_secs: Some(t),
                ..
            } => *t,
            _ => DEFAULT_TIMEOUT_SECS,
        }
    }

    /// Run the command and return the string `fields` of its JSON object, each a secret.
    /// `setting` (`halo.credential_process`) names it in every error.
    pub fn run(
        &self,
        setting: &str,
        fields: &[&str],
    ) -> anyhow::Result<BTreeMap<String, SecretString>> {
        let argv = self.argv();
        let Some((program, args)) = argv.split_first().filter(|(p, _)| !p.trim().is_empty()) else {
            return Err(usage(format!(
                "{setting}: the command is empty (give a list: [program, arg, …])"
            )));
        };
        let secs = self.timeout_secs();
        if !(1..=MAX_TIMEOUT_SECS).contains(&secs) {
            return Err(usage(format!(
                "{setting}: timeout_secs must be between 1 and {MAX_TIMEOUT_SECS}, got {secs}"
            )));
        }
        let shown = crate::sanitize::for_terminal(program);
        let stdout = run_bounded(program, args, Duration::from_secs(secs)).map_err(|e| {
            usage(match e {
                RunError::Spawn(e) => format!("{setting}: cannot run `{shown}`: {e}"),
                RunError::Timeout => {
                    format!("{setting}: `{shown}` did not finish within {secs} s (killed)")
                }
                RunError::Status(s) => {
                    format!("{setting}: `{shown}` failed ({s}); its output is not shown")
                }
                RunError::TooLong => {
                    format!("{setting}: `{shown}` printed more than {MAX_OUTPUT_BYTES} bytes")
                }
                RunError::Io(e) => format!("{setting}: reading the output of `{shown}`: {e}"),
            })
        })?;
        parse_output(setting, &stdout, fields)
    }
}

/// The string `fields` of a credential command's output. Errors name the setting, the field, and
/// for bad JSON only the line and column: never the text.
pub fn parse_output(
    setting: &str,
    stdout: &[u8],
    fields: &[&str],
) -> anyhow::Result<BTreeMap<String, SecretString>> {
    let expected = fields
        .iter()
        .map(|f| format!("\"{f}\": \"…\""))
        .collect::<Vec<_>>()
        .join(", ");
    let value: serde_json::Value = serde_json::from_slice(stdout).map_err(|e| {
        usage(format!(
            "{setting}: the command's output is not JSON (line {} column {}); expected {{{expected}}}",
            e.line(),
            e.column()
        ))
    })?;
    let serde_json::Value::Object(mut map) = value else {
        return Err(usage(format!(
            "{setting}: the command's output is not a JSON object; expected {{{expected}}}"
        )));
    };
    let mut out = BTreeMap::new();
    for f in fields {
        match map.remove(*f) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                out.insert(f.to_string(), SecretString::from(s.trim().to_string()));
            }
            Some(_) => {
                return Err(usage(format!(
                    "{setting}: field `{f}` of the command's output is not a non-empty string"
                )));
            }
            None => {
                return Err(usage(format!(
                    "{setting}: the command's output has no field `{f}`; expected {{{expected}}}"
                )));
            }
        }
    }
    Ok(out)
}

enum RunError {
    Spawn(std::io::Error),
    Io(std::io::Error),
    Status(std::process::ExitStatus),
    Timeout,
    TooLong,
}

/// Run `program args` with stdin closed and stderr discarded; its stdout, when it exits 0 within
/// `timeout`. A command still running at the deadline is killed (with its process, not a group).
fn run_bounded(program: &str, args: &[String], timeout: Duration) -> Result<Vec<u8>, RunError> {
    // Runs on a thread of its own with a small runtime, so callers may be async or not.
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(RunError::Io)?;
            rt.block_on(async {
                use tokio::io::AsyncReadExt;
                let mut child = tokio::process::Command::new(program)
                    .args(args)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::null())
                    .kill_on_drop(true)
                    .spawn()
                    .map_err(RunError::Spawn)?;
                let mut stdout = child.stdout.take().ok_or(RunError::TooLong)?;
                let work = async {
                    let mut buf = Vec::new();
                    (&mut stdout)
                        .take(MAX_OUTPUT_BYTES as u64 + 1)
                        .read_to_end(&mut buf)
                        .await
                        .map_err(RunError::Io)?;
                    if buf.len() > MAX_OUTPUT_BYTES {
                        return Err(RunError::TooLong);
                    }
                    let status = child.wait().await.map_err(RunError::Io)?;
                    if !status.success() {
                        return Err(RunError::Status(status));
                    }
                    Ok(buf)
                };
                match tokio::time::timeout(timeout, work).await {
                    Ok(r) => r,
                    Err(_) => Err(RunError::Timeout),
                }
                // `child` is dropped here: killed if still running
            })
        })
        .join()
        .unwrap_or(Err(RunError::Timeout))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn sh(script: &str) -> CredentialProcess {
        CredentialProcess::Full {
            command: vec!["sh".into(), "-c".into(), script.into()],
            timeout_secs: Some(5),
        }
    }

    fn err(p: &CredentialProcess) -> String {
        format!(
            "{:#}",
            p.run("halo.credential_process", &["key_id", "secret_key"])
                .unwrap_err()
        )
    }

    #[test]
    fn fields_are_read_from_the_json_object() {
        let p = sh(r#"printf '{"key_id": "k1", "secret_key": " s3cr3t ", "other": 1}'"#);
        let got = p
            .run("halo.credential_process", &["key_id", "secret_key"])
            .unwrap();
        assert_eq!(got["key_id"].expose_secret(), "k1");
        assert_eq!(got["secret_key"].expose_secret(), "s3cr3t");
    }

    #[test]
    fn failures_name_the_setting_never_the_output() {
        const MARK: &str = "MARKER-7f3a9c";
        let cases = [
            (
                sh(&format!("echo '{{\"secret_key\": \"{MARK}\"}}'; exit 3")),
                "halo.credential_process: `sh` failed (exit status: 3); its output is not shown",
            ),
            (
                sh(&format!("echo 'not json {MARK}'")),
                "halo.credential_process: the command's output is not JSON (line 1 column 2); expected {\"key_id\": \"…\", \"secret_key\": \"…\"}",
            ),
            (
                sh(&format!("echo '[\"{MARK}\"]'")),
                "halo.credential_process: the command's output is not a JSON object; expected {\"key_id\": \"…\", \"secret_key\": \"…\"}",
            ),
            (
                sh(&format!("echo '{{\"secret_key\": \"{MARK}\"}}'")),
                "halo.credential_process: the command's output has no field `key_id`; expected {\"key_id\": \"…\", \"secret_key\": \"…\"}",
            ),
            (
                sh(&format!(
                    "echo '{{\"key_id\": 7, \"secret_key\": \"{MARK}\"}}'"
                )),
                "halo.credential_process: field `key_id` of the command's output is not a non-empty string",
            ),
            (
                CredentialProcess::Argv(vec!["/nonexistent/vault".into()]),
                "halo.credential_process: cannot run `/nonexistent/vault`: No such file or directory (os error 2)",
            ),
            (
                CredentialProcess::Argv(vec![]),
                "halo.credential_process: the command is empty (give a list: [program, arg, …])",
            ),
            (
                CredentialProcess::Full {
                    command: vec!["true".into()],
                    timeout_secs: Some(0),
                },
                "halo.credential_process: timeout_secs must be between 1 and 600, got 0",
            ),
        ];
        for (p, want) in cases {
            let got = err(&p);
            assert_eq!(got, want);
            assert!(!got.contains(MARK));
        }
    }

    #[test]
    fn a_command_past_its_timeout_is_killed() {
        let p = CredentialProcess::Full {
            command: vec!["sleep".into(), "60".into()],
            timeout_secs: Some(1),
        };
        let started = std::time::Instant::now();
        assert_eq!(
            err(&p),
            "halo.credential_process: `sleep` did not finish within 1 s (killed)"
        );
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn both_yaml_shapes_parse() {
        let a: CredentialProcess = serde_yaml_ng::from_str("[vault, read, halo]").unwrap();
        assert_eq!(a.argv(), ["vault", "read", "halo"]);
        assert_eq!(a.timeout_secs(), DEFAULT_TIMEOUT_SECS);
        let b: CredentialProcess =
            serde_yaml_ng::from_str("command: [pass-json, slack]\ntimeout_secs: 5\n").unwrap();
        assert_eq!(b.argv(), ["pass-json", "slack"]);
        assert_eq!(b.timeout_secs(), 5);
    }
}
