//! What every tool's `doctor` subcommand shares: the settings in effect with the source of each
//! value (secrets shown only as set or not), checks with a pass/fail and a detail line
//! (reachability with its latency), one report record, and how it prints: a readable list on a
//! terminal, the record otherwise (`-o jsonl|json`).
//!
//! ```text
//! settings (flag > env > config file > default):
//!   api_url  https://slack.com/api  [default]
//!   token    set (redacted)         [env SLACK_API_TOKEN]
//! [ ok ] auth.test: answered in 41 ms (team Octo, user octobot)
//! ```

use std::future::Future;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use crate::config::Source;
use crate::exit::Exit;
use crate::output::{OutputArgs, Printer};

/// What a secret setting shows instead of its value.
pub const REDACTED: &str = "set (redacted)";

/// The `value` shown for a secret: [`REDACTED`] when set, `null` when not.
pub fn secret(set: bool) -> Value {
    if set { json!(REDACTED) } else { Value::Null }
}

/// The `settings` object of a report: `{"name": {"value": …, "source": "env X"}}`, in the order
/// given. Secrets must already be replaced (see [`secret`]).
pub fn settings<'a>(rows: impl IntoIterator<Item = (&'a str, Value, &'a Source)>) -> Value {
    let map: Map<String, Value> = rows
        .into_iter()
        .map(|(name, value, source)| {
            (
                name.to_string(),
                json!({"value": value, "source": source.to_string()}),
            )
        })
        .collect();
    Value::Object(map)
}

/// One check of a doctor run.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
    /// Machine-readable details (latency, scope …), `null` when none.
    pub data: Value,
    /// A failure of the configuration (a setting missing or unusable), not of a service: the
    /// run exits 2 rather than 1.
    pub config: bool,
}

impl Check {
    pub fn pass(name: impl Into<String>, detail: impl Into<String>, data: Value) -> Check {
        Check {
            name: name.into(),
            ok: true,
            detail: detail.into(),
            data,
            config: false,
        }
    }

    pub fn fail(name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            ok: false,
            detail: detail.into(),
            data: Value::Null,
            config: false,
        }
    }

    /// A failed check whose cause is the configuration (see [`Check::config`]): exit 2.
    pub fn misconfigured(name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            config: true,
            ..Check::fail(name, detail)
        }
    }

    /// A reachability check: run `probe`, and pass with `answered in N ms (summary)` and
    /// `{"latency_ms": N, …data}` when it returns `Ok((summary, data))`, else fail with the error
    /// (its whole chain; callers keep secrets out of their errors).
    pub async fn reach<F>(name: impl Into<String>, probe: F) -> Check
    where
        F: Future<Output = anyhow::Result<(String, Value)>>,
    {
        let (result, latency) = timed(probe).await;
        let ms = latency.as_millis() as u64;
        match result {
            Ok((summary, data)) => {
                let mut d = match data {
                    Value::Object(m) => m,
                    Value::Null => Map::new(),
                    other => Map::from_iter([("value".to_string(), other)]),
                };
                d.insert("latency_ms".into(), json!(ms));
                let detail = if summary.is_empty() {
                    format!("answered in {ms} ms")
                } else {
                    format!("answered in {ms} ms ({summary})")
                };
                Check::pass(name, detail, Value::Object(d))
            }
            Err(e) => Check::fail(name, format!("{e:#}")),
        }
    }

    fn json(&self) -> Value {
        json!({"check": self.name, "ok": self.ok, "detail": self.detail, "data": self.data})
    }
}

/// Run `fut` and measure how long it took.
pub async fn timed<T>(fut: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = fut.await;
    (out, started.elapsed())
}

/// A doctor run: its record name, the effective configuration and the checks.
pub struct Report {
    pub record: &'static str,
    /// The configuration as JSON; its `settings` member (see [`settings`]) is what a terminal
    /// shows.
    pub config: Value,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    /// `{"record", "ok", "config", "checks": [{"check", "ok", "detail", "data"}]}`.
    pub fn json(&self) -> Value {
        json!({
            "record": self.record,
            "ok": self.ok(),
            "config": self.config,
            "checks": self.checks.iter().map(Check::json).collect::<Vec<_>>(),
        })
    }

    /// The readable form: the settings with their sources, then one line per check.
    pub fn text(&self) -> String {
        let mut text = String::from("settings (flag > env > config file > default):\n");
        if let Some(settings) = self.config["settings"].as_object() {
            let width = settings.keys().map(String::len).max().unwrap_or(0);
            for (name, s) in settings {
                let value = match &s["value"] {
                    Value::Null => "(not set)".to_string(),
                    Value::String(v) => v.clone(),
                    v => v.to_string(),
                };
                text.push_str(&format!(
                    "  {name:<width$}  {value}  [{}]\n",
                    s["source"].as_str().unwrap_or("?")
                ));
            }
        }
        for c in &self.checks {
            text.push_str(&format!(
                "[{}] {}: {}\n",
                if c.ok { " ok " } else { "FAIL" },
                c.name,
                c.detail
            ));
        }
        text
    }

    /// The exit code: 0 when every check passed, 2 when a failed check is the configuration's
    /// (CONVENTIONS: usage or configuration error), else 1.
    pub fn exit(&self) -> Exit {
        if self.ok() {
            Exit::Success
        } else if self.checks.iter().any(|c| !c.ok && c.config) {
            Exit::Usage
        } else {
            Exit::Failure
        }
    }

    /// Print the report (readable on a terminal without `-o`, else the record) and return
    /// [`Report::exit`].
    pub fn print(&self, output: &OutputArgs) -> anyhow::Result<Exit> {
        if output.format.is_none() && std::io::stdout().is_terminal() {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(crate::sanitize::for_terminal_lines(&self.text()).as_bytes())
                .map_err(crate::output::write_error)?;
        } else {
            let mut out = Printer::stdout(output);
            out.record(&self.json())?;
            out.finish()?;
        }
        Ok(self.exit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lists_settings_with_sources_and_checks() {
        let env = Source::Env("SLACK_API_TOKEN");
        let report = Report {
            record: "t.doctor/v1",
            config: json!({"settings": settings([
                ("channel", json!("halo"), &Source::Default),
                ("token", secret(true), &env),
                ("webhook_url", secret(false), &Source::Default),
            ])}),
            checks: vec![
                Check::pass("auth.test", "answered in 3 ms", Value::Null),
                Check::fail("api", "HTTP 500"),
            ],
        };
        assert!(!report.ok());
        assert_eq!(report.exit(), Exit::Failure);
        assert_eq!(
            report.text(),
            "settings (flag > env > config file > default):\n\
             \x20 channel      halo  [default]\n\
             \x20 token        set (redacted)  [env SLACK_API_TOKEN]\n\
             \x20 webhook_url  (not set)  [default]\n\
             [ ok ] auth.test: answered in 3 ms\n\
             [FAIL] api: HTTP 500\n"
        );
        assert_eq!(
            report.json()["checks"][1],
            json!({"check": "api", "ok": false, "detail": "HTTP 500", "data": null})
        );
        let mut misconfigured = report;
        misconfigured
            .checks
            .push(Check::misconfigured("config", "no key"));
        assert_eq!(misconfigured.exit(), Exit::Usage);
        let report = misconfigured;
        assert_eq!(
            report.json()["config"]["settings"]["token"],
            json!({"value": "set (redacted)", "source": "env SLACK_API_TOKEN"})
        );
    }

    #[test]
    fn reach_records_latency_or_the_error() {
        let ok = crate::block_on(Check::reach("api", async {
            Ok(("team T".to_string(), json!({"team": "T"})))
        }));
        assert!(ok.ok);
        assert!(ok.detail.starts_with("answered in ") && ok.detail.ends_with(" ms (team T)"));
        assert_eq!(ok.data["team"], "T");
        assert!(ok.data["latency_ms"].is_u64());
        let bad = crate::block_on(Check::reach("api", async {
            Err::<(String, Value), _>(anyhow::anyhow!("connection refused"))
        }));
        assert_eq!(bad, Check::fail("api", "connection refused"));
    }
}
