//! The `quarantine.action/v1` record: one per decision (schema
//! `bin-docs/schemas/quarantine.action.v1.json`).

use octo_response::action::{Action, Status};
use serde::{Deserialize, Serialize};

/// `quarantine.action/v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuarantineAction {
    pub record: String,
    /// `quarantine` (move into the quarantine group) or `release` (move back out).
    pub action: String,
    pub status: Status,
    pub reason: String,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub server_id: String,
    pub server_hostname: Option<String>,
    pub from_group_id: Option<String>,
    pub from_group_name: Option<String>,
    pub to_group_id: Option<String>,
    pub to_group_name: Option<String>,
}

pub const QUARANTINE_RECORD: &str = "quarantine.action/v1";

impl Action for QuarantineAction {
    fn status(&self) -> Status {
        self.status
    }
}

/// Table columns of `quarantine.action/v1` records (without `--columns`).
pub const QUARANTINE_COLUMNS: &[&str] = &[
    "action",
    "status",
    "server_id",
    "server_hostname",
    "from_group_name",
    "to_group_name",
    "event_type",
    "reason",
];
