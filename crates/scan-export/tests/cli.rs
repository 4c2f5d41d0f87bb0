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

/// `scan-export --date DAY --to DIR EXTRA…` against Halo at `url`, which must exit 0; its output.
fn export_day(url: &str, dir: &std::path::Path, extra: &[&str]) -> Output {
    let mut args = vec!["--date", DAY, "--to", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = run(url, &args);
    assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", stderr(&out));
    out
}

/// What the API says about each scan of the day: `GET /v1/scans/{id}`, and for FIM scans the
/// findings replaced by every finding's detail.
fn expected(sim: &Sim) -> Vec<Value> {
    let (s, u) = day();
    let listed = sim.scans(s, u);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // the test reads the simulator as a plain client, not through the code under test
        octo_core::http::install_crypto_provider();
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
    export_day(&sim.url(), dir.path(), &["--part-records", "40"]);
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
    export_day(&sim.url(), legacy.path(), &["--layout", "legacy"]);
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
    export_day(&clean.url(), dir_a.path(), &[]);
    let faulty = sim(
        Faults {
            rate_429: 0.15,
            rate_5xx: 0.05,
            ..Faults::default()
        },
        3,
    );
    let dir_b = tempfile::tempdir().unwrap();
    export_day(&faulty.url(), dir_b.path(), &[]);
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
    export_day(&sim.url(), dir.path(), &[]);
    assert_eq!(read_hive(dir.path()).1, expected(&sim));
}

#[test]
fn a_seeded_day_costs_exactly_the_minimum_requests() {
    let sim = sim(Faults::default(), 900);
    // what a plain client needs for the details: the token, one GET per scan and per finding
    let before = sim.state()["requests"]["total"].as_u64().unwrap();
    let want = expected(&sim);
    let details = sim.state()["requests"]["total"].as_u64().unwrap() - before - 1;
    let (s, _) = day();
    let pages: u64 = (0..24)
        .map(|h| {
            let h0 = s + chrono::Duration::hours(h);
            // the API's `until` is inclusive
            let h1 = h0 + chrono::Duration::hours(1) + chrono::Duration::milliseconds(1);
            sim.scans(h0, h1).len().div_ceil(100).max(1) as u64
        })
        .sum();
    sim.reset();
    let dir = tempfile::tempdir().unwrap();
    let out = export_day(&sim.url(), dir.path(), &["-v"]);
    let err = stderr(&out);
    let sum = octo_testkit::harness::export_summary(&err);
    assert_eq!(
        (sum.records, sum.requests, sum.retries),
        (want.len() as u64, 1 + pages + details, 0),
        "{err}"
    );
    assert_eq!(sim.state()["requests"]["total"], sum.requests);
    assert_eq!(read_hive(dir.path()).1, want);
}

/// Every scan's finding details interleaved with the other scans' and slices' requests: the
/// objects written are the same, byte for byte, at every concurrency and under 429s, 5xx and
/// 3-second tokens.
#[test]
fn the_same_bytes_at_concurrency_1_4_16_64_and_under_faults() {
    let sim = sim(Faults::default(), 3);
    let export = |concurrency: &str| {
        let dir = tempfile::tempdir().unwrap();
        export_day(
            &sim.url(),
            dir.path(),
            &["--part-records", "7", "--concurrency", concurrency],
        );
        (
            octo_testkit::harness::files(dir.path()),
            read_hive(dir.path()).1,
        )
    };
    let (want, records) = export("1");
    assert_eq!(records, expected(&sim), "concurrency 1 is exact");
    for c in ["4", "16", "64"] {
        assert!(export(c).0 == want, "--concurrency {c} wrote other bytes");
    }
    sim.set_faults(Faults {
        rate_429: 0.15,
        rate_5xx: 0.05,
        ..Faults::default()
    });
    for c in ["16", "64"] {
        assert!(
            export(c).0 == want,
            "--concurrency {c} under faults wrote other bytes"
        );
    }
    let by = &sim.state()["requests"]["by_status"];
    assert!(by["429"].as_u64().unwrap_or(0) > 0, "{by}");
}

/// `--concurrency auto` (the default) against an API that answers 429 to a request arriving
/// while 8 are being served: the same bytes as a polite fixed run, the limit settles near 8, and
/// the 429s are few — bounded by the algorithm: the start (16) overshoots by at most 16 − 8, and
/// every later halving follows at most `peak − 8` requests beyond what the API serves.
#[test]
fn auto_concurrency_settles_under_an_in_flight_limit_with_few_retries() {
    const N: u64 = 8;
    let sim = sim(Faults::default(), 900);
    sim.set_faults(Faults {
        latency_ms: 20,
        max_in_flight: N as u32,
        ..Faults::default()
    });
    let export = |args: &[&str]| {
        let dir = tempfile::tempdir().unwrap();
        let mut all = vec!["-v"];
        all.extend_from_slice(args);
        let out = export_day(&sim.url(), dir.path(), &all);
        (
            octo_testkit::harness::files(dir.path()),
            stderr(&out),
            sim.state()["in_flight"].clone(),
        )
    };
    // a fixed limit under the API's is never refused
    let (want, _, seen) = export(&["--concurrency", "4"]);
    assert_eq!(seen["refused"], 0, "{seen}");
    sim.reset();
    sim.set_faults(Faults {
        latency_ms: 20,
        max_in_flight: N as u32,
        ..Faults::default()
    });

    let (got, err, seen) = export(&[]);
    assert!(got == want, "auto wrote other bytes");
    let sum = octo_testkit::harness::export_summary(&err);
    let line = err.lines().rfind(|l| l.starts_with("done: ")).unwrap();
    let field = |name: &str| -> u64 {
        let i = line
            .find(name)
            .unwrap_or_else(|| panic!("{name} in {line}"));
        line[i + name.len()..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {line}"))
    };
    let (peak, halved) = (field("peak "), field("halved "));
    // every 429 was the in-flight limit's, and each was retried
    assert_eq!(sum.throttled, seen["refused"].as_u64().unwrap(), "{line}");
    assert_eq!(sum.retries, sum.throttled, "{line}");
    assert!(
        halved >= 1,
        "starting at 16 it must meet the limit of 8: {line}"
    );
    assert!((N / 2..=N + 3).contains(&peak), "settled near {N}: {line}");
    let bound = (16 - N) + (halved - 1) * peak.saturating_sub(N).max(1);
    assert!(
        sum.retries <= bound,
        "{} retries > {bound}: {line}",
        sum.retries
    );
    // halvings are rare: each regrowth from peak/2 back above 8 takes that many answers
    let regrow: u64 = (peak / 2..=N).sum();
    assert!(
        halved <= 1 + sum.requests / regrow,
        "{halved} halvings in {} requests: {line}",
        sum.requests
    );
}
