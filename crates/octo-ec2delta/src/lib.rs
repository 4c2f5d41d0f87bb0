//! The engine of ec2-delta, shared with octo-bot's `ec2-delta` command: every EC2 instance in
//! one or many AWS accounts (all regions) that no Halo agent protects.
//!
//! The AWS side is the caller's own account plus, with `--accounts` and `--role-name`, each listed
//! account through one `sts:AssumeRole` (credentials shared by all of that account's regions and
//! renewed before they expire). Regions come from `ec2:DescribeRegions` per account (`--regions
//! all`) or the list given. Accounts × regions fan out concurrently. The Halo side is every server
//! in every state, paged completely (or what the caller gives, e.g. a JSONL file); instances are
//! matched on `aws_ec2.ec2_instance_id`.
//!
//! An account or region that cannot be read is in [`Report::failures`]: its instances are never
//! reported as unprotected (nor, with `--reverse`, its Halo servers as orphaned).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use aws_config::SdkConfig;
use aws_sdk_ec2::types::Instance;
use futures::{StreamExt, TryStreamExt};
use octo_aws as aws;
use octo_core::env;
use octo_core::exit::usage;
use octo_core::halo::HaloClient;
use octo_core::halo::api::ALL_STATES;
use octo_core::records::lookup;
use serde_json::{Value, json};

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

/// What to inventory and compare: the flags ec2-delta and octo-bot's `ec2-delta` command share
/// (the same parsing, so a chat request is the CLI's).
#[derive(Debug, Clone, clap::Args)]
pub struct DeltaArgs {
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
    /// List Halo servers on EC2 whose instance no longer exists in any scanned account/region
    #[arg(long)]
    pub reverse: bool,
    /// Account × region inventories in flight at once (1-256)
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = octo_core::validate::in_flight)]
    pub concurrency: usize,
    /// DescribeInstances page size (5-1000)
    #[arg(long = "page-size", default_value_t = 1000, value_name = "N",
          value_parser = clap::value_parser!(i32).range(5..=1000))]
    pub page_size: i32,
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

impl DeltaArgs {
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
    // owned account ids: a closure over `&String` would make the future not Send for every
    // lifetime (octo-bot runs this on a task of its own)
    let opened: Vec<_> = futures::stream::iter(accounts.into_iter().map(|a| async move {
        let opened = open_account(base, caller, &a, plan).await;
        (a, opened)
    }))
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

/// What one ec2-delta run found: the rows (instances no Halo server protects, or with
/// `--reverse` Halo servers whose instance is gone), their columns, and what could not be read.
#[derive(Debug)]
pub struct Report {
    pub rows: Vec<Value>,
    pub columns: &'static [&'static str],
    pub instances: usize,
    pub scanned: usize,
    pub halo_servers: usize,
    /// Accounts or regions that could not be read: their instances are not in `rows`.
    pub failures: Vec<Failure>,
}

/// The Halo servers of every state, from the API (as ec2-delta reads them without
/// `--halo-servers`).
pub async fn live_halo_servers(halo: &HaloClient) -> anyhow::Result<Vec<Value>> {
    halo.list(
        "/v1/servers",
        &[("state", ALL_STATES.to_string())],
        "servers",
    )
    .try_collect()
    .await
}

/// Inventory EC2 as `args` say (the caller's account and `--accounts`) while `halo` gives the
/// Halo servers, and compare: the engine of ec2-delta and of octo-bot's `ec2-delta`.
pub async fn report(
    args: &DeltaArgs,
    halo: impl std::future::Future<Output = anyhow::Result<Vec<Value>>>,
) -> anyhow::Result<Report> {
    let plan = args.plan()?;
    let aws_side = async {
        let base = aws::load_profile(None, args.aws_profile.as_deref()).await;
        let caller = aws::caller_account(&base).await.map_err(|e| {
            e.context("cannot read the caller's AWS identity (check the AWS credentials)")
        })?;
        tracing::info!("caller account {caller}");
        anyhow::Ok(inventory(&base, &caller, &plan, args.concurrency).await)
    };
    let (inv, halo) = tokio::try_join!(aws_side, halo)?;
    let (rows, columns): (Vec<Value>, &'static [&'static str]) = if args.reverse {
        (reverse(&inv, &halo), &REVERSE_COLUMNS)
    } else {
        (delta(&inv, &halo, &plan.states), &COLUMNS)
    };
    Ok(Report {
        rows,
        columns,
        instances: inv.instances.len(),
        scanned: inv.scanned.len(),
        halo_servers: halo.len(),
        failures: inv.failures,
    })
}

#[cfg(test)]
mod tests;
