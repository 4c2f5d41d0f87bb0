//! event-export: every Halo event of a window (default: yesterday, UTC) to a folder, S3 or stdout,
//! as gzip JSON Lines; exact, streaming, resumable and idempotent. The engine is
//! [`octo_export`], shared with scan-export.

use clap::{CommandFactory, Parser};
use octo_core::config::HaloArgs;
use octo_core::exit::Exit;
use octo_core::log::LogArgs;
use octo_export::{EVENTS, ExportArgs, FromEnv};

const AFTER_HELP: &str = "\
Examples:
  event-export --to s3://archive/halo                    # yesterday (UTC) → s3://archive/halo/events/dt=…/
  event-export --date 2026-11-19 --to /var/events        # one day into a folder
  event-export --since 2026-11-19T05:00:00Z --until 2026-11-19T06:00:00Z --to s3://archive/halo
                                                         # one hour (a shard); its own _manifest_050000-060000.json
  event-export --date yesterday --to - | jq -c 'select(.critical)'
  event-export --layout legacy --to s3://old-bucket      # Halo-Events_<date>_<n>.gz, 10,000 events each

Re-running a finished window does nothing (\"already exported\"); --force exports it again. A run
that was killed resumes from its checkpoint and writes exactly what an uninterrupted run would.
Destination default: s3://$EVENTS_S3_BUCKET. AWS: the standard credential chain, AWS_ENDPOINT_URL.

Exit codes: 0 ok (also already exported), 1 API or storage failure (the message names the window and
what is missing; the checkpoint is kept), 2 usage or configuration error, 130 interrupted.";

/// Export Halo events of a time window (default: yesterday, UTC) to a folder, S3 or stdout.
#[derive(Debug, Parser)]
#[command(name = "event-export", version = octo_core::VERSION, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub export: ExportArgs,
    #[command(flatten)]
    pub halo: HaloArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

/// The clap command: flags, `--generate` and examples (parsing, help, man pages, completions).
pub fn command() -> clap::Command {
    octo_core::docs::command(Cli::command(), &[])
}

/// Entry point used by `main`.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    cli.log.init();
    let env = FromEnv::from_lookup(
        octo_core::env::EVENTS_S3_BUCKET,
        &octo_core::env::var_nonempty,
    );
    octo_core::block_on(octo_export::run(
        EVENTS,
        &cli.export,
        &cli.halo,
        &cli.log,
        &env,
        None,
    ))
}
