//! event-export against octo-sim (a busy day with timestamp bursts) into a folder, moto S3 and
//! stdout: exact, identical under faults, resumable after SIGKILL, idempotent.

mod common;

use common::*;

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
