//! scan-export against octo-sim: every scan of the day with its details, FIM findings expanded,
//! in created_at order; identical under faults; legacy names (100 scans a file); stdout.

use std::io::Read;
use std::process::Output;

use chrono::{DateTime, TimeZone, Utc};
use octo_sim::{Faults, Sim, SimConfig, SimHandle};
use octo_testkit::harness::{Keys, TestEnv, stderr};
use serde_json::Value;

const DAY: &str = "2026-11-19";

fn day() -> (DateTime<Utc>, DateTime<Utc>) {
    let s = Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap();
    (s, s + chrono::Duration::days(1))
}

fn sim(faults: Faults, token_ttl_secs: u64) -> SimHandle {
    Sim::spawn(SimConfig {
        scans_per_day: 250,
        now: Some(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()),
        faults,
        token_ttl_secs,
        ..Default::default()
    })
    .unwrap()
}

/// `scan-export ARGS` against Halo at `url`, secrets checked.
fn run(url: &str, args: &[&str]) -> Output {
    TestEnv::new()
        .halo(url)
        .run("scan-export", Keys::Read, args, "")
}

/// What the API says about each scan of the day: `GET /v1/scans/{id}`, and for FIM scans the
/// findings replaced by every finding's detail.
fn expected(sim: &Sim) -> Vec<Value> {
    let (s, u) = day();
    let listed = sim.scans(s, u);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // the test reads the simulator as a plain client, not through the code under test
        #[allow(clippy::disallowed_methods)]
        let http = reqwest::Client::new();
        let tok: Value = http
            .post(format!(
                "{}/oauth/access_token?grant_type=client_credentials",
                sim.url()
            ))
            .basic_auth(octo_sim::READ_KEY.0, Some(octo_sim::READ_KEY.1))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tok = tok["access_token"].as_str().unwrap().to_string();
        let get = |path: String| {
            let (http, tok) = (http.clone(), tok.clone());
            let url = format!("{}{path}", sim.url());
            async move {
                http.get(url)
                    .bearer_auth(tok)
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            }
        };
        let mut out = Vec::new();
        for l in listed {
            let id = l["id"].as_str().unwrap().to_string();
            let mut scan = get(format!("/v1/scans/{id}")).await["scan"].take();
            if scan["module"] == "fim" {
                let mut all = Vec::new();
                for f in scan["findings"].as_array().unwrap().clone() {
                    let d = get(format!(
                        "/v1/scans/{id}/findings/{}",
                        f["id"].as_str().unwrap()
                    ))
                    .await;
                    all.extend(d["findings"].as_array().unwrap().iter().cloned());
                }
                scan["findings"] = Value::Array(all);
            }
            out.push(scan);
        }
        out
    })
}

fn gunzip_lines(bytes: &[u8]) -> Vec<Value> {
    let mut s = String::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_string(&mut s)
        .unwrap();
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn read_hive(dir: &std::path::Path) -> (Value, Vec<Value>) {
    let m: Value = serde_json::from_slice(
        &std::fs::read(dir.join(format!("scans/dt={DAY}/_manifest.json"))).unwrap(),
    )
    .unwrap();
    octo_testkit::assert_record(&m, "scan-export.manifest.v1");
    let mut recs = Vec::new();
    for p in m["parts"].as_array().unwrap() {
        recs.extend(gunzip_lines(
            &std::fs::read(dir.join(p["key"].as_str().unwrap())).unwrap(),
        ));
    }
    (m, recs)
}

#[test]
fn a_day_of_scans_with_details_and_fim_findings_exactly() {
    let sim = sim(Faults::default(), 900);
    let want = expected(&sim);
    assert!(want.len() > 200);
    assert!(want.iter().any(|s| {
        s["module"] == "fim"
            && s["findings"]
                .as_array()
                .is_some_and(|f| f.iter().any(|x| x.get("file").is_some()))
    }));
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &sim.url(),
        &[
            "--date",
            DAY,
            "--to",
            dir.path().to_str().unwrap(),
            "--part-records",
            "40",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (m, got) = read_hive(dir.path());
    assert_eq!(got, want);
    assert_eq!(m["records"].as_u64().unwrap() as usize, want.len());

    // stdout: the same records as JSON Lines
    let out = run(&sim.url(), &["--date", DAY, "--to", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, want);

    // legacy: 100 scans per file at the root
    let legacy = tempfile::tempdir().unwrap();
    let out = run(
        &sim.url(),
        &[
            "--date",
            DAY,
            "--to",
            legacy.path().to_str().unwrap(),
            "--layout",
            "legacy",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut all = Vec::new();
    for n in 1..=want.len().div_ceil(100) {
        let recs = gunzip_lines(
            &std::fs::read(legacy.path().join(format!("Halo-Scans_{DAY}_{n}.gz"))).unwrap(),
        );
        assert!(
            recs.len() == 100 || n == want.len().div_ceil(100),
            "file {n}: {}",
            recs.len()
        );
        all.extend(recs);
    }
    assert_eq!(all, want);
}

#[test]
fn identical_under_faults_and_short_tokens() {
    let clean = sim(Faults::default(), 900);
    let dir_a = tempfile::tempdir().unwrap();
    let out = run(
        &clean.url(),
        &["--date", DAY, "--to", dir_a.path().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let faulty = sim(
        Faults {
            rate_429: 0.15,
            rate_5xx: 0.05,
            ..Faults::default()
        },
        3,
    );
    let dir_b = tempfile::tempdir().unwrap();
    let out = run(
        &faulty.url(),
        &["--date", DAY, "--to", dir_b.path().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Same records (the scans' `url` fields name each simulator's own address) and parts.
    let (ma, ra) = read_hive(dir_a.path());
    let (mb, rb) = read_hive(dir_b.path());
    let text = |v: &Vec<Value>| serde_json::to_string(v).unwrap();
    let rb = text(&rb).replace(&faulty.url(), &clean.url());
    assert!(text(&ra) == rb, "records differ under faults");
    let counts = |m: &Value| -> Vec<(Value, Value)> {
        m["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["key"].clone(), p["records"].clone()))
            .collect()
    };
    assert_eq!(counts(&ma), counts(&mb));
    let by = &faulty.state()["requests"]["by_status"];
    assert!(by["429"].as_u64().unwrap_or(0) > 0, "{by}");
}

#[test]
fn an_outage_fails_naming_the_window_and_keeps_the_checkpoint() {
    let sim = sim(Faults::default(), 900);
    let dir = tempfile::tempdir().unwrap();
    // 429s asking for a wait longer than the client accepts: it gives up at once
    sim.set_faults(Faults {
        rate_429: 1.0,
        retry_after_secs: 3600,
        max_in_a_row: 0,
        ..Faults::default()
    });
    let out = run(
        &sim.url(),
        &[
            "--date",
            DAY,
            "--to",
            dir.path().to_str().unwrap(),
            "--concurrency",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("Retry-After longer than we wait"), "{err}");
    assert!(
        !dir.path()
            .join(format!("scans/dt={DAY}/_manifest.json"))
            .exists()
    );
    // healthy again: the export completes
    sim.set_faults(Faults::default());
    let out = run(
        &sim.url(),
        &["--date", DAY, "--to", dir.path().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read_hive(dir.path()).1, expected(&sim));
}
