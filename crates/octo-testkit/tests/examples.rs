//! The scheduler files in examples/ run as their scheduler runs them, against octo-sim (Halo,
//! Slack) and moto (S3, EC2, STS): the crontab line by line as cron does (its environment, its
//! SHELL, `-c`), the GitHub Actions job's `run:` steps with the shell GitHub picks, and the systemd
//! unit's ExecStart with the environment systemd gives it. The files are parsed, not copied.
//!
//! The host paths the examples name (`/etc/octobox`, `/var/lib/octobox`, `/usr/local/bin`) are
//! mapped into a temp dir ([`Root`]): the env file the examples read is a real file there, in the
//! one format both cron's `.` and systemd's `EnvironmentFile=` accept, and `/usr/local/bin` holds
//! the workspace's binaries. Everything else runs as written.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use chrono::{NaiveDate, Utc};
use octo_testkit::Moto;
use serde_json::{Value, json};

/// Every binary of the workspace an example may call.
const BINARIES: [&str; 9] = [
    "halo-query",
    "ec2-delta",
    "event-export",
    "scan-export",
    "fw-graph",
    "quarantine",
    "ipblock",
    "slack-notify",
    "sec-takedown",
];

/// What must never reach any output.
const SECRETS: [&str; 3] = [
    octo_sim::READ_KEY.1,
    octo_sim::WRITE_KEY.1,
    octo_sim::slack::SLACK_TOKEN,
];

/// moto's own account (the caller's) and the two the examples assume a role in.
const BASE: &str = "123456789012";
const ACCOUNT_A: &str = "111111111111";
const ACCOUNT_B: &str = "222222222222";
const ROLE: &str = "inventory-reader";

const CSV_HEADER: &str = "instance_id,aws_account,aws_region,key_name,launch_time,vpc_id,state,instance_type,private_ip,public_ip,name,tags";

fn example(rel: &str) -> String {
    let path = format!("{}/../../examples/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// The host the examples are installed on, in a temp dir.

/// Host directories an example names, mapped into [`Root`].
const MAPPED: [&str; 4] = [
    "/etc/octobox",
    "/var/lib/octobox",
    "/usr/local/bin",
    "/usr/local/sbin",
];

struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    /// `/etc/octobox`, `/var/lib/octobox` (the state dir the examples write to) and
    /// `/usr/local/bin` with every octobox binary installed (symlinked).
    fn new() -> Root {
        let root = Root {
            dir: tempfile::tempdir().unwrap(),
        };
        for d in MAPPED {
            std::fs::create_dir_all(root.path(d)).unwrap();
        }
        std::fs::create_dir_all(root.path("/home/octobox")).unwrap();
        for b in BINARIES {
            std::os::unix::fs::symlink(octo_testkit::bin(b), root.path("/usr/local/bin").join(b))
                .unwrap();
        }
        root
    }

    /// Where host path `host` (absolute) is in this root.
    fn path(&self, host: &str) -> PathBuf {
        self.dir.path().join(host.trim_start_matches('/'))
    }

    /// `text` with every mapped host path replaced by its place in this root (one pass).
    fn map(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        'scan: while !rest.is_empty() {
            for p in MAPPED {
                if let Some(after) = rest.strip_prefix(p)
                    && !after.starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_')
                {
                    out.push_str(&self.path(p).display().to_string());
                    rest = after;
                    continue 'scan;
                }
            }
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }

    /// Every absolute path in the non-comment lines of an example is mapped here or exists on
    /// this machine, so the example runs with nothing of the host but system binaries.
    fn check_paths(&self, name: &str, text: &str) {
        for line in text.lines() {
            let t = line.trim_start();
            if t.starts_with('#') || t.starts_with(';') {
                continue;
            }
            let words = t.split(|c: char| c.is_whitespace() || "\"'=;|&<>(),".contains(c));
            for tok in words
                .filter(|w| !w.contains("://"))
                .flat_map(|w| w.split(':'))
            {
                if !tok.starts_with('/') {
                    continue;
                }
                let mapped = MAPPED
                    .iter()
                    .any(|p| tok == *p || tok.starts_with(&format!("{p}/")));
                assert!(
                    mapped || Path::new(tok).exists(),
                    "{name} names {tok}, neither mapped nor present here"
                );
            }
        }
    }

    /// Write `/etc/octobox/env`: `KEY=VALUE` lines, the format of systemd's `EnvironmentFile=`
    /// (no `export`, no shell code), which is also what an operator sources in a shell.
    fn write_env_file(&self, vars: &[(String, String)]) {
        let mut text = String::from("# octobox credentials (mode 0600)\n");
        for (k, v) in vars {
            assert!(
                !v.is_empty()
                    && !v
                        .chars()
                        .any(|c| c.is_whitespace() || "'\"$`\\".contains(c)),
                "{k}: a value this helper can write"
            );
            // `;` `&` `#` `|` … would end the assignment in a shell: double quotes, which systemd
            // removes too
            if v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:,@%+=".contains(c))
            {
                text.push_str(&format!("{k}={v}\n"));
            } else {
                text.push_str(&format!("{k}=\"{v}\"\n"));
            }
        }
        let path = self.path("/etc/octobox/env");
        std::fs::write(&path, text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// The env file's Halo and Slack part, pointing at the simulator.
fn halo_env(sim: &octo_sim::Sim) -> Vec<(String, String)> {
    [
        ("HALO_API_URL", sim.url()),
        ("HALO_API_KEY", octo_sim::READ_KEY.0.to_string()),
        ("HALO_API_SECRET_KEY", octo_sim::READ_KEY.1.to_string()),
        ("HALO_API_KEY_RW", octo_sim::WRITE_KEY.0.to_string()),
        ("HALO_API_SECRET_KEY_RW", octo_sim::WRITE_KEY.1.to_string()),
        ("SLACK_API_URL", format!("{}/api", sim.url())),
        ("SLACK_API_TOKEN", octo_sim::slack::SLACK_TOKEN.to_string()),
        ("SLACK_CHANNEL", "sec-alerts".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Run `cmd` (its own process group) with `stdin`, killing the group after `secs`; checks that
/// no secret reached its output.
fn run_with_timeout(mut cmd: Command, stdin: &str, secs: u64) -> Output {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let pid = child.id();
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(secs);
            while !done.load(Ordering::SeqCst) {
                if Instant::now() > deadline {
                    kill_group(pid, "KILL");
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_string();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    done.store(true, Ordering::SeqCst);
    let _ = writer.join();
    watchdog.join().unwrap();
    assert_no_secrets(&out.stdout, &out.stderr);
    out
}

fn kill_group(pgid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
}

fn assert_no_secrets(stdout: &[u8], stderr: &[u8]) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(stdout),
        String::from_utf8_lossy(stderr)
    );
    for s in SECRETS {
        assert!(!all.contains(s), "a secret reached the output:\n{all}");
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Everything a run printed, for assertion messages.
fn shown(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    )
}

// ---------------------------------------------------------------------------------------------
// AWS side (moto): instances in three accounts, the export bucket.

struct Aws<'a> {
    moto: &'a Moto,
    rt: tokio::runtime::Runtime,
}

impl<'a> Aws<'a> {
    fn new(moto: &'a Moto) -> Aws<'a> {
        Aws {
            moto,
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    /// Credentials of `account`: moto's own, or the role the examples assume there.
    async fn cfg(&self, account: &str, region: &str) -> SdkConfig {
        let base = self.moto.sdk_config(region).await;
        if account == BASE {
            return base;
        }
        let c = aws_sdk_sts::Client::new(&base)
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/{ROLE}"))
            .role_session_name("seed")
            .send()
            .await
            .unwrap();
        let c = c.credentials().unwrap();
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(self.moto.url())
            .credentials_provider(aws_sdk_ec2::config::Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_string()),
                None,
                "examples",
            ))
            .load()
            .await
    }

    /// Launch one running instance; its id.
    fn launch(&self, account: &str, region: &str) -> String {
        self.rt.block_on(async {
            let ec2 = aws_sdk_ec2::Client::new(&self.cfg(account, region).await);
            let ami = ec2.describe_images().send().await.unwrap().images()[0]
                .image_id()
                .unwrap()
                .to_string();
            let out = ec2
                .run_instances()
                .image_id(ami)
                .min_count(1)
                .max_count(1)
                .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
                .send()
                .await
                .unwrap();
            out.instances()[0].instance_id().unwrap().to_string()
        })
    }

    fn create_bucket(&self, bucket: &str) {
        self.rt.block_on(async {
            self.moto
                .s3_client()
                .await
                .create_bucket()
                .bucket(bucket)
                .send()
                .await
                .unwrap();
        });
    }

    /// (key, etag) of every object under `prefix`, by key.
    fn objects(&self, bucket: &str, prefix: &str) -> Vec<(String, String)> {
        self.rt.block_on(async {
            let out = self
                .moto
                .s3_client()
                .await
                .list_objects_v2()
                .bucket(bucket)
                .prefix(prefix)
                .send()
                .await
                .unwrap();
            let mut v: Vec<(String, String)> = out
                .contents()
                .iter()
                .map(|o| {
                    (
                        o.key().unwrap().to_string(),
                        o.e_tag().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            v.sort();
            v
        })
    }

    fn get(&self, bucket: &str, key: &str) -> Vec<u8> {
        self.rt.block_on(async {
            let out = self
                .moto
                .s3_client()
                .await
                .get_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .unwrap_or_else(|e| panic!("s3://{bucket}/{key}: {e}"));
            out.body.collect().await.unwrap().into_bytes().to_vec()
        })
    }
}

/// A Halo server protecting `instance`.
fn protect(sim: &octo_sim::Sim, instance: &str, account: &str, region: &str) {
    sim.add_server(json!({
        "hostname": format!("host-{instance}"),
        "state": "active",
        "platform": "ubuntu",
        "aws_ec2": {"ec2_instance_id": instance, "ec2_account_id": account, "ec2_region": region}
    }));
}

/// The CSV ec2-delta writes for these (account, region, instance) rows: the header, then the
/// rows sorted by account, region, id; only the first three columns are compared.
fn csv_keys(csv: &str) -> (String, Vec<(String, String, String)>) {
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let rows = lines
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, ',').collect();
            (f[1].to_string(), f[2].to_string(), f[0].to_string())
        })
        .collect();
    (header, rows)
}

fn sorted(mut v: Vec<(String, String, String)>) -> Vec<(String, String, String)> {
    v.sort();
    v
}

fn row(account: &str, region: &str, id: &str) -> (String, String, String) {
    (account.to_string(), region.to_string(), id.to_string())
}

// ---------------------------------------------------------------------------------------------
// cron

#[derive(Debug)]
struct CronJob {
    schedule: Vec<String>,
    command: String,
    stdin: String,
}

#[derive(Debug)]
struct Crontab {
    env: Vec<(String, String)>,
    jobs: Vec<CronJob>,
}

/// `NAME = VALUE` (spaces around `=` allowed, one pair of quotes stripped), as cron reads them.
fn cron_env_line(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once('=')?;
    let name = name.trim();
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return None;
    }
    let v = value.trim();
    let v = ['"', '\'']
        .iter()
        .find_map(|q| v.strip_prefix(*q).and_then(|s| s.strip_suffix(*q)))
        .unwrap_or(v);
    Some((name.to_string(), v.to_string()))
}

/// One cron time field: comma-separated `*`, `N`, `N-M` (numbers in `min..=max`, or the month /
/// weekday names), each optionally `/STEP`.
fn valid_cron_field(field: &str, min: u32, max: u32, names: &[&str]) -> bool {
    let value = |v: &str| -> Option<u32> {
        match v.parse::<u32>() {
            Ok(n) => (min..=max).contains(&n).then_some(n),
            Err(_) => names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(v))
                .map(|i| i as u32 + min),
        }
    };
    !field.is_empty()
        && field.split(',').all(|item| {
            let (range, step) = match item.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (item, None),
            };
            let step_ok =
                step.is_none_or(|s| s.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n)));
            let range_ok = match range.split_once('-') {
                _ if range == "*" => true,
                Some((a, b)) => matches!((value(a), value(b)), (Some(a), Some(b)) if a <= b),
                None => value(range).is_some(),
            };
            step_ok && range_ok
        })
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// Read a crontab as cron does: comments and blank lines skipped, `NAME=VALUE` lines into the
/// environment, the five time fields (checked) or an `@` keyword, then the command; an unescaped
/// `%` ends the command and the rest (each `%` a newline) is its stdin.
fn parse_crontab(text: &str) -> Crontab {
    let mut tab = Crontab {
        env: Vec::new(),
        jobs: Vec::new(),
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(kv) = cron_env_line(line) {
            tab.env.push(kv);
            continue;
        }
        let n = i + 1;
        let mut rest = line;
        let mut schedule = Vec::new();
        let fields = if line.starts_with('@') { 1 } else { 5 };
        for _ in 0..fields {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            schedule.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
        if fields == 1 {
            assert!(
                [
                    "@reboot",
                    "@yearly",
                    "@annually",
                    "@monthly",
                    "@weekly",
                    "@daily",
                    "@midnight",
                    "@hourly"
                ]
                .contains(&schedule[0].as_str()),
                "line {n}: unknown {}",
                schedule[0]
            );
        } else {
            let limits: [(u32, u32, &[&str]); 5] = [
                (0, 59, &[]),
                (0, 23, &[]),
                (1, 31, &[]),
                (1, 12, &MONTHS),
                (0, 7, &WEEKDAYS),
            ];
            for (f, (min, max, names)) in schedule.iter().zip(limits) {
                assert!(
                    valid_cron_field(f, min, max, names),
                    "line {n}: `{f}` is not a cron time field ({min}-{max}): {raw}"
                );
            }
        }
        assert!(!rest.is_empty(), "line {n}: no command: {raw}");
        let (mut command, mut stdin, mut in_stdin) = (String::new(), String::new(), false);
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            let target = if in_stdin { &mut stdin } else { &mut command };
            match c {
                '\\' if chars.peek() == Some(&'%') => target.push(chars.next().unwrap()),
                '%' if !in_stdin => in_stdin = true,
                '%' => stdin.push('\n'),
                c => target.push(c),
            }
        }
        tab.jobs.push(CronJob {
            schedule,
            command,
            stdin,
        });
    }
    tab
}

/// Run a job as cron runs it: a fresh environment (cron's own SHELL=/bin/sh, PATH=/usr/bin:/bin,
/// HOME, LOGNAME, then the crontab's assignments), `$SHELL -c COMMAND` in HOME.
fn cron_run(root: &Root, tab: &Crontab, job: &CronJob) -> Output {
    let home = root.path("/home/octobox");
    let mut env: BTreeMap<String, String> = [
        ("SHELL", "/bin/sh".to_string()),
        ("PATH", "/usr/bin:/bin".to_string()),
        ("HOME", home.display().to_string()),
        ("LOGNAME", "octobox".to_string()),
        ("USER", "octobox".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    env.extend(tab.env.iter().cloned());
    let mut cmd = Command::new(&env["SHELL"]);
    cmd.arg("-c")
        .arg(&job.command)
        .env_clear()
        .envs(&env)
        .current_dir(&home);
    run_with_timeout(cmd, &job.stdin, 300)
}

/// The export of `kind` (`events`/`scans`) for `day` under s3://BUCKET/PREFIX: checks every part
/// against the manifest (size, records) and that nothing else is in the partition; returns the
/// manifest, the record ids in order and the objects (key, etag).
fn s3_export(
    aws: &Aws,
    bucket: &str,
    prefix: &str,
    kind: &str,
    day: NaiveDate,
) -> (Value, Vec<String>, Vec<(String, String)>) {
    let dir = format!("{prefix}/{kind}/dt={day}/");
    let objects = aws.objects(bucket, &dir);
    let manifest: Value =
        serde_json::from_slice(&aws.get(bucket, &format!("{dir}_manifest.json"))).unwrap();
    let mut ids = Vec::new();
    let mut keys = vec![format!("{dir}_manifest.json")];
    for p in manifest["parts"].as_array().unwrap() {
        let key = format!("{prefix}/{}", p["key"].as_str().unwrap());
        let bytes = aws.get(bucket, &key);
        assert_eq!(bytes.len() as u64, p["bytes"].as_u64().unwrap(), "{key}");
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_string(&mut s)
            .unwrap();
        let n = s.lines().count();
        assert_eq!(n as u64, p["records"].as_u64().unwrap(), "{key}");
        ids.extend(s.lines().map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        }));
        keys.push(key);
    }
    keys.sort();
    let listed: Vec<String> = objects.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(
        listed, keys,
        "the partition holds the parts and the manifest, nothing else"
    );
    assert_eq!(manifest["records"].as_u64().unwrap(), ids.len() as u64);
    (manifest, ids, objects)
}

fn ids_of(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_crontab_runs_as_cron_runs_it() {
    let raw = example("cron/octobox.crontab");
    let root = Root::new();
    root.check_paths("octobox.crontab", &raw);
    let tab = parse_crontab(&root.map(&raw));
    let env: BTreeMap<&str, &str> = tab
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(env.get("SHELL"), Some(&"/bin/bash"), "{env:?}");
    assert_eq!(
        env.get("CRON_TZ"),
        Some(&"UTC"),
        "the comment says times are UTC"
    );
    let job = |tool: &str| -> &CronJob {
        let found: Vec<&CronJob> = tab
            .jobs
            .iter()
            .filter(|j| j.command.contains(&format!("&& {tool} ")))
            .collect();
        assert_eq!(found.len(), 1, "one {tool} line: {:?}", tab.jobs);
        found[0]
    };
    assert_eq!(tab.jobs.len(), 3, "{:?}", tab.jobs);
    let (events, scans, delta) = (job("event-export"), job("scan-export"), job("ec2-delta"));
    assert_eq!(events.schedule, ["30", "0", "*", "*", "*"]);
    assert_eq!(scans.schedule, ["45", "0", "*", "*", "*"]);
    assert_eq!(delta.schedule, ["0", "6", "*", "*", "*"]);

    // The world: yesterday's events and scans in Halo; instances in three accounts, some of them
    // protected by a Halo agent; the archive bucket.
    let sim = octo_sim::Sim::spawn(octo_sim::SimConfig {
        events_per_day: 400,
        scans_per_day: 30,
        days: 3,
        ..Default::default()
    })
    .unwrap();
    let moto = Moto::start();
    let aws = Aws::new(&moto);
    aws.create_bucket("halo-archive");
    let base_protected = aws.launch(BASE, "us-east-1");
    let base_open = aws.launch(BASE, "us-east-1");
    let a_open = aws.launch(ACCOUNT_A, "eu-west-1");
    let b_protected = aws.launch(ACCOUNT_B, "us-west-2");
    protect(&sim, &base_protected, BASE, "us-east-1");
    protect(&sim, &b_protected, ACCOUNT_B, "us-west-2");
    let mut vars = halo_env(&sim);
    vars.extend(moto.aws_env());
    vars.push((
        "AWS_ACCOUNT_NUMBERS".into(),
        format!("{ACCOUNT_A};{ACCOUNT_B}"),
    ));
    vars.push(("AWS_ROLE_NAME".into(), ROLE.into()));
    root.write_env_file(&vars);

    let day = Utc::now().date_naive().pred_opt().unwrap();
    let (since, until) = (
        day.and_hms_opt(0, 0, 0).unwrap().and_utc(),
        (day + chrono::Days::new(1))
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc(),
    );
    let truth_events = ids_of(&sim.events(since, until));
    let truth_scans = ids_of(&sim.scans(since, until));
    assert!(truth_events.len() >= 400 && truth_scans.len() >= 30);

    // 00:30 and 00:45: yesterday to S3, silently (cron mails any output)
    for (job, kind, truth) in [
        (events, "events", &truth_events),
        (scans, "scans", &truth_scans),
    ] {
        let out = cron_run(&root, &tab, job);
        assert!(
            out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
            "{kind}: {}",
            shown(&out)
        );
        let (manifest, ids, objects) = s3_export(&aws, "halo-archive", "prod", kind, day);
        assert_eq!(&ids, truth, "{kind}: every record of {day}, once, in order");
        assert_eq!(manifest["records"].as_u64(), Some(truth.len() as u64));
        // the next night's retry (or a double run) changes nothing and mails nothing
        let again = cron_run(&root, &tab, job);
        assert!(
            again.status.success() && again.stdout.is_empty() && again.stderr.is_empty(),
            "{kind} again: {}",
            shown(&again)
        );
        assert_eq!(
            aws.objects("halo-archive", &format!("prod/{kind}/dt={day}/")),
            objects,
            "{kind}: a re-run rewrote objects"
        );
        // … and without -q it says why
        assert!(job.command.ends_with(" -q"), "{}", job.command);
        let loud = CronJob {
            schedule: job.schedule.clone(),
            command: job.command.trim_end_matches(" -q").to_string(),
            stdin: String::new(),
        };
        let out = cron_run(&root, &tab, &loud);
        let parts = manifest["parts"].as_array().unwrap().len();
        let said = format!(
            "already exported ({} records in {parts} parts)",
            truth.len()
        );
        assert!(
            out.status.success() && text(&out.stderr).contains(&said),
            "{kind}: {}",
            shown(&out)
        );
    }

    // 06:00: the unprotected instances into the CSV, and on cron's output (a mail) only when
    // there are some
    let csv_path = root.path("/var/lib/octobox/unprotected.csv");
    let out = cron_run(&root, &tab, delta);
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let (header, rows) = csv_keys(&csv);
    assert_eq!(header, CSV_HEADER);
    assert_eq!(
        rows,
        sorted(vec![
            row(BASE, "us-east-1", &base_open),
            row(ACCOUNT_A, "eu-west-1", &a_open)
        ]),
        "{}",
        shown(&out)
    );
    assert_eq!(text(&out.stdout), csv, "the mail is the CSV");
    assert!(out.stderr.is_empty(), "{}", shown(&out));
    assert!(out.status.success(), "{}", shown(&out));
    // every instance protected: an empty report, no output, no mail
    protect(&sim, &base_open, BASE, "us-east-1");
    protect(&sim, &a_open, ACCOUNT_A, "eu-west-1");
    let out = cron_run(&root, &tab, delta);
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        shown(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&csv_path).unwrap(),
        format!("{CSV_HEADER}\n")
    );
}

#[test]
fn cron_fields_are_checked() {
    for ok in [
        "*", "*/15", "0", "59", "1-5", "mon-fri", "0,30", "1-10/2", "7",
    ] {
        assert!(
            valid_cron_field(ok, 0, 59, &[]) || valid_cron_field(ok, 0, 7, &WEEKDAYS),
            "{ok}"
        );
    }
    for bad in ["60", "", "*/0", "5-1", "x", "1,,2", "mon"] {
        assert!(!valid_cron_field(bad, 0, 59, &[]), "{bad}");
    }
    let tab =
        parse_crontab("# c\nA = 'b c'\n0 6 * * 1-5 printf 'x\\%y'%line1%line2\n@daily true\n");
    assert_eq!(tab.env, [("A".to_string(), "b c".to_string())]);
    assert_eq!(tab.jobs[0].command, "printf 'x%y'");
    assert_eq!(tab.jobs[0].stdin, "line1\nline2");
    assert_eq!(tab.jobs[1].schedule, ["@daily"]);
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions

/// `${{ secrets.NAME }}` replaced; any other expression is not supported here.
fn actions_expr(v: &str, secrets: &BTreeMap<&str, &str>) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").expect("unclosed ${{") + i;
        let expr = rest[i + 3..end].trim();
        let name = expr
            .strip_prefix("secrets.")
            .unwrap_or_else(|| panic!("unsupported expression `{expr}`"));
        out.push_str(
            secrets
                .get(name)
                .unwrap_or_else(|| panic!("no secret {name}")),
        );
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The command GitHub runs a `run:` step with on a Linux runner: the step's `shell:`, else the
/// job's or workflow's `defaults.run.shell`, else `bash -e {0}`; `{0}` is the script file.
fn actions_shell(wf: &Value, job: &Value, step: &Value) -> Vec<String> {
    let shell = step["shell"]
        .as_str()
        .or_else(|| job.pointer("/defaults/run/shell").and_then(Value::as_str))
        .or_else(|| wf.pointer("/defaults/run/shell").and_then(Value::as_str));
    let template = match shell {
        None => "bash -e {0}",
        Some("bash") => "bash --noprofile --norc -eo pipefail {0}",
        Some("sh") => "sh -e {0}",
        Some(custom) if custom.contains("{0}") => custom,
        Some(other) => panic!("shell `{other}` is not emulated here"),
    };
    template.split_whitespace().map(str::to_string).collect()
}

#[test]
fn the_ci_gate_fails_the_job_on_unprotected_instances_and_passes_without() {
    let wf: Value = serde_yaml_ng::from_str(&example("ci/ec2-delta-gate.yml")).unwrap();
    let job = &wf["jobs"]["ec2-delta"];
    assert_eq!(job["runs-on"], "ubuntu-latest");
    let steps = job["steps"].as_array().unwrap();
    let aws_step = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials@"))
        })
        .expect("an AWS credentials step");
    let region = aws_step["with"]["aws-region"].as_str().unwrap();
    let (install, gates): (Vec<&Value>, Vec<&Value>) = steps
        .iter()
        .filter(|s| s["run"].is_string())
        .partition(|s| s["run"].as_str().unwrap().starts_with("cargo install"));
    assert_eq!(install.len(), 1);
    let installed = install[0]["run"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .last();
    assert_eq!(installed, Some("ec2-delta"));
    assert_eq!(gates.len(), 1, "one gate step");
    let gate = gates[0];
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .expect("the CSV is uploaded");
    assert_eq!(
        upload["if"], "always()",
        "uploaded also when the gate fails"
    );
    let artifact = upload["with"]["path"].as_str().unwrap();

    // What the step sees: its env (secrets filled in), what configure-aws-credentials exports,
    // ec2-delta where `cargo install` puts it; moto and octo-sim stand in for AWS and Halo.
    let sim = octo_sim::Sim::spawn(octo_sim::SimConfig {
        events_per_day: 10,
        scans_per_day: 1,
        days: 1,
        ..Default::default()
    })
    .unwrap();
    let moto = Moto::start();
    let aws = Aws::new(&moto);
    let secrets: BTreeMap<&str, &str> = [
        ("HALO_API_KEY", octo_sim::READ_KEY.0),
        ("HALO_API_SECRET_KEY", octo_sim::READ_KEY.1),
    ]
    .into();
    let step_env: BTreeMap<String, String> = gate["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), actions_expr(v.as_str().unwrap(), &secrets)))
        .collect();
    assert_eq!(
        step_env.get("AWS_ACCOUNT_NUMBERS").map(String::as_str),
        Some(format!("{ACCOUNT_A};{ACCOUNT_B}").as_str())
    );
    assert_eq!(
        step_env.get("AWS_ROLE_NAME").map(String::as_str),
        Some(ROLE)
    );
    let runner = tempfile::tempdir().unwrap();
    let cargo_bin = runner.path().join("home/.cargo/bin");
    let workspace = runner.path().join("work");
    std::fs::create_dir_all(&cargo_bin).unwrap();
    std::fs::create_dir_all(&workspace).unwrap();
    std::os::unix::fs::symlink(octo_testkit::bin("ec2-delta"), cargo_bin.join("ec2-delta"))
        .unwrap();
    let script = runner.path().join("step.sh");
    std::fs::write(&script, gate["run"].as_str().unwrap()).unwrap();
    let shell = actions_shell(&wf, job, gate);
    let run_gate = || -> Output {
        let _ = std::fs::remove_file(workspace.join(artifact));
        let argv: Vec<String> = shell
            .iter()
            .map(|a| a.replace("{0}", script.to_str().unwrap()))
            .collect();
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..])
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", cargo_bin.display()))
            .env("HOME", runner.path().join("home"))
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", &workspace)
            .envs(moto.aws_env())
            .env("AWS_REGION", region)
            .env("AWS_DEFAULT_REGION", region)
            .env("HALO_API_URL", sim.url())
            .envs(&step_env)
            .current_dir(&workspace);
        run_with_timeout(cmd, "", 300)
    };

    let a1 = aws.launch(ACCOUNT_A, "us-east-1");
    let a2 = aws.launch(ACCOUNT_A, "us-east-1");
    let b1 = aws.launch(ACCOUNT_B, "eu-west-1");
    let own = aws.launch(BASE, "us-west-2");
    protect(&sim, &a1, ACCOUNT_A, "us-east-1");
    protect(&sim, &own, BASE, "us-west-2");

    // unprotected instances: the step fails, the CSV holds exactly them
    let out = run_gate();
    let csv = std::fs::read_to_string(workspace.join(artifact))
        .unwrap_or_else(|e| panic!("{artifact}: {e}\n{}", shown(&out)));
    let (header, rows) = csv_keys(&csv);
    assert_eq!(header, CSV_HEADER);
    assert_eq!(
        rows,
        sorted(vec![
            row(ACCOUNT_A, "us-east-1", &a2),
            row(ACCOUNT_B, "eu-west-1", &b1)
        ])
    );
    assert_eq!(text(&out.stdout), csv, "tee shows the CSV in the log");
    assert_eq!(
        out.status.code(),
        Some(5),
        "the gate must fail the job when instances are unprotected (exit 5 of ec2-delta): {}",
        shown(&out)
    );

    // every instance protected: the step passes
    protect(&sim, &a2, ACCOUNT_A, "us-east-1");
    protect(&sim, &b1, ACCOUNT_B, "eu-west-1");
    let out = run_gate();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    assert_eq!(
        std::fs::read_to_string(workspace.join(artifact)).unwrap(),
        format!("{CSV_HEADER}\n")
    );
}

// ---------------------------------------------------------------------------------------------
// systemd

/// `(section, key, value)` of every directive, in file order.
fn parse_unit(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut pending = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if pending.is_empty() && (line.is_empty() || line.starts_with('#') || line.starts_with(';'))
        {
            continue;
        }
        if let Some(cont) = line.strip_suffix('\\') {
            pending.push_str(cont);
            pending.push(' ');
            continue;
        }
        let line = format!("{pending}{line}");
        pending.clear();
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.to_string();
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("line {}: not KEY=VALUE: {raw}", i + 1));
        assert!(!section.is_empty(), "line {}: outside a section", i + 1);
        out.push((section.clone(), k.trim().to_string(), v.trim().to_string()));
    }
    out
}

/// systemd's word splitting of ExecStart= and Environment=: whitespace separates, single and
/// double quotes group, a backslash escapes the next character.
fn systemd_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unbalanced quotes: {s}");
    if in_word {
        words.push(cur);
    }
    words
}

/// systemd's `EnvironmentFile=` format: `KEY=VALUE` lines, `#`/`;` comments, blank lines; one
/// pair of quotes around a value removed. Lines that are not an assignment are ignored by
/// systemd (with a log line), so one here fails the test.
fn systemd_env_file(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        let (k, v) = t.split_once('=').expect("KEY=VALUE");
        let k = k.trim();
        assert!(
            k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "systemd ignores `{t}`"
        );
        let v = v.trim();
        let v = ['"', '\'']
            .iter()
            .find_map(|q| v.strip_prefix(*q).and_then(|s| s.strip_suffix(*q)))
            .unwrap_or(v);
        out.push((k.to_string(), v.to_string()));
    }
    out
}

/// Directives of the sections a service unit has, and the values systemd accepts for the
/// enumerated ones (None = free-form).
fn check_directives(unit: &[(String, String, String)]) {
    const BOOL: &[&str] = &["yes", "no", "true", "false", "on", "off", "1", "0"];
    let allowed: &[(&str, &str, Option<&[&str]>)] = &[
        ("Unit", "Description", None),
        ("Unit", "Documentation", None),
        ("Unit", "After", None),
        ("Unit", "Before", None),
        ("Unit", "Wants", None),
        ("Unit", "Requires", None),
        ("Unit", "StartLimitIntervalSec", None),
        ("Unit", "StartLimitBurst", None),
        (
            "Service",
            "Type",
            Some(&["simple", "exec", "forking", "oneshot", "notify"]),
        ),
        ("Service", "ExecStart", None),
        ("Service", "ExecStartPre", None),
        ("Service", "Environment", None),
        ("Service", "EnvironmentFile", None),
        (
            "Service",
            "Restart",
            Some(&[
                "no",
                "on-success",
                "on-failure",
                "on-abnormal",
                "on-watchdog",
                "on-abort",
                "always",
            ]),
        ),
        ("Service", "RestartSec", None),
        ("Service", "User", None),
        ("Service", "Group", None),
        ("Service", "DynamicUser", Some(BOOL)),
        ("Service", "StateDirectory", None),
        ("Service", "RuntimeDirectory", None),
        ("Service", "WorkingDirectory", None),
        ("Service", "NoNewPrivileges", Some(BOOL)),
        ("Service", "PrivateTmp", Some(BOOL)),
        (
            "Service",
            "ProtectSystem",
            Some(&["yes", "no", "true", "false", "full", "strict"]),
        ),
        (
            "Service",
            "ProtectHome",
            Some(&["yes", "no", "read-only", "tmpfs"]),
        ),
        (
            "Service",
            "KillMode",
            Some(&["control-group", "mixed", "process", "none"]),
        ),
        ("Service", "StandardOutput", None),
        ("Service", "StandardError", None),
        ("Service", "SyslogIdentifier", None),
        ("Install", "WantedBy", None),
        ("Install", "RequiredBy", None),
    ];
    for (section, key, value) in unit {
        let rule = allowed
            .iter()
            .find(|(s, k, _)| s == section && k == key)
            .unwrap_or_else(|| panic!("[{section}] {key}= is not a directive systemd knows here"));
        if let Some(values) = rule.2 {
            assert!(values.contains(&value.as_str()), "{key}={value}");
        }
        if key == "RestartSec" {
            let digits = value.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            assert!(
                digits.parse::<f64>().is_ok()
                    && ["", "s", "sec", "ms", "min"].contains(&&value[digits.len()..]),
                "RestartSec={value}"
            );
        }
        if matches!(key.as_str(), "After" | "Wants" | "Requires" | "WantedBy") {
            for u in value.split_whitespace() {
                assert!(
                    [".target", ".service", ".socket", ".timer"]
                        .iter()
                        .any(|s| u.ends_with(s)),
                    "{key}={u}: not a unit name"
                );
            }
        }
    }
    for required in ["ExecStart", "Description", "WantedBy"] {
        assert_eq!(
            unit.iter().filter(|(_, k, _)| k == required).count(),
            1,
            "one {required}="
        );
    }
}

/// The argv and environment systemd starts the service with: its default PATH, the dynamic
/// user's HOME=/ and STATE_DIRECTORY, `Environment=`, then `EnvironmentFile=` (which overrides
/// `Environment=`); `$NAME` words and `${NAME}` in ExecStart expanded from that environment.
fn service_exec(
    root: &Root,
    unit: &[(String, String, String)],
) -> (Vec<String>, Vec<(String, String)>) {
    let get = |key: &str| -> Vec<&str> {
        unit.iter()
            .filter(|(s, k, _)| s == "Service" && k == key)
            .map(|(_, _, v)| v.as_str())
            .collect()
    };
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    env.insert(
        "PATH".into(),
        root.map("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
    );
    env.insert("HOME".into(), "/".into());
    env.insert("LANG".into(), "C.UTF-8".into());
    for d in get("StateDirectory") {
        env.insert(
            "STATE_DIRECTORY".into(),
            root.path(&format!("/var/lib/{d}")).display().to_string(),
        );
    }
    for v in get("Environment") {
        for w in systemd_words(v) {
            let (k, val) = w
                .split_once('=')
                .expect("Environment= takes NAME=VALUE words");
            env.insert(k.into(), val.into());
        }
    }
    for f in get("EnvironmentFile") {
        let (optional, f) = match f.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, f),
        };
        if optional && !Path::new(f).exists() {
            continue;
        }
        env.extend(systemd_env_file(Path::new(f)));
    }
    let exec = get("ExecStart");
    let exec = exec[0];
    assert!(
        exec.starts_with('/'),
        "ExecStart= starts with an absolute path: {exec}"
    );
    let mut argv = Vec::new();
    for w in systemd_words(exec) {
        if let Some(name) = w.strip_prefix('$').filter(|n| !n.starts_with('{')) {
            argv.extend(
                env.get(name)
                    .map(|v| v.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                    .unwrap_or_default(),
            );
            continue;
        }
        let mut w = w;
        while let Some(i) = w.find("${") {
            let end = w[i..].find('}').expect("closing }") + i;
            let val = env.get(&w[i + 2..end]).cloned().unwrap_or_default();
            w.replace_range(i..=end, &val);
        }
        argv.push(w);
    }
    (argv, env.into_iter().collect())
}

#[test]
fn the_systemd_unit_quarantines_and_reports_a_critical_event() {
    let raw = example("systemd/octobox-critical-monitor.service");
    let root = Root::new();
    root.check_paths("octobox-critical-monitor.service", &raw);
    let unit = parse_unit(&root.map(&raw));
    check_directives(&unit);

    // The host: the env file and octo.yml where the unit expects them; Halo and Slack simulated
    // on the real clock (the monitor starts after the newest existing event).
    let sim = octo_sim::Sim::spawn(octo_sim::SimConfig {
        events_per_day: 300,
        scans_per_day: 1,
        days: 1,
        ..Default::default()
    })
    .unwrap();
    root.write_env_file(&halo_env(&sim));
    std::fs::write(
        root.path("/etc/octobox/octo.yml"),
        example("config/octo.yml"),
    )
    .unwrap();
    let (argv, env) = service_exec(&root, &unit);
    let servers = |state: &Value| -> BTreeMap<String, String> {
        state["servers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["id"].as_str().unwrap().to_string(),
                    s["group_path"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let before = sim.state();
    let groups_before = servers(&before);
    let in_group = |path: &str| -> Vec<String> {
        before["servers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["group_path"] == path && s["state"] == "active")
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (db, web) = (in_group("Root/Prod/DB"), in_group("Root/Prod/Web"));
    assert!(db.len() >= 2 && !web.is_empty(), "{db:?} {web:?}");
    let quarantine_group = before["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group_path"] == "Root/Quarantine")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Start it as systemd does: its own process group (the unit's cgroup), cwd /, stdin from
    // /dev/null, stdout and stderr to the journal (here: collected).
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .env_clear()
        .envs(env)
        .current_dir("/")
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pgid = child.id();
    let collect = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let journal_out = collect(Box::new(child.stdout.take().unwrap()));
    let journal_err = collect(Box::new(child.stderr.take().unwrap()));
    // Stop it as systemd does (SIGTERM to the whole cgroup); what it printed (the journal).
    let stopped = Arc::new(AtomicBool::new(false));
    let stop = |child: &mut std::process::Child| -> (Vec<u8>, Vec<u8>, String) {
        kill_group(pgid, "TERM");
        let _ = child.wait();
        stopped.store(true, Ordering::SeqCst);
        let (out, err) = (journal_out.join().unwrap(), journal_err.join().unwrap());
        let journal = format!("--- stdout\n{}--- stderr\n{}", text(&out), text(&err));
        (out, err, journal)
    };
    // a monitor that hangs must fail the test, not the run
    {
        let stopped = stopped.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(150);
            while !stopped.load(Ordering::SeqCst) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            if !stopped.load(Ordering::SeqCst) {
                kill_group(pgid, "KILL");
            }
        });
    }
    let wait_for = |secs: u64, cond: &dyn Fn(&Value) -> bool| -> bool {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if cond(&sim.state()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    };
    let brief = |st: &Value| {
        format!(
            "tokens {} requests {} mutations {} slack {}",
            st["tokens_issued"], st["requests"], st["mutations"], st["slack"]
        )
    };
    // Started: both Halo clients logged in and halo-query took its starting point (the newest
    // event; an event added before that would count as old). At start quarantine makes two
    // requests (token, groups) and halo-query three (token, newest event, first poll), so five
    // requests mean halo-query's second is done (as long as quarantine makes at most three).
    if !wait_for(60, &|st| {
        st["tokens_issued"].as_u64() >= Some(2) && st["requests"]["total"].as_u64() >= Some(5)
    }) {
        let (.., journal) = stop(&mut child);
        panic!(
            "not started within 60 s: {}\n{journal}",
            brief(&sim.state())
        );
    }

    // a critical event the quarantine rule matches, one from another group, one not critical
    let hit = sim.add_event(json!({"type": "lids_rule_failed", "critical": true,
        "server_id": db[0], "message": "sshd: Failed password for root from 203.0.113.77"}));
    sim.add_event(json!({"type": "lids_rule_failed", "critical": true,
        "server_id": web[0], "message": "not a DB server"}));
    sim.add_event(json!({"type": "daemon_compromised", "critical": false,
        "server_id": db[1], "message": "not critical"}));

    let moved = |st: &Value| servers(st)[&db[0]] == "Root/Quarantine";
    let applied_posted = |st: &Value| {
        st["slack"]["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m.to_string().contains("applied")))
    };
    if !wait_for(60, &|st| moved(st) && applied_posted(st)) {
        let (.., journal) = stop(&mut child);
        panic!(
            "no move and Slack report within 60 s: {}\n{journal}",
            brief(&sim.state())
        );
    }
    // a moment for anything that should not happen, then stop it (it follows forever)
    std::thread::sleep(Duration::from_secs(6));
    let exited = child.try_wait().unwrap();
    let (out, err, journal) = stop(&mut child);
    assert!(
        exited.is_none(),
        "the monitor exited by itself: {exited:?}\n{journal}"
    );
    assert_no_secrets(&out, &err);

    let after = sim.state();
    // exactly one change in Halo: the DB server into the quarantine group
    let mutations = after["mutations"].as_array().unwrap();
    assert_eq!(mutations.len(), 1, "{mutations:?}\n{journal}");
    assert_eq!(mutations[0]["method"], "PUT", "{mutations:?}");
    assert_eq!(
        mutations[0]["path"],
        format!("/v1/servers/{}", db[0]),
        "{mutations:?}"
    );
    let mut expected = groups_before.clone();
    expected.insert(db[0].clone(), "Root/Quarantine".into());
    assert_eq!(servers(&after), expected);
    assert_eq!(
        after["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group_path"] == "Root/Quarantine")
            .unwrap()["id"],
        quarantine_group.as_str()
    );
    // Slack heard of it (planned, then applied) in the configured channel, and of nothing else
    let messages = after["slack"]["messages"].as_array().unwrap();
    let texts: Vec<String> = messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect();
    let all = texts.join("\n");
    assert!(
        messages.iter().all(|m| m["channel"] == "sec-alerts"),
        "{messages:?}"
    );
    assert!(
        all.contains(hit["id"].as_str().unwrap()) || all.contains(db[0].as_str()),
        "{all}"
    );
    assert_eq!(all.matches("planned").count(), 1, "{all}");
    assert_eq!(all.matches("applied").count(), 1, "{all}");
    assert!(
        !all.contains("not a DB server") && !all.contains("not critical"),
        "{all}"
    );
    // the journal: slack-notify's records of what it sent, one per action record
    let sent: Vec<Value> = text(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(sent.len(), 2, "{journal}");
    assert!(sent.iter().all(|r| r["status"] == "sent"), "{journal}");
}
