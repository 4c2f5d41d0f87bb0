//! Action records: every decision of a mutating tool, `planned` before an action and
//! `applied | unchanged | skipped | failed` after it, with the reason. The output is the audit
//! trail. Schemas: `bin-docs/schemas/quarantine.action.v1.json`, `ipblock.action.v1.json`.

use serde::{Deserialize, Serialize};

/// What happened (or will happen, for `planned`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The action will be taken (without `--apply`: would be taken). With `--apply` it is
    /// followed by `applied` or `failed`.
    Planned,
    Applied,
    /// Already in the desired state.
    Unchanged,
    /// Deliberately not acted on (duplicate, never-block address, limit reached …).
    Skipped,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Applied => "applied",
            Status::Unchanged => "unchanged",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
        }
    }
}

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

/// Counts of statuses, for the summary line and the exit code (failed → 4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub planned: u64,
    pub applied: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub failed: u64,
}

impl Tally {
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Planned => self.planned += 1,
            Status::Applied => self.applied += 1,
            Status::Unchanged => self.unchanged += 1,
            Status::Skipped => self.skipped += 1,
            Status::Failed => self.failed += 1,
        }
    }

    /// Exit code of a run: 4 (partial) when any action failed.
    pub fn exit(&self) -> crate::exit::Exit {
        if self.failed > 0 {
            crate::exit::Exit::Partial
        } else {
            crate::exit::Exit::Success
        }
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} planned, {} applied, {} unchanged, {} skipped, {} failed",
            self.planned, self.applied, self.unchanged, self.skipped, self.failed
        )
    }
}

/// An action record: serializable, with a status.
pub trait Action: Serialize {
    fn status(&self) -> Status;
}

impl Action for QuarantineAction {
    fn status(&self) -> Status {
        self.status
    }
}

impl Action for IpblockAction {
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

/// Where a mutating tool's action records go: stdout in the `--format` asked for (a table of
/// `table_columns` on a terminal, JSON Lines piped), counted.
pub struct ActionOut {
    printer: crate::output::Printer,
    pub tally: Tally,
}

impl ActionOut {
    /// Records on stdout, each flushed at once: the input may be an endless stream on stdin
    /// (`halo-query events --follow | quarantine --apply | slack-notify`), which looks like any
    /// other pipe, and the next tool must hear of a decision when it is taken, not when a buffer
    /// fills. Decisions are few, so the flushes cost nothing. (A table or csv therefore prints
    /// row by row; a table's columns are `table_columns` unless `--columns` says.)
    pub fn stdout(args: &crate::output::OutputArgs, table_columns: &[&str]) -> ActionOut {
        let defaults = crate::output::Defaults::RECORDS.table_columns(table_columns);
        let mut printer = crate::output::Printer::stdout_with(args, defaults);
        printer.set_flush_each(true);
        ActionOut {
            printer,
            tally: Tally::default(),
        }
    }

    pub fn emit(&mut self, a: &impl Action) -> anyhow::Result<()> {
        self.tally.add(a.status());
        self.printer.record(&serde_json::to_value(a)?)
    }

    /// End a run: the records of the decisions already taken reach stdout whatever `result` is;
    /// then the summary line on stderr (unless `quiet`) and the result.
    pub fn finish(
        self,
        tool: &str,
        quiet: bool,
        result: anyhow::Result<crate::exit::Exit>,
    ) -> anyhow::Result<crate::exit::Exit> {
        let flushed = self.printer.finish();
        let code = result?;
        flushed?;
        crate::log::note(quiet, format!("{tool}: {}", self.tally));
        Ok(code)
    }
}
