//! The steps of lock, unlock, delete and takedown: each step checks the current state first (the
//! server, the instance metadata, the ticket) and acts only on the difference, so a re-run after
//! a crash continues at the first unfinished step.
//!
//! Progress metadata (`security_takedown_step`), in order: `locked`, `ticketed`, `noted`,
//! `evidence`, `snapshot`, `deleting`; unlock writes `unlock-replied`, then `unlocked`.
//!
//! Files by job:
//! - [`context`]: [`Ctx`], the state of one run — action records, progress metadata, the Nova
//!   action and metadata calls that wait out a moving state (through [`crate::wait::poll_until`]),
//!   notes and replies
//! - `lock`: the steps pause, lock, ticket, note
//! - `unlock`: unpause, unlock, reply, resolve
//! - `evidence`: console log, snapshot, delete, the "deleted" reply
//! - `commands`: the commands `lock`, `delete`, `takedown`, composed of the steps

mod commands;
pub mod context;
mod evidence;
mod lock;
mod unlock;

use chrono::Utc;
use serde_json::{Map, Value};

use crate::config::TakedownConfig;
use crate::freshdesk::Fd;

pub use commands::{delete, lock, takedown};
pub use context::Ctx;
pub use unlock::unlock;

pub const RECORD: &str = "sec-takedown.step/v1";

pub const KEY_TICKET: &str = "security_ticket";
pub const KEY_STEP: &str = "security_takedown_step";
pub const KEY_AT: &str = "security_takedown_at";
pub const KEY_BY: &str = "security_takedown_by";
pub const KEY_SNAPSHOT: &str = "security_snapshot";

/// Finished-step values of `security_takedown_step` for lock/takedown, in order.
const PROGRESS: [&str; 6] = [
    "locked", "ticketed", "noted", "evidence", "snapshot", "deleting",
];

pub(crate) fn rank(step: Option<&str>) -> usize {
    step.and_then(|s| PROGRESS.iter().position(|p| *p == s))
        .map_or(0, |i| i + 1)
}

pub(crate) fn now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The FreshDesk tag that marks the ticket of one server (tags are at most 32 characters).
pub fn marker_tag(server_id: &str) -> String {
    let hex: String = server_id.chars().filter(|c| *c != '-').take(29).collect();
    format!("st-{hex}")
}

/// The numeric ticket id: the last path segment of the `security_ticket` URL.
pub fn ticket_id_from_url(url: &str) -> Option<u64> {
    url.trim_end_matches('/').rsplit('/').next()?.parse().ok()
}

/// `https://PORTAL/helpdesk/tickets/ID` (`takedown.portal_url`, else the FreshDesk URL): the
/// `security_ticket` value the NeCTAR tools parse (numeric id last).
pub fn ticket_url(cfg: &TakedownConfig, fd: &Fd, id: u64) -> String {
    let base = cfg.portal_url.as_ref().unwrap_or(fd.base());
    format!(
        "{}/helpdesk/tickets/{id}",
        base.as_str().trim_end_matches('/')
    )
}

/// A server that exists, or one that is gone already (a takedown resumed after the delete).
pub enum Srv {
    Present(Value),
    Gone(String),
}

#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: u64,
    pub url: String,
}

/// Evidence capture failed: nothing was deleted.
#[derive(Debug)]
pub struct EvidenceFailed(pub String);
impl std::fmt::Display for EvidenceFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "evidence capture failed ({}); nothing was deleted (use --force to delete anyway)",
            self.0
        )
    }
}
impl std::error::Error for EvidenceFailed {}

pub(crate) fn md_of(srv: &Value) -> Map<String, Value> {
    srv["metadata"].as_object().cloned().unwrap_or_default()
}

pub(crate) fn md_str<'a>(md: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    md.get(k).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_ticket_urls() {
        let t = marker_tag("9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20");
        assert_eq!(t.len(), 32);
        assert!(t.starts_with("st-9f0c2a4e1b7d"));
        assert_eq!(
            ticket_id_from_url("https://support.ehelp.edu.au/helpdesk/tickets/12345"),
            Some(12345)
        );
        assert_eq!(ticket_id_from_url("https://x/helpdesk/tickets/abc"), None);
        assert_eq!(rank(Some("noted")), 3);
        assert_eq!(rank(Some("unlocked")), 0);
        assert_eq!(rank(None), 0);
    }
}
