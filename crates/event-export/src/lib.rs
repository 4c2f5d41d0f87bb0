//! event-export: every Halo event of a window (default: yesterday, UTC) to a folder, S3 or stdout,
//! as gzip JSON Lines; exact, streaming, resumable and idempotent. The engine is
//! [`octo_export`], shared with scan-export.

use clap::{CommandFactory, Parser};
use octo_core::exit::Exit;
use octo_export::{EVENTS, FromEnv, ToolArgs};

const AFTER_HELP: &str = octo_export::after_help!(
    "  event-export --to s3://archive/halo                    # yesterday (UTC) → s3://archive/halo/events/dt=…/
  event-export --date 2026-11-19 --to /var/events        # one day into a folder
  event-export --since 2026-11-19T05:00:00Z --until 2026-11-19T06:00:00Z --to s3://archive/halo
                                                         # one hour (a shard); its own _manifest_050000-060000.json
  event-export --date yesterday --to - | jq -c 'select(.critical)'
  event-export --layout legacy --to s3://old-bucket      # Halo-Events_<date>_<n>.gz, 10,000 events each
",
    "EVENTS_S3_BUCKET"
);

/// Export Halo events of a time window (default: yesterday, UTC) to a folder, S3 or stdout.
#[derive(Debug, Parser)]
#[command(name = "event-export", version = octo_core::VERSION, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub tool: ToolArgs,
}

/// The clap command: flags, `--generate` and examples (parsing, help, man pages, completions).
pub fn command() -> clap::Command {
    octo_core::docs::command(Cli::command(), &[])
}

/// Entry point used by `main`.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let env = FromEnv::from_lookup(
        octo_core::env::EVENTS_S3_BUCKET,
        &octo_core::env::var_nonempty,
    );
    octo_export::main(EVENTS, &cli.tool, &env, None)
}
