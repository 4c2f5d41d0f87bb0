//! ec2-delta: every EC2 instance in one or many AWS accounts (all regions) that no Halo agent
//! protects.
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

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::IsTerminal;
use std::path::PathBuf;

use aws_config::SdkConfig;
use aws_sdk_ec2::types::Instance;
use clap::{CommandFactory, Parser};
use futures::{StreamExt, TryStreamExt};
use octo_aws as aws;
use octo_core::config::HaloArgs;
use octo_core::env;
use octo_core::exit::{Exit, usage};
use octo_core::halo::api::ALL_STATES;
use octo_core::halo::{Access, HaloClient};
use octo_core::log::LogArgs;
use octo_core::output::{Defaults, Format, OutputArgs, Printer};
use octo_core::records::lookup;
use serde_json::{Value, json};

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

/// The original ec2-halo-delta columns, then ours.
pub const COLUMNS: [&str; 12] = [
    "instance_id",
    "aws_account",
    "aws_region",
    "key_name",
    "launch_time",
    "vpc_id",
    "state",
    "instance_type",
    "private_ip",
    "public_ip",
    "name",
    "tags",
];

/// Columns of `--reverse` rows (Halo server objects) in csv and table.
pub const REVERSE_COLUMNS: [&str; 7] = [
    "id",
    "hostname",
    "state",
    "group_path",
    "aws_ec2.ec2_instance_id",
    "aws_ec2.ec2_account_id",
    "aws_ec2.ec2_region",
];

/// clap value parser of `--external-id`: 2-1224 characters of `[A-Za-z0-9+=,.@:/_-]` (STS's).
pub fn parse_external_id(raw: &str) -> Result<String, String> {
    let ok = (2..=1224).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@:/_-".contains(&b));
    if ok {
        Ok(raw.to_string())
    } else {
        Err("an external id is 2-1224 characters: letters, digits and +=,.@:/-_".into())
    }
}

/// clap value parser of `--role-session-name`: 2-64 characters of `[A-Za-z0-9+=,.@_-]` (STS's).
pub fn parse_session_name(raw: &str) -> Result<String, String> {
    let ok = (2..=64).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if ok {
        Ok(raw.to_string())
    } else {
        Err("a role session name is 2-64 characters: letters, digits and +=,.@-_".into())
    }
}

/// Every EC2 instance state.
const EC2_STATES: [&str; 6] = [
    "pending",
    "running",
    "shutting-down",
    "terminated",
    "stopping",
    "stopped",
];

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
    /// AWS named profile (~/.aws/config), as the AWS CLI's --profile; a profile with role_arn +
    /// source_profile (or credential_source) is assumed through its source [env: AWS_PROFILE]
    #[arg(id = "aws_profile", long = "profile", value_name = "NAME")]
    pub aws_profile: Option<String>,
    /// Accounts to inventory besides the caller's own, `;`- or `,`-separated; each through
    /// --role-name [env: AWS_ACCOUNT_NUMBERS]
    #[arg(long, value_name = "A;B;…")]
    pub accounts: Option<String>,
    /// Role assumed in each of --accounts (arn:aws:iam::ACCOUNT:role/NAME) [env: AWS_ROLE_NAME]
    #[arg(long = "role-name", value_name = "NAME")]
    pub role_name: Option<String>,
    /// ExternalId of the --role-name role, when its trust policy asks for one (2-1224 of
    /// letters, digits and +=,.@:/-_)
    #[arg(long = "external-id", value_name = "ID", value_parser = parse_external_id)]
    pub external_id: Option<String>,
    /// RoleSessionName of the --role-name sessions, shown in each account's CloudTrail (2-64 of
    /// letters, digits and +=,.@-_)
    #[arg(long = "role-session-name", value_name = "NAME", default_value = "octobox-ec2-delta",
          value_parser = parse_session_name)]
    pub role_session_name: String,
    /// Length of the --role-name sessions in seconds, 900-43200 (at most the role's maximum
    /// session duration; default STS's, one hour); renewed before they expire
    #[arg(long = "duration", value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(900..=43200))]
    pub duration: Option<u64>,
    /// Regions: `all` (DescribeRegions, per account) or a comma list
    #[arg(long, default_value = "all", value_name = "all|R1,R2")]
    pub regions: String,
    /// Instance states that count: comma list of pending, running, shutting-down, stopping,
    /// stopped, terminated, or `all`
    #[arg(long, default_value = "running,pending", value_name = "STATES")]
    pub states: String,
    /// Halo servers from this JSONL file (`-` = stdin; e.g. `halo-query servers --state all`)
    /// instead of the Halo API
    #[arg(long = "halo-servers", value_name = "FILE|-")]
    pub halo_servers: Option<PathBuf>,
    #[command(flatten)]
    pub bad_records: octo_core::records::BadRecordArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// List Halo servers on EC2 whose instance no longer exists in any scanned account/region
    #[arg(long)]
    pub reverse: bool,
    /// Exit 5 when any row is printed (a CI gate)
    #[arg(long = "fail-on-findings")]
    pub fail_on_findings: bool,
    /// Account × region inventories in flight at once (1-256)
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = octo_core::validate::in_flight)]
    pub concurrency: usize,
    /// DescribeInstances page size (5-1000)
    #[arg(long = "page-size", default_value_t = 1000, value_name = "N",
          value_parser = clap::value_parser!(i32).range(5..=1000))]
    pub page_size: i32,
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

use octo_core::env::var_nonempty as env_nonempty;

/// Parsed and checked flags.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub accounts: Vec<String>,
    pub role: Option<String>,
    /// None = all (DescribeRegions per account).
    pub regions: Option<Vec<String>>,
    pub states: BTreeSet<String>,
    pub page_size: i32,
    /// RoleSessionName, ExternalId and session length of the assumed roles.
    pub session_name: String,
    pub external_id: Option<String>,
    pub duration: Option<u64>,
}

/// Split an account list on `;` or `,` and check each is 12 digits.
pub fn parse_accounts(raw: &str) -> anyhow::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for a in raw
        .split([';', ','])
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
            return Err(usage(format!(
                "invalid AWS account id `{a}` in --accounts/{}: expected 12 digits",
                env::AWS_ACCOUNT_NUMBERS
            )));
        }
        if !out.iter().any(|x| x == a) {
            out.push(a.to_string());
        }
    }
    Ok(out)
}

/// `all` or a comma list of region names.
pub fn parse_regions(raw: &str) -> anyhow::Result<Option<Vec<String>>> {
    let list: Vec<&str> = raw
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .collect();
    if list.is_empty() {
        return Err(usage("--regions needs `all` or at least one region"));
    }
    if list.contains(&"all") {
        return Ok(None);
    }
    let mut out = Vec::new();
    for r in list {
        let ok = r.len() <= 32
            && r.contains('-')
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(usage(format!(
                "invalid region `{r}` in --regions: expected a name like eu-west-1, or all"
            )));
        }
        if !out.iter().any(|x: &String| x == r) {
            out.push(r.to_string());
        }
    }
    Ok(Some(out))
}

/// `all` or a comma list of EC2 instance states.
pub fn parse_ec2_states(raw: &str) -> anyhow::Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for s in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if s == "all" {
            return Ok(EC2_STATES.iter().map(|s| s.to_string()).collect());
        }
        if !EC2_STATES.contains(&s) {
            return Err(usage(format!(
                "invalid instance state `{s}` in --states: expected {} or all",
                EC2_STATES.join(", ")
            )));
        }
        out.insert(s.to_string());
    }
    if out.is_empty() {
        return Err(usage("--states needs at least one state"));
    }
    Ok(out)
}

impl Cli {
    /// Flags > environment, checked before any request.
    pub fn plan(&self) -> anyhow::Result<Plan> {
        let accounts_raw = self
            .accounts
            .clone()
            .or_else(|| env_nonempty(env::AWS_ACCOUNT_NUMBERS));
        let accounts = match &accounts_raw {
            Some(raw) => parse_accounts(raw)?,
            None => Vec::new(),
        };
        let role = self
            .role_name
            .clone()
            .or_else(|| env_nonempty(env::AWS_ROLE_NAME))
            .map(|r| r.trim().to_string());
        if !accounts.is_empty() && role.is_none() {
            return Err(usage(format!(
                "--accounts/{} needs --role-name (or {}): the role to assume in each account",
                env::AWS_ACCOUNT_NUMBERS,
                env::AWS_ROLE_NAME
            )));
        }
        if let Some(r) = &role {
            let ok = !r.is_empty()
                && r.len() <= 64
                && r.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
            if !ok {
                return Err(usage(format!(
                    "invalid role name `{r}`: letters, digits and +=,.@_- only, at most 64"
                )));
            }
        }
        if self.concurrency == 0 {
            return Err(usage("--concurrency must be at least 1"));
        }
        if accounts.is_empty() && (self.external_id.is_some() || self.duration.is_some()) {
            return Err(usage(format!(
                "--external-id and --duration apply to the role assumed in each of --accounts (or {}); no accounts are given",
                env::AWS_ACCOUNT_NUMBERS
            )));
        }
        Ok(Plan {
            session_name: self.role_session_name.clone(),
            external_id: self.external_id.clone(),
            duration: self.duration,
            accounts,
            role,
            regions: parse_regions(&self.regions)?,
            states: parse_ec2_states(&self.states)?,
            page_size: self.page_size,
        })
    }
}

/// One account or region that could not be read.
#[derive(Debug, Clone)]
pub struct Failure {
    pub account: String,
    pub region: Option<String>,
    pub error: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.region {
            Some(r) => write!(f, "account {} region {r}: {}", self.account, self.error),
            None => write!(f, "account {}: {}", self.account, self.error),
        }
    }
}

/// What the AWS side saw: every instance once (by id), and the account/region pairs read.
#[derive(Debug, Default)]
pub struct Inventory {
    pub instances: BTreeMap<String, Value>,
    pub scanned: BTreeSet<(String, String)>,
    pub failures: Vec<Failure>,
}

/// An instance as a row (`ec2-delta.instance/v1`): the original columns first, empty strings
/// (not placeholder text) where AWS has no value.
pub fn instance_row(inst: &Instance, account: &str, region: &str) -> Value {
    let s = |v: Option<&str>| v.unwrap_or("").to_string();
    let launch = inst
        .launch_time()
        .and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string())
        .unwrap_or_default();
    let mut tags = BTreeMap::new();
    for t in inst.tags() {
        if let Some(k) = t.key() {
            tags.insert(k.to_string(), s(t.value()));
        }
    }
    let name = tags.get("Name").cloned().unwrap_or_default();
    json!({
        "record": "ec2-delta.instance/v1",
        "instance_id": s(inst.instance_id()),
        "aws_account": account,
        "aws_region": region,
        "key_name": s(inst.key_name()),
        "launch_time": launch,
        "vpc_id": s(inst.vpc_id()),
        "state": inst.state().and_then(|st| st.name()).map(|n| n.as_str().to_string()).unwrap_or_default(),
        "instance_type": inst.instance_type().map(|t| t.as_str().to_string()).unwrap_or_default(),
        "private_ip": s(inst.private_ip_address()),
        "public_ip": s(inst.public_ip_address()),
        "name": name,
        "tags": tags,
    })
}

/// Every instance of one account in one region (`ec2:DescribeInstances`, all pages).
async fn region_instances(
    cfg: &SdkConfig,
    account: &str,
    region: &str,
    page_size: i32,
) -> anyhow::Result<Vec<Value>> {
    let ec2 = aws_sdk_ec2::Client::new(&aws::in_region(cfg, region));
    let mut pages = ec2
        .describe_instances()
        .max_results(page_size)
        .into_paginator()
        .send();
    let mut rows = Vec::new();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| anyhow::anyhow!("ec2:DescribeInstances: {}", aws::describe(&e)))?;
        for res in page.reservations() {
            let owner = res.owner_id().unwrap_or(account);
            for inst in res.instances() {
                rows.push(instance_row(inst, owner, region));
            }
        }
    }
    Ok(rows)
}

/// The configuration and regions of one account, or why it cannot be read.
async fn open_account(
    base: &SdkConfig,
    caller: &str,
    account: &str,
    plan: &Plan,
) -> Result<(SdkConfig, Vec<String>), Failure> {
    let fail = |error: String| Failure {
        account: account.to_string(),
        region: None,
        error,
    };
    let cfg = if account == caller {
        base.clone()
    } else {
        let role = plan.role.as_deref().unwrap_or_default();
        let role = aws::Role {
            account,
            name: role,
            session_name: &plan.session_name,
            external_id: plan.external_id.as_deref(),
            duration: plan.duration.map(std::time::Duration::from_secs),
        };
        aws::assume_role(base, &role)
            .await
            .map_err(|e| fail(format!("{e:#}")))?
    };
    let regions = match &plan.regions {
        Some(list) => list.clone(),
        None => aws::regions(&cfg)
            .await
            .map_err(|e| fail(format!("{e:#}")))?,
    };
    Ok((cfg, regions))
}

/// Read every account × region, `concurrency` at a time.
pub async fn inventory(
    base: &SdkConfig,
    caller: &str,
    plan: &Plan,
    concurrency: usize,
) -> Inventory {
    let mut accounts = vec![caller.to_string()];
    accounts.extend(plan.accounts.iter().filter(|a| *a != caller).cloned());
    let opened: Vec<_> = futures::stream::iter(
        accounts
            .iter()
            .map(|a| async move { (a.clone(), open_account(base, caller, a, plan).await) }),
    )
    .buffered(concurrency)
    .collect()
    .await;

    let mut inv = Inventory::default();
    let mut jobs = Vec::new();
    for (account, opened) in opened {
        match opened {
            Ok((cfg, regions)) => {
                for r in regions {
                    jobs.push((account.clone(), r, cfg.clone()));
                }
            }
            Err(f) => inv.failures.push(f),
        }
    }
    let total = jobs.len();
    let bar = octo_core::progress::Progress::bar(total as u64, "account/region pairs");
    let mut failed: Vec<String> = inv
        .failures
        .iter()
        .map(|f| format!("account {}", f.account))
        .collect();
    let mut results =
        futures::stream::iter(jobs.into_iter().map(|(account, region, cfg)| async move {
            let r = region_instances(&cfg, &account, &region, plan.page_size).await;
            (account, region, r)
        }))
        .buffer_unordered(concurrency);
    let mut done = 0usize;
    while let Some((account, region, r)) = results.next().await {
        done += 1;
        if r.is_err() {
            failed.push(format!("{account}/{region}"));
        }
        bar.inc(1);
        bar.set_message(pairs_message(&failed));
        match r {
            Ok(rows) => {
                tracing::info!(
                    "{done}/{total}: account {account} region {region}: {} instances",
                    rows.len()
                );
                inv.scanned.insert((account, region));
                for row in rows {
                    let id = row["instance_id"].as_str().unwrap_or("").to_string();
                    if !id.is_empty() {
                        inv.instances.entry(id).or_insert(row);
                    }
                }
            }
            Err(e) => inv.failures.push(Failure {
                account,
                region: Some(region),
                error: format!("{e:#}"),
            }),
        }
    }
    bar.finish();
    inv.failures
        .sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
    inv
}

/// The text after the progress bar: what is counted, and which pairs failed so far.
fn pairs_message(failed: &[String]) -> String {
    match failed {
        [] => "account/region pairs".to_string(),
        [..] if failed.len() <= 3 => format!(
            "account/region pairs, {} failed: {}",
            failed.len(),
            failed.join(", ")
        ),
        [.., last] => format!(
            "account/region pairs, {} failed (last {last})",
            failed.len()
        ),
    }
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
    halo.list(
        "/v1/servers",
        &[("state", ALL_STATES.to_string())],
        "servers",
    )
    .try_collect()
    .await
}

/// The `aws_ec2.ec2_instance_id` of a Halo server, if it has one.
fn halo_instance_id(server: &Value) -> Option<&str> {
    lookup(server, "aws_ec2.ec2_instance_id")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Unprotected instances: in a counted state and not known to Halo; sorted by account, region,
/// instance id.
pub fn delta(inv: &Inventory, halo: &[Value], states: &BTreeSet<String>) -> Vec<Value> {
    let protected: HashSet<&str> = halo.iter().filter_map(halo_instance_id).collect();
    let mut rows: Vec<&Value> = inv
        .instances
        .values()
        .filter(|r| states.contains(r["state"].as_str().unwrap_or("")))
        .filter(|r| !protected.contains(r["instance_id"].as_str().unwrap_or("")))
        .collect();
    rows.sort_by(|a, b| {
        let key = |r: &Value| {
            (
                r["aws_account"].as_str().unwrap_or("").to_string(),
                r["aws_region"].as_str().unwrap_or("").to_string(),
                r["instance_id"].as_str().unwrap_or("").to_string(),
            )
        };
        key(a).cmp(&key(b))
    });
    rows.into_iter().cloned().collect()
}

/// Halo servers on EC2 whose instance does not exist (or is terminated) although its account and
/// region were read. A server without account/region only counts when nothing failed.
pub fn reverse(inv: &Inventory, halo: &[Value]) -> Vec<Value> {
    let existing: HashSet<&str> = inv
        .instances
        .values()
        .filter(|r| r["state"] != "terminated")
        .filter_map(|r| r["instance_id"].as_str())
        .collect();
    let mut out: Vec<&Value> = halo
        .iter()
        .filter(|s| halo_instance_id(s).is_some_and(|id| !existing.contains(id)))
        .filter(|s| {
            let acct = lookup(s, "aws_ec2.ec2_account_id").and_then(Value::as_str);
            let region = lookup(s, "aws_ec2.ec2_region").and_then(Value::as_str);
            match (acct, region) {
                (Some(a), Some(r)) => inv.scanned.contains(&(a.to_string(), r.to_string())),
                _ => inv.failures.is_empty(),
            }
        })
        .collect();
    out.sort_by_key(|s| halo_instance_id(s).unwrap_or("").to_string());
    out.into_iter().cloned().collect()
}

async fn run_async(cli: Cli) -> anyhow::Result<Exit> {
    let plan = cli.plan()?;
    let aws_side = async {
        let base = aws::load_profile(None, cli.aws_profile.as_deref()).await;
        let caller = aws::caller_account(&base).await.map_err(|e| {
            e.context("cannot read the caller's AWS identity (check the AWS credentials)")
        })?;
        tracing::info!("caller account {caller}");
        anyhow::Ok(inventory(&base, &caller, &plan, cli.concurrency).await)
    };
    let mut bad = cli.bad_records.tracker();
    let (inv, halo) = tokio::try_join!(aws_side, halo_servers(&cli, &mut bad))?;

    let rows = if cli.reverse {
        reverse(&inv, &halo)
    } else {
        delta(&inv, &halo, &plan.states)
    };
    let columns: &[&str] = if cli.reverse {
        &REVERSE_COLUMNS
    } else {
        &COLUMNS
    };
    let defaults = Defaults::RECORDS
        .piped(Format::Csv)
        .table_columns(columns)
        .csv_columns(columns);
    let mut out = Printer::stdout_with(&cli.output, defaults);
    for r in &rows {
        out.record(r)?;
    }
    out.finish()?;
    tracing::info!(
        "{} instances in {} account/region pairs, {} Halo servers, {} rows",
        inv.instances.len(),
        inv.scanned.len(),
        halo.len(),
        rows.len()
    );
    if !inv.failures.is_empty() {
        for f in &inv.failures {
            octo_core::log::note(false, format_args!("ec2-delta: {f}"));
        }
        octo_core::log::note(
            false,
            format_args!(
                "ec2-delta: {} account(s)/region(s) could not be read; their instances are not in the report",
                inv.failures.len()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_names_the_failed_pairs() {
        assert_eq!(pairs_message(&[]), "account/region pairs");
        let f = |n: usize| -> Vec<String> { (1..=n).map(|i| format!("a/r{i}")).collect() };
        assert_eq!(
            pairs_message(&f(2)),
            "account/region pairs, 2 failed: a/r1, a/r2"
        );
        assert_eq!(
            pairs_message(&f(5)),
            "account/region pairs, 5 failed (last a/r5)"
        );
    }

    #[test]
    fn accounts_split_dedupe_and_validate() {
        assert_eq!(
            parse_accounts(" 111111111111; 222222222222,111111111111;").unwrap(),
            ["111111111111", "222222222222"]
        );
        let e = parse_accounts("12345").unwrap_err();
        assert!(format!("{e}").contains("`12345`"), "{e}");
    }

    #[test]
    fn regions_and_states() {
        assert_eq!(parse_regions("all").unwrap(), None);
        assert_eq!(
            parse_regions("eu-west-1, us-east-1,eu-west-1").unwrap(),
            Some(vec!["eu-west-1".to_string(), "us-east-1".to_string()])
        );
        assert!(parse_regions("EU_WEST").is_err());
        assert!(parse_regions(",").is_err());
        assert_eq!(
            parse_ec2_states("running,pending")
                .unwrap()
                .into_iter()
                .collect::<Vec<_>>(),
            ["pending", "running"]
        );
        assert_eq!(parse_ec2_states("all").unwrap().len(), 6);
        let e = parse_ec2_states("runing").unwrap_err();
        assert!(format!("{e}").contains("`runing`"), "{e}");
    }

    fn row(id: &str, acct: &str, region: &str, state: &str) -> Value {
        json!({"instance_id": id, "aws_account": acct, "aws_region": region, "state": state})
    }

    #[test]
    fn delta_filters_states_and_protected_and_sorts() {
        let mut inv = Inventory::default();
        for r in [
            row("i-3", "222222222222", "eu-west-1", "running"),
            row("i-1", "111111111111", "us-east-1", "running"),
            row("i-2", "111111111111", "eu-west-1", "stopped"),
            row("i-4", "111111111111", "eu-west-1", "running"),
            row("i-5", "111111111111", "eu-west-1", "pending"),
        ] {
            inv.instances
                .insert(r["instance_id"].as_str().unwrap().into(), r);
        }
        let halo = vec![
            json!({"id": "s1", "aws_ec2": {"ec2_instance_id": "i-4"}}),
            json!({"id": "s2"}),
        ];
        let states = parse_ec2_states("running,pending").unwrap();
        let ids: Vec<_> = delta(&inv, &halo, &states)
            .iter()
            .map(|r| r["instance_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, ["i-5", "i-1", "i-3"]);
    }

    #[test]
    fn reverse_only_for_scanned_pairs() {
        let mut inv = Inventory::default();
        inv.instances.insert(
            "i-1".into(),
            row("i-1", "111111111111", "us-east-1", "running"),
        );
        inv.instances.insert(
            "i-2".into(),
            row("i-2", "111111111111", "us-east-1", "terminated"),
        );
        inv.scanned
            .insert(("111111111111".into(), "us-east-1".into()));
        let s = |id: &str, iid: &str, region: &str| json!({"id": id, "aws_ec2": {"ec2_instance_id": iid, "ec2_account_id": "111111111111", "ec2_region": region}});
        let halo = vec![
            s("a", "i-1", "us-east-1"),
            s("b", "i-2", "us-east-1"),
            s("c", "i-9", "us-east-1"),
            s("d", "i-8", "eu-west-1"),
        ];
        let ids: Vec<_> = reverse(&inv, &halo)
            .iter()
            .map(|r| r["id"].clone())
            .collect();
        assert_eq!(ids, [json!("b"), json!("c")]);
    }
}
