//! What `status` reports (Don-Bot's queue, health and configuration): jobs queued and running,
//! uptime, connections, counts of answers, the last error, and the running configuration with
//! every secret shown only as "set".

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, Utc};

#[derive(Default)]
struct Inner {
    connected_at: Option<DateTime<Utc>>,
    connections: u64,
    reconnects: u64,
    answered: u64,
    refused: u64,
    failed: u64,
    last_error: Option<(DateTime<Utc>, String)>,
    /// job kind → (queued, running)
    jobs: BTreeMap<String, (u64, u64)>,
}

/// Shared by the socket task and every request.
pub struct Status {
    started: Instant,
    inner: Mutex<Inner>,
    /// The running configuration, secrets already redacted (built once at start).
    config: Vec<(String, String)>,
}

impl Status {
    pub fn new(config: Vec<(String, String)>) -> Status {
        Status {
            started: Instant::now(),
            inner: Mutex::new(Inner::default()),
            config,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn connected(&self) {
        let mut i = self.lock();
        i.connected_at = Some(Utc::now());
        i.connections += 1;
    }
    pub fn reconnected(&self) {
        self.lock().reconnects += 1;
    }
    pub fn error(&self, e: String) {
        self.lock().last_error = Some((Utc::now(), e));
    }
    pub fn outcome(&self, result: &str) {
        let mut i = self.lock();
        match result {
            "answered" => i.answered += 1,
            "refused" => i.refused += 1,
            _ => i.failed += 1,
        }
    }
    /// A job of `kind` waits for its turn.
    pub fn queued(&self, kind: &str) {
        self.lock().jobs.entry(kind.to_string()).or_default().0 += 1;
    }
    /// A queued job of `kind` starts.
    pub fn started(&self, kind: &str) {
        let mut i = self.lock();
        let e = i.jobs.entry(kind.to_string()).or_default();
        e.0 = e.0.saturating_sub(1);
        e.1 += 1;
    }
    /// A job of `kind` ends (`was_running`: it had started).
    pub fn ended(&self, kind: &str, was_running: bool) {
        let mut i = self.lock();
        let e = i.jobs.entry(kind.to_string()).or_default();
        if was_running {
            e.1 = e.1.saturating_sub(1);
        } else {
            e.0 = e.0.saturating_sub(1);
        }
    }
    /// Jobs of `kind` waiting (not running).
    pub fn waiting(&self, kind: &str) -> u64 {
        self.lock().jobs.get(kind).map_or(0, |e| e.0)
    }

    /// The `status` answer.
    pub fn report(&self, features: &str) -> String {
        let i = self.lock();
        let up = self.started.elapsed().as_secs();
        let jobs: Vec<String> = i
            .jobs
            .iter()
            .filter(|(_, (q, r))| q + r > 0)
            .map(|(k, (q, r))| format!("{k} {r} running, {q} queued"))
            .collect();
        let mut lines = vec![
            format!(
                "octo-bot {} — up {}h{:02}m{:02}s",
                octo_core::VERSION,
                up / 3600,
                up / 60 % 60,
                up % 60
            ),
            format!(
                "jobs: {}",
                if jobs.is_empty() {
                    "none".to_string()
                } else {
                    jobs.join("; ")
                }
            ),
            format!(
                "requests: {} answered, {} refused, {} failed",
                i.answered, i.refused, i.failed
            ),
            format!(
                "Socket Mode: {} connection(s), {} reconnect(s), connected since {}",
                i.connections,
                i.reconnects,
                i.connected_at.map_or("never".into(), |t| t
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string())
            ),
            format!(
                "last error: {}",
                i.last_error
                    .as_ref()
                    .map_or("none".into(), |(t, e)| format!(
                        "{} {e}",
                        t.format("%Y-%m-%dT%H:%M:%SZ")
                    ))
            ),
            format!("features: {features}"),
            "config:".to_string(),
        ];
        lines.extend(self.config.iter().map(|(k, v)| format!("  {k}: {v}")));
        lines.join("\n")
    }
}
