//! Action records: every decision of a mutating tool, `planned` before an action and
//! `applied | unchanged | skipped | failed` after it, with the reason. The output is the audit
//! trail. Each tool's record type (`quarantine.action/v1`, `ipblock.action/v1`) lives in its tool;
//! schemas in `bin-docs/schemas/`.

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
    pub fn exit(&self) -> octo_core::exit::Exit {
        if self.failed > 0 {
            octo_core::exit::Exit::Partial
        } else {
            octo_core::exit::Exit::Success
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

/// Where a mutating tool's action records go: stdout in the `--format` asked for (a table of
/// `table_columns` on a terminal, JSON Lines piped), counted.
pub struct ActionOut {
    printer: octo_core::output::Printer,
    pub tally: Tally,
}

impl ActionOut {
    /// Records on stdout, each flushed at once: the input may be an endless stream on stdin
    /// (`halo-query events --follow | quarantine --apply | slack-notify`), which looks like any
    /// other pipe, and the next tool must hear of a decision when it is taken, not when a buffer
    /// fills. Decisions are few, so the flushes cost nothing. (A table or csv therefore prints
    /// row by row; a table's columns are `table_columns` unless `--columns` says.)
    pub fn stdout(args: &octo_core::output::OutputArgs, table_columns: &[&str]) -> ActionOut {
        let defaults = octo_core::output::Defaults::RECORDS.table_columns(table_columns);
        let mut printer = octo_core::output::Printer::stdout_with(args, defaults);
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
        result: anyhow::Result<octo_core::exit::Exit>,
    ) -> anyhow::Result<octo_core::exit::Exit> {
        let flushed = self.printer.finish();
        let code = result?;
        flushed?;
        octo_core::log::note(quiet, format!("{tool}: {}", self.tally));
        Ok(code)
    }
}
