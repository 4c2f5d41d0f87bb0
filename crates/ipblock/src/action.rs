//! The `ipblock.action/v1` record: one per decision (schema
//! `bin-docs/schemas/ipblock.action.v1.json`).

use octo_response::action::{Action, Status};
use serde::{Deserialize, Serialize};

pub const IPBLOCK_RECORD: &str = "ipblock.action/v1";

/// `ipblock.action/v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpblockAction {
    pub record: String,
    /// `block`, `unblock` or `expire`.
    pub action: String,
    pub status: Status,
    pub reason: String,
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    /// The address (as found, when it did not parse).
    pub ip: Option<String>,
    pub zone_id: Option<String>,
    pub zone_name: Option<String>,
    /// When the block expires (RFC 3339), `null` = never or not a block.
    pub expires_at: Option<String>,
}

impl Action for IpblockAction {
    fn status(&self) -> Status {
        self.status
    }
}

/// Table columns of `ipblock.action/v1` records (without `--columns`).
pub const IPBLOCK_COLUMNS: &[&str] = &[
    "action",
    "status",
    "ip",
    "zone_name",
    "expires_at",
    "event_type",
    "reason",
];
