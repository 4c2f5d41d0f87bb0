//! ec2-delta: every EC2 instance in one or many AWS accounts (all regions) that no Halo agent
//! protects. The engine (flags shared with octo-bot, inventory, delta) is `octo-ec2delta`; this
//! crate is the command line: the Halo servers from the API or a JSONL file, the printing, the
//! exit code.
//!
//! The AWS side is the caller's own account plus, with `--accounts` and `--role-name`, each listed
//! account through one `sts:AssumeRole` (credentials shared by all of that account's regions and
//! renewed before they expire). Regions come from `ec2:DescribeRegions` per account (`--regions
//! all`) or the list given. Accounts × regions fan out concurrently. The Halo side is every server
//! in every state, paged completely, or the JSONL file given with `--halo-servers`; instances are
//! matched on `aws_ec2.ec2_instance_id`.
//!
//! An account or region that cannot be read is named on stderr and the run exits 4: its instances
//! are never reported as unprotected (nor, with `--reverse`, its Halo servers as orphaned).

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{CommandFactory, Parser};
use octo_core::config::HaloArgs;
use octo_core::exit::{Exit, usage};
use octo_core::halo::{Access, HaloClient};
use octo_core::log::LogArgs;
use octo_core::output::{Defaults, Format, OutputArgs, Printer};
pub use octo_ec2delta::*;
use serde_json::Value;

const AFTER_HELP: &str = "\
Examples:
  ec2-delta                                         # the caller's account, every region (a table)
  ec2-delta > unprotected.csv                       # piped or redirected: CSV, as the original
  ec2-delta --accounts '111111111111;222222222222' --role-name inventory-reader
  ec2-delta --regions eu-west-1,us-east-1 --states all -o jsonl
  halo-query servers --state all | ec2-delta --halo-servers -
  ec2-delta --reverse                               # Halo servers whose instance is gone
  ec2-delta --fail-on-findings > unprotected.csv    # a CI gate: exit 5 when any row is printed

AWS: the standard credential chain (AWS_PROFILE, AWS_ACCESS_KEY_ID …, SSO, instance role);
AWS_ENDPOINT_URL is honoured. The role needs ec2:DescribeInstances and ec2:DescribeRegions and a
trust policy for the caller. Halo: HALO_API_KEY / HALO_API_SECRET_KEY (read-only key, scoped to
the root group, or servers outside its subtree look unprotected).

Exit codes: 0 ok, 1 failure, 2 usage, 3 bad --halo-servers input, 4 some accounts or regions
could not be read (named on stderr; the rest is reported), 5 rows printed with --fail-on-findings.";

/// ec2-delta's one difference from the other tools: piped, it prints CSV, as ec2-halo-delta did.
const FORMAT_HELP: &str = "Output format [default: table when stdout is a terminal, csv (as the \
     original ec2-halo-delta printed) when it is piped or redirected]";

/// EC2 instances that no Halo agent protects, across accounts and regions: a table on a
/// terminal, CSV when piped (-o jsonl|json for records).
#[derive(Debug, Parser)]
#[command(name = "ec2-delta", version = octo_core::VERSION, after_help = AFTER_HELP)]
#[command(mut_arg("format", |a| a.help(FORMAT_HELP)))]
// `--profile` is the AWS CLI's: the Halo profile of the other tools is `--halo-profile` here
#[command(mut_arg("profile", |a| a.long("halo-profile").help(
    "Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]"
)))]
pub struct Cli {
    #[command(flatten)]
    pub delta: DeltaArgs,
    /// Halo servers from this JSONL file (`-` = stdin; e.g. `halo-query servers --state all`)
    /// instead of the Halo API
    #[arg(long = "halo-servers", value_name = "FILE|-")]
    pub halo_servers: Option<PathBuf>,
    #[command(flatten)]
    pub bad_records: octo_core::records::BadRecordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Exit 5 when any row is printed (a CI gate)
    #[arg(long = "fail-on-findings")]
    pub fail_on_findings: bool,
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
    octo_core::block_on(run_async(cli))
}

/// Halo servers: from a JSONL file (`-` = stdin) or every server in every state from the API.
async fn halo_servers(
    cli: &Cli,
    bad: &mut octo_core::records::BadRecords,
) -> anyhow::Result<Vec<Value>> {
    if let Some(path) = &cli.halo_servers {
        let path = (path.as_os_str() != "-").then_some(path.as_path());
        if path.is_none() && std::io::stdin().is_terminal() {
            return Err(usage(
                "--halo-servers - reads JSONL from stdin, but stdin is a terminal (pipe `halo-query servers --state all` into it)",
            ));
        }
        let reader = octo_core::records::open(path)?;
        let mut out = Vec::new();
        for rec in reader {
            match rec {
                Ok(rec) => out.push(Value::Object(rec.value)),
                Err(e) => bad.handle(e.into())?,
            }
        }
        return Ok(out);
    }
    let cfg = cli.halo.resolve()?;
    let halo = HaloClient::new(&cfg, Access::Read, "ec2-delta")?;
    live_halo_servers(&halo).await
}

async fn run_async(cli: Cli) -> anyhow::Result<Exit> {
    let mut bad = cli.bad_records.tracker();
    let rep = report(&cli.delta, halo_servers(&cli, &mut bad)).await?;
    let (rows, columns) = (&rep.rows, rep.columns);
    let defaults = Defaults::RECORDS
        .piped(Format::Csv)
        .table_columns(columns)
        .csv_columns(columns);
    let mut out = Printer::stdout_with(&cli.output, defaults);
    for r in rows {
        out.record(r)?;
    }
    out.finish()?;
    tracing::info!(
        "{} instances in {} account/region pairs, {} Halo servers, {} rows",
        rep.instances,
        rep.scanned,
        rep.halo_servers,
        rows.len()
    );
    if !rep.failures.is_empty() {
        for f in &rep.failures {
            octo_core::log::note(false, format_args!("ec2-delta: {f}"));
        }
        octo_core::log::note(
            false,
            format_args!(
                "ec2-delta: {} account(s)/region(s) could not be read; their instances are not in the report",
                rep.failures.len()
            ),
        );
        return Ok(Exit::Partial);
    }
    if bad.skipped() > 0 {
        // servers on skipped lines may be reported as unprotected: partial, before findings
        return Ok(bad.exit(Exit::Success));
    }
    if cli.fail_on_findings && !rows.is_empty() {
        return Ok(Exit::Findings);
    }
    Ok(Exit::Success)
}
