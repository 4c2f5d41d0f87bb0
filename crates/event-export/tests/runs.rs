//! event-export runs that go wrong or are watched: an outage mid-run, failing slices, the
//! sharded Kubernetes example, stdout with the output flags, the request count, and the same
//! bytes at every concurrency.

mod common;

use common::*;

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
    // auto: the limit's mean over the run lies between where it starts (16) and its ceiling
    let done = err
        .lines()
        .rfind(|l| l.starts_with("done: "))
        .expect("a done line");
    let allowed: f64 = (done.split(" parallelism ").nth(1))
        .and_then(|r| r.split(" of ").nth(1))
        .and_then(|r| r.split(" allowed on average (").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `of N allowed on average (` in {done}"));
    assert!((16.0..=64.0).contains(&allowed), "{allowed}: {done}");
    assert!(done.contains("x the bound)"), "{done}");
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
