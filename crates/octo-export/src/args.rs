//! The flags both exporters share ([`ExportArgs`]), their Halo settings, and [`run`]: one run of
//! an export tool — window (default: yesterday, UTC), shards, destination, then each unit, or the
//! records to stdout with `--to -`.
//!
//! The flags live here rather than in each binary because event-export and scan-export take
//! exactly the same ones and binaries never import each other; what the environment says
//! (default bucket, the Kubernetes shard index) is read by the binaries and handed in as
//! [`FromEnv`], so that this crate reads no variable of its own.

use chrono::{Duration, Utc};
use futures::StreamExt;
use octo_core::exit::usage;
use octo_core::halo::HaloClient;
use octo_core::halo::cursor::Cursor;
use octo_core::time::format_api;

use crate::concurrency::Concurrency;
use crate::engine::{Outcome, export_unit, records};
use crate::job::{Enrich, Job, Kind, Layout, shard};
use crate::manifest::check;
use crate::progress::Progress;
use crate::store::{Dest, Store};

/// What the environment says about an export, read by the binary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FromEnv {
    /// The variable that names the default bucket (`EVENTS_S3_BUCKET`, `SCANS_S3_BUCKET`) …
    pub bucket_var: &'static str,
    /// … and its value, when set and not empty.
    pub bucket: Option<String>,
    /// `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job's index), when set and not empty.
    pub job_completion_index: Option<String>,
}

impl FromEnv {
    /// The values of `bucket_var` and `JOB_COMPLETION_INDEX` from `lookup`.
    pub fn from_lookup(bucket_var: &'static str, lookup: octo_core::config::Lookup<'_>) -> FromEnv {
        FromEnv {
            bucket_var,
            bucket: lookup(bucket_var),
            job_completion_index: lookup(octo_core::env::JOB_COMPLETION_INDEX),
        }
    }
}

/// The flags event-export and scan-export share.
#[derive(clap::Args, Debug, Clone)]
pub struct ExportArgs {
    #[command(flatten)]
    pub window: octo_core::time::WindowArgs,
    /// Destination: a directory, s3://bucket/prefix, or - (the records on stdout: JSON Lines when
    /// piped, see --format)
    /// [default: s3://$EVENTS_S3_BUCKET or s3://$SCANS_S3_BUCKET]
    #[arg(long = "to", value_name = "DIR|s3://BUCKET/PREFIX|-")]
    pub to: Option<String>,
    /// Object layout: hive (dt=YYYY-MM-DD/part-*.jsonl.gz + _manifest.json) or legacy (the
    /// original archivers' Halo-Events_<date>_<n>.gz names)
    #[arg(long, value_enum, default_value_t = Layout::Hive)]
    pub layout: Layout,
    /// Export again even when a manifest says the window is done (replaces it)
    #[arg(long)]
    pub force: bool,
    /// Requests in flight to Halo, shared by all hourly slices, pages and details: auto starts
    /// at 16, doubles after each round of answers while latency holds until the first 429,
    /// then adds one per round, halves on a 429, never above 64; a number is fixed (1-256). --max-in-flight, HALO_CONCURRENCY or
    /// halo.max_in_flight in octo.yml, when set, fix the requests instead
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY, value_name = "N|auto")]
    #[arg(value_parser = crate::concurrency::parse)]
    pub concurrency: Concurrency,
    /// Records per part file (hive layout)
    #[arg(long = "part-records", default_value_t = 100_000, value_name = "N")]
    pub part_records: usize,
    /// S3 multipart part size in MiB (at least 5)
    #[arg(long = "s3-part-mib", default_value_t = 8, value_name = "MIB")]
    pub s3_part_mib: usize,
    /// Cut the window into N equal shards and export one of them (--shard-index, or
    /// $JOB_COMPLETION_INDEX in a Kubernetes Indexed Job); each shard writes its own manifest
    #[arg(long, value_name = "N")]
    pub shards: Option<u32>,
    /// Which shard to export, 0-based [env: JOB_COMPLETION_INDEX]
    #[arg(long = "shard-index", value_name = "I", requires = "shards")]
    pub shard_index: Option<u32>,
    /// Export nothing: check that the window (every shard, with --shards) has consistent
    /// manifests whose parts all exist; exit 1 naming what is missing
    #[arg(long)]
    pub check: bool,
    /// `--to -`: the records' format and fields
    #[command(flatten)]
    pub output: octo_core::output::OutputArgs,
}

/// The exporters' Halo settings: as every tool's, except that when nothing (no --max-in-flight,
/// no HALO_CONCURRENCY, no `halo.max_in_flight` in the config file) sets the requests in flight,
/// `--concurrency` does.
pub fn exporter_halo_config(
    halo_args: &octo_core::config::HaloArgs,
    args: &ExportArgs,
) -> anyhow::Result<octo_core::config::HaloConfig> {
    let found = octo_core::config::find_config_file(halo_args.config.as_deref())?;
    exporter_halo_config_from(halo_args, args, found, &octo_core::env::var_nonempty)
}

fn exporter_halo_config_from(
    halo_args: &octo_core::config::HaloArgs,
    args: &ExportArgs,
    found: (
        Option<octo_core::config::ConfigFile>,
        octo_core::config::Source,
    ),
    lookup: octo_core::config::Lookup<'_>,
) -> anyhow::Result<octo_core::config::HaloConfig> {
    use octo_core::config::Source;
    let mut cfg = halo_args.resolve_from(found, lookup)?;
    if *cfg.source("max_in_flight") == Source::Default {
        cfg.max_in_flight = args.concurrency.ceiling();
        let source = if args.concurrency == DEFAULT_CONCURRENCY {
            Source::Default
        } else {
            Source::Flag("--concurrency")
        };
        cfg.sources.retain(|(name, _)| *name != "max_in_flight");
        cfg.sources.push(("max_in_flight", source));
    }
    Ok(cfg)
}

/// Everything an export tool takes on its command line: the export flags, the Halo settings
/// and logging. Each binary flattens it into its own `Cli` (name, examples).
#[derive(clap::Args, Debug, Clone)]
pub struct ToolArgs {
    #[command(flatten)]
    pub export: ExportArgs,
    #[command(flatten)]
    pub halo: octo_core::config::HaloArgs,
    #[command(flatten)]
    pub log: octo_core::log::LogArgs,
}

/// The `--help` text after the flags of an export tool: its examples (literal), then what both
/// tools say about re-runs, the default destination (`$bucket`, literal) and exit codes.
#[macro_export]
macro_rules! after_help {
    ($examples:literal, $bucket:literal) => {
        concat!(
            "Examples:\n",
            $examples,
            "\nRe-running a finished window does nothing (\"already exported\"); --force exports it again. A run
that was killed resumes from its checkpoint and writes exactly what an uninterrupted run would.
Destination default: s3://$",
            $bucket,
            ". AWS: the standard credential chain, AWS_ENDPOINT_URL.
A part bound for S3 spools to a temporary file in TMPDIR (removed once uploaded or given up).

Exit codes: 0 ok (also already exported), 1 API or storage failure (the message names the window and
what is missing; the checkpoint is kept), 2 usage or configuration error, 130 interrupted."
        )
    };
}

/// One run of an export tool from `main`: logging set up, then [`run`] on its own runtime.
pub fn main(
    kind: Kind,
    args: &ToolArgs,
    env: &FromEnv,
    enrich: Option<Enrich>,
) -> anyhow::Result<octo_core::exit::Exit> {
    args.log.init();
    if !crate::alloc::map_large_buffers() {
        tracing::debug!("malloc's mmap threshold left as it is");
    }
    octo_core::block_on(run(kind, args, env, enrich))
}

/// `--concurrency` when not given.
pub const DEFAULT_CONCURRENCY: Concurrency = Concurrency::Auto;

/// Run an export tool: resolve the window (default: yesterday, UTC) and destination, then export
/// each day of the window (or stream it to stdout with `--to -`).
pub async fn run(
    kind: Kind,
    tool: &ToolArgs,
    env: &FromEnv,
    enrich: Option<Enrich>,
) -> anyhow::Result<octo_core::exit::Exit> {
    let (args, halo_args, log) = (&tool.export, &tool.halo, &tool.log);
    let now = Utc::now();
    let mut w = args.window.resolve(now)?;
    if w.since.is_none() && w.until.is_none() {
        w = octo_core::time::Window::day(now.date_naive() - Duration::days(1));
    }
    let since = w
        .since
        .ok_or_else(|| usage("--until needs --since (or use --date)"))?;
    let until = w.until.unwrap_or(now);
    if since >= until {
        return Err(usage(format!(
            "empty time window: {} is not before {}",
            format_api(since),
            format_api(until)
        )));
    }
    // Shards: the whole window for --check, one shard for an export.
    let mut windows = vec![(since, until)];
    let (since, until) = match args.shards {
        None => (since, until),
        Some(0) => return Err(usage("--shards must be at least 1")),
        Some(n) => {
            windows = (0..n).map(|i| shard(since, until, i, n)).collect();
            if args.check {
                (since, until)
            } else {
                let i = match args.shard_index {
                    Some(i) => i,
                    None => env
                        .job_completion_index
                        .as_deref()
                        .and_then(|v| v.trim().parse::<u32>().ok())
                        .ok_or_else(|| {
                            usage(format!(
                                "--shards needs --shard-index or {} (the index of this shard, 0-based)",
                                octo_core::env::JOB_COMPLETION_INDEX
                            ))
                        })?,
                };
                if i >= n {
                    return Err(usage(format!("shard index {i} is not below --shards {n}")));
                }
                shard(since, until, i, n)
            }
        }
    };
    let to = match &args.to {
        Some(t) => t.clone(),
        None => match env.bucket.clone() {
            Some(b) if b.starts_with("s3://") => b,
            Some(b) => format!("s3://{}", b.trim()),
            None => {
                return Err(usage(format!(
                    "no destination: give --to DIR|s3://BUCKET/PREFIX|- or set {}",
                    env.bucket_var
                )));
            }
        },
    };
    let dest = Dest::parse(&to)?;
    if args.s3_part_mib < 5 {
        return Err(usage(
            "--s3-part-mib must be at least 5 (S3's smallest part)",
        ));
    }
    let job = Job {
        kind,
        since,
        until,
        layout: args.layout,
        part_records: args.part_records,
        concurrency: args.concurrency.ceiling(),
        enrich_concurrency: args.concurrency.ceiling(),
        force: args.force,
        enrich,
        quiet: log.quiet,
    };

    if args.check {
        // Reads the destination only: no Halo key needed.
        if dest == Dest::Stdout {
            return Err(usage("--check needs a folder or s3:// destination"));
        }
        let store = Store::open(&dest, args.s3_part_mib * 1024 * 1024).await?;
        return check(&store, &job, &windows).await;
    }
    let cfg = exporter_halo_config(halo_args, args)?;
    // Adaptive only when --concurrency (not a fixed setting elsewhere) decides.
    let adaptive = (args.concurrency == Concurrency::Auto
        && *cfg.source("max_in_flight") == octo_core::config::Source::Default)
        .then_some(crate::concurrency::AUTO_START);
    let halo = HaloClient::with_adaptive(&cfg, octo_core::halo::Access::Read, kind.tool, adaptive)?;
    if dest == Dest::Stdout {
        let progress = Progress::new(false, log.quiet, Some(halo.clone()));
        let exit = to_stdout(&halo, &job, &args.output, &progress).await?;
        if log.verbose > 0 {
            progress.note(progress.summary());
        }
        return Ok(exit);
    }
    let units = job.units()?;
    let store = Store::open(&dest, args.s3_part_mib * 1024 * 1024).await?;
    let progress = Progress::new(log.progress(), log.quiet, Some(halo.clone()))
        .with_details(job.enrich.is_some());
    for unit in &units {
        match export_unit(&halo, &store, &job, unit, &progress).await {
            Ok(Outcome::AlreadyExported(m)) => progress.note(format!(
                "{}: already exported ({} records in {} parts); --force exports again",
                store.locate(&unit.manifest_key),
                m.records,
                m.parts.len()
            )),
            Ok(Outcome::Exported(m)) => progress.note(format!(
                "{}: {} records in {} parts",
                store.locate(&unit.manifest_key),
                m.records,
                m.parts.len()
            )),
            Err(e) => {
                progress.finish();
                return Err(e);
            }
        }
    }
    progress.finish();
    if log.verbose > 0 {
        progress.note(progress.summary());
    }
    Ok(octo_core::exit::Exit::Success)
}

/// `--to -`: the window's records on stdout (JSON Lines when piped, unless `--format` says
/// otherwise), in `created_at` order.
async fn to_stdout(
    halo: &HaloClient,
    job: &Job,
    output: &octo_core::output::OutputArgs,
    progress: &Progress,
) -> anyhow::Result<octo_core::exit::Exit> {
    let mut items = records(halo, job, Cursor::new(job.since), job.until, 1);
    let defaults = octo_core::output::Defaults::RECORDS.table_columns(job.kind.table_columns);
    let mut out = octo_core::output::Printer::stdout_with(output, defaults);
    while let Some(item) = items.next().await {
        let item = item?;
        progress.record(item.json.get().len() + 1);
        out.record(&item.value()?)?;
    }
    out.finish()?;
    Ok(octo_core::exit::Exit::Success)
}

#[cfg(test)]
mod settings_tests {
    use clap::Parser;

    use super::*;
    use octo_core::config::{ConfigFile, HaloArgs, Source};

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        export: ExportArgs,
        #[command(flatten)]
        halo: HaloArgs,
    }

    /// `max_in_flight` and its source for `args`, an octo.yml of `yaml` and `env`.
    fn in_flight(args: &[&str], yaml: &str, env: &[(&str, &str)]) -> (usize, String) {
        let cli = Cli::try_parse_from(std::iter::once("x").chain(args.iter().copied())).unwrap();
        let file = ConfigFile::parse("/etc/octo.yml".into(), yaml.to_string()).unwrap();
        let lookup = |name: &str| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        let cfg = exporter_halo_config_from(
            &cli.halo,
            &cli.export,
            (Some(file), Source::Flag("--config")),
            &lookup,
        )
        .unwrap();
        (cfg.max_in_flight, cfg.source("max_in_flight").to_string())
    }

    #[test]
    fn max_in_flight_flag_env_file_then_concurrency() {
        let yaml = "halo:\n  max_in_flight: 3\n";
        let env = [("HALO_CONCURRENCY", "5")];
        assert_eq!(
            in_flight(&["--max-in-flight", "2", "--concurrency", "8"], yaml, &env),
            (2, "flag --max-in-flight".into())
        );
        assert_eq!(
            in_flight(&["--concurrency", "8"], yaml, &env),
            (5, "env HALO_CONCURRENCY".into())
        );
        // the bug of issue 13: octo.yml's max_in_flight was replaced by --concurrency's default
        assert_eq!(
            in_flight(&[], yaml, &[]),
            (3, "file /etc/octo.yml:halo.max_in_flight".into())
        );
        assert_eq!(
            in_flight(&["--concurrency", "8"], yaml, &[]),
            (3, "file /etc/octo.yml:halo.max_in_flight".into())
        );
        assert_eq!(
            in_flight(&["--concurrency", "8"], "halo: {}\n", &[]),
            (8, "flag --concurrency".into())
        );
        assert_eq!(in_flight(&[], "{}\n", &[]), (64, "default".into()));
        assert_eq!(
            in_flight(&["--concurrency", "auto"], "{}\n", &[]),
            (64, "default".into())
        );
    }
}
