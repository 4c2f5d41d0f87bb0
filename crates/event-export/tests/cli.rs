//! event-export against octo-sim (a busy day with timestamp bursts) into a folder, moto S3 and
//! stdout: exact, identical under faults, resumable after SIGKILL, idempotent.

use std::io::Read;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use octo_sim::{Faults, Sim, SimConfig, SimHandle};
use octo_testkit::Moto;
use octo_testkit::harness::{Keys, TestEnv, code, exits_with, export_summary, stderr, wait_until};
use serde_json::Value;
use sha2::Digest;

const DAY: &str = "2026-11-19";

/// The hour 06:00-07:00 of DAY, to stdout.
const HOUR_6_TO_STDOUT: [&str; 6] = [
    "--since",
    "2026-11-19T06:00:00Z",
    "--until",
    "2026-11-19T07:00:00Z",
    "--to",
    "-",
];

fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

fn day() -> (DateTime<Utc>, DateTime<Utc>) {
    let s = Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap();
    (s, s + chrono::Duration::days(1))
}

fn sim(events: usize) -> SimHandle {
    Sim::spawn(SimConfig {
        events_per_day: events,
        now: Some(anchor()),
        ..Default::default()
    })
    .unwrap()
}

/// [`sim`] answering every request after `latency_ms`.
fn slow_sim(events: usize, latency_ms: u64) -> SimHandle {
    Sim::spawn(SimConfig {
        events_per_day: events,
        now: Some(anchor()),
        faults: Faults {
            latency_ms,
            ..Faults::default()
        },
        ..Default::default()
    })
    .unwrap()
}

/// Ids of the simulator's events of DAY, in order.
fn truth(sim: &Sim) -> Vec<String> {
    let (s, u) = day();
    sim.events(s, u)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

/// Where event-export runs: Halo at `sim_url`, moto's AWS when given.
fn env(sim_url: &str, moto: Option<&Moto>) -> TestEnv {
    let env = TestEnv::new().halo(sim_url);
    match moto {
        Some(m) => env.envs(m.aws_env()),
        None => env,
    }
}

/// `event-export ARGS` to the end, secrets checked.
fn run(sim_url: &str, moto: Option<&Moto>, args: &[&str]) -> Output {
    env(sim_url, moto).run("event-export", Keys::Read, args, "")
}

/// `event-export --date DAY --to DIR EXTRA…` against `sim_url`, which must exit 0; its output.
fn export_day(sim_url: &str, dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["--date", DAY, "--to", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = run(sim_url, None, &args);
    assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    out
}

fn gunzip(bytes: &[u8]) -> String {
    let mut s = String::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// The day's manifest, held to its contract.
fn manifest(dir: &Path) -> Value {
    let p = dir.join(format!("events/dt={DAY}/_manifest.json"));
    let m = serde_json::from_slice(
        &std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .unwrap();
    octo_testkit::assert_record(&m, "event-export.manifest.v1");
    m
}

/// Every record of the folder export, in part order, after checking each part against the
/// manifest (bytes, sha256, records, first/last created_at).
fn read_export(dir: &Path) -> Vec<Value> {
    let m = manifest(dir);
    let mut out = Vec::new();
    let mut keys = Vec::new();
    for p in m["parts"].as_array().unwrap() {
        let key = p["key"].as_str().unwrap();
        keys.push(key.to_string());
        let bytes = std::fs::read(dir.join(key)).unwrap();
        assert_eq!(bytes.len() as u64, p["bytes"].as_u64().unwrap(), "{key}");
        assert_eq!(
            hex::encode(sha2::Sha256::digest(&bytes)),
            p["sha256"],
            "{key}"
        );
        let recs: Vec<Value> = gunzip(&bytes)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(recs.len() as u64, p["records"].as_u64().unwrap(), "{key}");
        assert_eq!(recs[0]["created_at"], p["first_created_at"]);
        assert_eq!(recs.last().unwrap()["created_at"], p["last_created_at"]);
        out.extend(recs);
    }
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "parts listed in name order");
    assert_eq!(m["records"].as_u64().unwrap(), out.len() as u64);
    // nothing else in the partition: no temp files, no checkpoint, no stray parts
    let mut files: Vec<String> = std::fs::read_dir(dir.join(format!("events/dt={DAY}")))
        .unwrap()
        .map(|e| {
            format!(
                "events/dt={DAY}/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    files.sort();
    keys.push(format!("events/dt={DAY}/_manifest.json"));
    keys.sort();
    assert_eq!(files, keys);
    out
}

/// The `id` of every JSON line of `text`, in order.
fn line_ids(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn ids(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_busy_day_to_a_folder_exactly_then_already_exported_then_forced() {
    let sim = sim(30_000);
    let truth = truth(&sim);
    assert!(truth.len() > 25_000, "{}", truth.len());
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().to_str().unwrap();
    let out = export_day(&sim.url(), dir.path(), &["--part-records", "1000"]);
    assert!(
        stderr(&out).contains(&format!("{} records in", truth.len())),
        "{}",
        stderr(&out)
    );
    let recs = read_export(dir.path());
    assert_eq!(ids(&recs), truth);
    // records exactly as the API serves them
    let (s, u) = day();
    assert_eq!(recs[17], sim.events(s, u)[17]);
    let m = manifest(dir.path());
    assert_eq!(m["window"]["since"], "2026-11-19T00:00:00.000Z");
    assert_eq!(m["window"]["until"], "2026-11-20T00:00:00.000Z");
    assert_eq!(m["record"], "event-export.manifest/v1");
    assert!(m["parts"].as_array().unwrap().len() > 24);

    // again: nothing rewritten
    let before = std::fs::metadata(dir.path().join(m["parts"][0]["key"].as_str().unwrap()))
        .unwrap()
        .modified()
        .unwrap();
    let out = export_day(&sim.url(), dir.path(), &["--part-records", "1000"]);
    assert!(
        stderr(&out).contains("already exported"),
        "{}",
        stderr(&out)
    );
    let after = std::fs::metadata(dir.path().join(m["parts"][0]["key"].as_str().unwrap()))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);

    // --force with bigger parts: same records, fewer parts, the old ones removed
    export_day(&sim.url(), dir.path(), &["--force"]);
    assert_eq!(ids(&read_export(dir.path())), truth);
    assert!(manifest(dir.path())["parts"].as_array().unwrap().len() <= 24);

    // a damaged export is refused, not silently accepted
    let first = manifest(dir.path())["parts"][0]["key"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::remove_file(dir.path().join(&first)).unwrap();
    let out = run(&sim.url(), None, &["--date", DAY, "--to", to]);
    exits_with(&out, 1, "is missing although the manifest lists it");
}

#[test]
fn identical_under_429_5xx_and_3_second_tokens() {
    let clean = sim(8_000);
    let dir_a = tempfile::tempdir().unwrap();
    export_day(&clean.url(), dir_a.path(), &["--part-records", "500"]);
    let faulty = Sim::spawn(SimConfig {
        events_per_day: 8_000,
        now: Some(anchor()),
        token_ttl_secs: 3,
        faults: Faults {
            rate_429: 0.15,
            rate_5xx: 0.05,
            retry_after_secs: 0,
            ..Faults::default()
        },
        ..Default::default()
    })
    .unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    export_day(&faulty.url(), dir_b.path(), &["--part-records", "500"]);
    assert_eq!(manifest(dir_a.path()), manifest(dir_b.path()));
    assert_eq!(ids(&read_export(dir_b.path())), truth(&clean));
    let by = &faulty.state()["requests"]["by_status"];
    assert!(by["429"].as_u64().unwrap_or(0) > 0, "{by}");
}

#[test]
fn killed_at_random_points_then_resumed_gives_the_same_result() {
    let reference = tempfile::tempdir().unwrap();
    let sim = slow_sim(12_000, 15);
    let args = |to: &str| -> Vec<String> {
        [
            "--date",
            DAY,
            "--to",
            to,
            "--part-records",
            "300",
            "--concurrency",
            "2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let out = run(
        &sim.url(),
        None,
        &args(reference.path().to_str().unwrap())
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let want = manifest(reference.path());

    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().to_str().unwrap().to_string();
    let checkpoint = dir.path().join(format!("events/dt={DAY}/_checkpoint.json"));
    let day_dir = dir.path().join(format!("events/dt={DAY}"));
    // finished parts (the manifest, the checkpoint and temp files are not parts)
    let parts = || {
        std::fs::read_dir(&day_dir).map_or(0, |d| {
            d.filter_map(Result::ok)
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.starts_with("part-") && n.ends_with(".jsonl.gz")
                })
                .count()
        })
    };
    let env = env(&sim.url(), None);
    let mut kills = 0;
    // Killed at points of growing progress: right after the first checkpoint, then after more
    // and more parts (of 40); each run resumes where the last one was killed.
    for at_least in [0usize, 4, 12, 24] {
        let mut child = env.spawn(
            "event-export",
            Keys::Read,
            &args(&to).iter().map(String::as_str).collect::<Vec<_>>(),
            Stdio::null(),
        );
        let reached = wait_until(Duration::from_secs(120), || {
            child.try_wait().is_some() || (checkpoint.exists() && parts() >= at_least)
        });
        assert!(reached, "no checkpoint and {at_least} parts within 120 s");
        if child.try_wait().is_none() {
            kills += 1;
        }
        child.stop("KILL");
    }
    assert!(kills >= 2, "the export finished before it could be killed");
    let out = run(
        &sim.url(),
        None,
        &args(&to).iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(manifest(dir.path()), want);
    assert_eq!(ids(&read_export(dir.path())), truth(&sim));
}

#[test]
fn to_moto_s3_the_same_bytes_as_to_a_folder() {
    let moto = Moto::start();
    let sim = sim(6_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s3 = rt.block_on(moto.s3_bucket("halo-archive"));
    let out = run(
        &sim.url(),
        Some(&moto),
        &["--date", DAY, "--to", "s3://halo-archive/prod/halo"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // the default destination comes from EVENTS_S3_BUCKET: already exported there
    let out = env(&sim.url(), Some(&moto))
        .set("EVENTS_S3_BUCKET", "halo-archive/prod/halo")
        .run("event-export", Keys::Read, &["--date", DAY], "");
    exits_with(&out, 0, "already exported");

    let dir = tempfile::tempdir().unwrap();
    export_day(&sim.url(), dir.path(), &[]);
    let local = manifest(dir.path());
    let get = |key: String| {
        rt.block_on(async {
            let o = s3
                .get_object()
                .bucket("halo-archive")
                .key(key)
                .send()
                .await
                .unwrap();
            o.body.collect().await.unwrap().into_bytes().to_vec()
        })
    };
    let remote: Value =
        serde_json::from_slice(&get(format!("prod/halo/events/dt={DAY}/_manifest.json"))).unwrap();
    assert_eq!(remote, local);
    let mut n = 0;
    for p in remote["parts"].as_array().unwrap() {
        let bytes = get(format!("prod/halo/{}", p["key"].as_str().unwrap()));
        assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), p["sha256"]);
        n += gunzip(&bytes).lines().count();
    }
    assert_eq!(n, truth(&sim).len());
    // no checkpoint left behind
    let keys: Vec<String> = rt.block_on(async {
        let o = s3
            .list_objects_v2()
            .bucket("halo-archive")
            .send()
            .await
            .unwrap();
        o.contents()
            .iter()
            .filter_map(|c| c.key().map(str::to_string))
            .collect()
    });
    assert!(keys.iter().all(|k| !k.contains("_checkpoint")), "{keys:?}");
    assert_eq!(keys.len(), remote["parts"].as_array().unwrap().len() + 1);
}

#[test]
fn legacy_layout_stdout_and_bad_flags() {
    let sim = sim(25_000);
    let truth = truth(&sim);
    let dir = tempfile::tempdir().unwrap();
    export_day(&sim.url(), dir.path(), &["--layout", "legacy"]);
    let files = truth.len().div_ceil(10_000);
    let mut got = Vec::new();
    for n in 1..=files {
        let text =
            gunzip(&std::fs::read(dir.path().join(format!("Halo-Events_{DAY}_{n}.gz"))).unwrap());
        let lines = text.lines().count();
        assert_eq!(
            lines,
            if n < files {
                10_000
            } else {
                truth.len() - 10_000 * (files - 1)
            }
        );
        got.extend(line_ids(&text));
    }
    assert_eq!(got, truth);
    assert!(
        !dir.path()
            .join(format!("Halo-Events_{DAY}_{}.gz", files + 1))
            .exists()
    );

    // --to - : plain JSON Lines on stdout, the exact window
    let out = run(&sim.url(), None, &HOUR_6_TO_STDOUT);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (s, _) = day();
    let hour: Vec<String> = sim
        .events(
            s + chrono::Duration::hours(6),
            s + chrono::Duration::hours(7),
        )
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    let got = line_ids(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(got, hour);

    let cases: [(&[&str], &str); 5] = [
        (&["--date", "2026-13-01", "--to", "x"], "2026-13-01"),
        (&["--date", DAY], "no destination"),
        (
            &["--date", DAY, "--to", "s3://B/x"],
            "invalid S3 bucket name `B`",
        ),
        (
            &[
                "--since",
                "2026-11-19T05:00:00Z",
                "--until",
                "2026-11-19T06:00:00Z",
                "--to",
                "x",
                "--layout",
                "legacy",
            ],
            "whole UTC days",
        ),
        (
            &["--date", DAY, "--to", "x", "--concurrency", "0"],
            "--concurrency",
        ),
    ];
    for (args, msg) in cases {
        let out = run(&sim.url(), None, args);
        exits_with(&out, 2, msg);
    }
}

#[test]
fn an_hour_shard_writes_its_own_manifest_and_parts() {
    let sim = sim(5_000);
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().to_str().unwrap();
    for h in [5, 6] {
        let since = format!("{DAY}T{h:02}:00:00Z");
        let until = format!("{DAY}T{:02}:00:00Z", h + 1);
        let out = run(
            &sim.url(),
            None,
            &["--since", &since, "--until", &until, "--to", to],
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let part_dir = dir.path().join(format!("events/dt={DAY}"));
    let mut names: Vec<String> = std::fs::read_dir(&part_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "_manifest_050000-060000.json",
            "_manifest_060000-070000.json",
            "part-05000.jsonl.gz",
            "part-06000.jsonl.gz"
        ]
    );
    let (s, _) = day();
    let m: Value = serde_json::from_slice(
        &std::fs::read(part_dir.join("_manifest_060000-070000.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        m["records"].as_u64().unwrap() as usize,
        sim.events(
            s + chrono::Duration::hours(6),
            s + chrono::Duration::hours(7)
        )
        .len()
    );
}

#[test]
fn an_outage_mid_run_names_the_window_keeps_the_checkpoint_and_the_rerun_completes() {
    let sim = slow_sim(12_000, 10);
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().to_str().unwrap().to_string();
    let checkpoint = dir.path().join(format!("events/dt={DAY}/_checkpoint.json"));
    let args = [
        "--date",
        DAY,
        "--to",
        &to,
        "--part-records",
        "300",
        "--concurrency",
        "2",
    ];
    let env = env(&sim.url(), None);
    let child = env.spawn("event-export", Keys::Read, &args, Stdio::null());
    assert!(
        wait_until(Duration::from_secs(60), || checkpoint.exists()),
        "no checkpoint within 60 s"
    );
    // The API now answers 429 asking for a longer wait than the client accepts: no retry helps.
    sim.set_faults(Faults {
        rate_429: 1.0,
        retry_after_secs: 3600,
        max_in_a_row: 0,
        ..Faults::default()
    });
    let out = child.wait_output(Duration::from_secs(300));
    env.assert_no_secrets(&out);
    let err = exits_with(
        &out,
        1,
        "events 2026-11-19T00:00:00.000Z..2026-11-20T00:00:00.000Z is incomplete: slice(s)",
    );
    assert!(
        err.contains("the checkpoint") && err.contains("is kept"),
        "{err}"
    );
    assert!(checkpoint.exists());
    assert!(
        !dir.path()
            .join(format!("events/dt={DAY}/_manifest.json"))
            .exists()
    );
    sim.set_faults(Faults::default());
    let out = run(&sim.url(), None, &args);
    exits_with(&out, 0, "resuming 2026-11-19");
    assert_eq!(ids(&read_export(dir.path())), truth(&sim));
}

/// The args of the Kubernetes examples, as a pod would run them (YAML parsed, not copied).
fn k8s_args(file: &str) -> Vec<Vec<String>> {
    let path = format!("{}/../../examples/k8s/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(&text) {
        let v: serde_json::Value = serde::Deserialize::deserialize(doc).unwrap();
        let spec = v
            .pointer("/spec/template/spec")
            .or_else(|| v.pointer("/spec/jobTemplate/spec/template/spec"))
            .unwrap_or_else(|| panic!("{path}: no pod spec"));
        let args = spec["containers"][0]["args"].as_array().unwrap();
        out.push(
            args.iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect(),
        );
    }
    out
}

#[test]
fn the_sharded_kubernetes_example_exports_24_hours_and_its_check_passes() {
    let sim = sim(4_000);
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().to_str().unwrap();
    let jobs = k8s_args("event-export-sharded.yaml");
    assert_eq!(jobs.len(), 2);
    let local = |args: &[String]| -> Vec<String> {
        assert_eq!(args[0], "event-export");
        args[1..]
            .iter()
            .map(|a| {
                if a.starts_with("s3://") {
                    to.to_string()
                } else {
                    a.clone()
                }
            })
            .collect()
    };
    let shard = local(&jobs[0]);
    let shard: Vec<&str> = shard.iter().map(String::as_str).collect();
    assert!(shard.contains(&DAY), "the example exports {DAY}: {shard:?}");
    let check = local(&jobs[1]);
    let check: Vec<&str> = check.iter().map(String::as_str).collect();
    // before any shard ran, the check fails and names a missing manifest
    let out = run(&sim.url(), None, &check);
    exits_with(&out, 1, "_manifest_000000-010000.json is missing");
    for i in 0..24 {
        let out = env(&sim.url(), None)
            .set("JOB_COMPLETION_INDEX", i.to_string())
            .run("event-export", Keys::Read, &shard, "");
        assert_eq!(code(&out), 0, "shard {i}: {}", stderr(&out));
    }
    let out = run(&sim.url(), None, &check);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let n = truth(&sim).len();
    assert!(
        stderr(&out).contains(&format!("24 manifests, {n} records, every part present")),
        "{}",
        stderr(&out)
    );
    // every event once, across the 24 shards' parts (names sort in created_at order)
    let part_dir = dir.path().join(format!("events/dt={DAY}"));
    let mut parts: Vec<_> = std::fs::read_dir(&part_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "gz"))
        .collect();
    parts.sort();
    let got: Vec<String> = parts
        .iter()
        .flat_map(|p| line_ids(&gunzip(&std::fs::read(p).unwrap())))
        .collect();
    assert_eq!(got, truth(&sim));
    // a damaged shard fails the check
    std::fs::remove_file(&parts[3]).unwrap();
    let out = run(&sim.url(), None, &check);
    exits_with(&out, 1, "is missing although the manifest lists it");
    // the daily CronJob example runs as written (yesterday's date, here a folder)
    let daily = local(&k8s_args("event-export-cronjob.yaml")[0]);
    assert_eq!(daily[..2], ["--date", "yesterday"]);
}

#[test]
fn to_stdout_takes_the_output_flags() {
    let sim = sim(2000);
    let (s, _) = day();
    let hour = sim.events(
        s + chrono::Duration::hours(6),
        s + chrono::Duration::hours(7),
    );
    assert!(!hour.is_empty());
    let text = |extra: &[&str]| {
        let mut args = HOUR_6_TO_STDOUT.to_vec();
        args.extend_from_slice(extra);
        let out = run(&sim.url(), None, &args);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let ids: Vec<String> = hour
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    let csv = text(&["-o", "csv", "-c", "id,type"]);
    let expected: String = hour
        .iter()
        .map(|e| {
            format!(
                "{},{}\n",
                e["id"].as_str().unwrap(),
                e["type"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(csv, format!("id,type\n{expected}"));
    assert_eq!(
        text(&["-o", "csv", "-c", "id,type", "--no-header"]),
        expected
    );
    let json: Vec<Value> = serde_json::from_str(&text(&["-o", "json", "-c", "id"])).unwrap();
    assert_eq!(
        json,
        ids.iter()
            .map(|id| serde_json::json!({"id": id}))
            .collect::<Vec<_>>()
    );
    let table = text(&["-o", "table"]);
    assert!(table.starts_with("created_at"), "{table}");
    assert!(
        table.lines().next().unwrap().ends_with("message"),
        "{table}"
    );
    assert_eq!(table.lines().count(), hour.len() + 1);
}

/// Every slice of the day refused for the same reason: the reason is said once, the slices are
/// listed (issue 15: not 24 copies of one cause on one multi-kilobyte line).
#[test]
fn slices_failing_for_one_cause_name_it_once_and_list_the_slices() {
    let sim = sim(500);
    sim.set_faults(Faults {
        rate_429: 1.0,
        retry_after_secs: 3600,
        max_in_a_row: 0,
        ..Faults::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &sim.url(),
        None,
        &["--date", DAY, "--to", dir.path().to_str().unwrap()],
    );
    let err = exits_with(
        &out,
        1,
        "events 2026-11-19T00:00:00.000Z..2026-11-20T00:00:00.000Z is incomplete: \
             slice(s) 00-23 not finished: ",
    );
    assert_eq!(err.matches("HTTP 429").count(), 1, "{err}");
    assert!(!err.contains("since="), "{err}");
    assert!(err.contains("the checkpoint"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// The fewest requests that read `[since, until)` of `sim`'s events in hourly slices: per hour
/// one page of 100 per event the API counts for that hour's query (its `until` is inclusive), at
/// least one; plus the token.
fn minimum_requests(sim: &Sim) -> u64 {
    let (s, _) = day();
    1 + (0..24)
        .map(|h| {
            let h0 = s + chrono::Duration::hours(h);
            let h1 = h0 + chrono::Duration::hours(1);
            let counted = sim.events(h0, h1 + chrono::Duration::microseconds(1)).len();
            counted.div_ceil(100).max(1) as u64
        })
        .sum::<u64>()
}

#[test]
fn a_seeded_day_costs_exactly_the_minimum_requests_and_v_says_so() {
    let sim = sim(6_000);
    let truth = truth(&sim);
    let want = minimum_requests(&sim);
    let dir = tempfile::tempdir().unwrap();
    let out = export_day(&sim.url(), dir.path(), &["-v"]);
    let err = stderr(&out);
    let sum = export_summary(&err);
    assert_eq!(
        (sum.records, sum.requests, sum.retries),
        (truth.len() as u64, want, 0),
        "{err}\nwanted {want} requests"
    );
    assert!(err.contains("effective parallelism "), "{err}");
    assert_eq!(sim.state()["requests"]["total"], want);
    assert_eq!(ids(&read_export(dir.path())), truth);
    // without -v: no summary
    let out = export_day(&sim.url(), dir.path(), &[]);
    assert!(!stderr(&out).contains("done: "), "{}", stderr(&out));
}

/// One shared pool of requests: the objects written (parts and manifest, byte for byte) are the
/// same at every concurrency and under 429s, 5xx and 3-second tokens.
#[test]
fn the_same_bytes_at_concurrency_1_4_16_64_and_under_faults() {
    let sim = Sim::spawn(SimConfig {
        events_per_day: 8_000,
        now: Some(anchor()),
        token_ttl_secs: 3,
        ..Default::default()
    })
    .unwrap();
    let export = |concurrency: &str| {
        let dir = tempfile::tempdir().unwrap();
        export_day(
            &sim.url(),
            dir.path(),
            &["--part-records", "700", "--concurrency", concurrency],
        );
        octo_testkit::harness::files(dir.path())
    };
    let want = export("1");
    assert!(want.len() > 24, "{:?}", want.keys());
    assert_eq!(
        ids(&read_export_of(&want)),
        truth(&sim),
        "concurrency 1 is exact"
    );
    for c in ["4", "16", "64"] {
        assert!(export(c) == want, "--concurrency {c} wrote other bytes");
    }
    sim.set_faults(Faults {
        rate_429: 0.15,
        rate_5xx: 0.05,
        retry_after_secs: 0,
        ..Faults::default()
    });
    for c in ["16", "64"] {
        assert!(
            export(c) == want,
            "--concurrency {c} under faults wrote other bytes"
        );
    }
    let by = &sim.state()["requests"]["by_status"];
    assert!(by["429"].as_u64().unwrap_or(0) > 0, "{by}");
}

/// The records of an export held in memory (`files`), in part order.
fn read_export_of(files: &std::collections::BTreeMap<String, Vec<u8>>) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    for (k, v) in files {
        let p = dir.path().join(k);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, v).unwrap();
    }
    read_export(dir.path())
}
