//! scan-export: every Halo scan of a window (default: yesterday, UTC) with its findings to a
//! folder, S3 or stdout, as gzip JSON Lines; exact, streaming, resumable and idempotent. Each scan
//! is written as `GET /v1/scans/{id}` returns it; for FIM scans `findings` holds the detail of
//! every finding (`GET /v1/scans/{id}/findings/{finding_id}`). Details are fetched concurrently,
//! interleaved with the other scans' requests; the output keeps `created_at` order. The engine
//! is [`octo_export`].

use std::sync::Arc;

use anyhow::Context;
use clap::{CommandFactory, Parser};
use futures::{StreamExt, TryStreamExt};
use octo_core::exit::Exit;
use octo_core::halo::HaloClient;
use octo_core::halo::api::is_id_like;
use octo_export::{Enrich, FromEnv, SCANS, ToolArgs};
use serde_json::Value;

const AFTER_HELP: &str = octo_export::after_help!(
    "  scan-export --to s3://archive/halo                     # yesterday (UTC) → s3://archive/halo/scans/dt=…/
  scan-export --date 2026-11-19 --to /var/scans
  scan-export --date yesterday --to - | jq -c 'select(.critical_findings_count > 0)'
  scan-export --layout legacy --to s3://old-bucket       # Halo-Scans_<date>_<n>.gz, 100 scans each
",
    "SCANS_S3_BUCKET"
);

/// Export Halo scans with their findings for a time window (default: yesterday, UTC).
#[derive(Debug, Parser)]
#[command(name = "scan-export", version = octo_core::VERSION, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub tool: ToolArgs,
}

/// The clap command: flags, `--generate` and examples (parsing, help, man pages, completions).
pub fn command() -> clap::Command {
    octo_core::docs::command(Cli::command(), &[])
}

/// A listed scan → the scan with its details (and, for FIM, every finding's detail).
pub async fn scan_details(halo: HaloClient, listed: Value) -> anyhow::Result<Value> {
    let id = listed
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| is_id_like(id))
        .context("a listed scan has no usable `id`")?
        .to_string();
    let mut body = halo.get(&format!("/v1/scans/{id}")).await?;
    let mut scan = body
        .get_mut("scan")
        .map(Value::take)
        .with_context(|| format!("GET /v1/scans/{id}: no `scan` object in the answer"))?;
    if scan.get("module").and_then(Value::as_str) == Some("fim") {
        let ids: Vec<String> = scan
            .get("findings")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| f.get("id").and_then(Value::as_str))
            .filter(|f| is_id_like(f))
            .map(str::to_string)
            .collect();
        let details: Vec<Vec<Value>> = futures::stream::iter(ids.into_iter().map(|fid| {
            let halo = halo.clone();
            let id = id.clone();
            async move {
                let mut v = halo.get(&format!("/v1/scans/{id}/findings/{fid}")).await?;
                match v.get_mut("findings").map(Value::take) {
                    Some(Value::Array(a)) => Ok(a),
                    Some(other) => Ok(vec![other]),
                    None => anyhow::bail!(
                        "GET /v1/scans/{id}/findings/{fid}: no `findings` in the answer"
                    ),
                }
            }
        }))
        // All of a scan's finding details are asked for at once: the client's in-flight limit
        // queues them fairly with the other scans' and slices' requests.
        .buffered(halo.http().config().max_in_flight.max(1))
        .try_collect()
        .await?;
        scan["findings"] = Value::Array(details.into_iter().flatten().collect());
    }
    Ok(scan)
}

/// Entry point used by `main`.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let enrich: Enrich = Arc::new(|halo, v| Box::pin(scan_details(halo, v)));
    let env = FromEnv::from_lookup(
        octo_core::env::SCANS_S3_BUCKET,
        &octo_core::env::var_nonempty,
    );
    octo_export::main(SCANS, &cli.tool, &env, Some(enrich))
}
