//! A tool against every hostile knob of octo-sim (issue 15): the knob is set through the
//! simulator's run-time hook (`PUT /_sim/faults`), and a run must either fail (non-zero exit, a
//! message naming the endpoint, no panic) or give exactly the right output — never exit 0 with
//! less. [`Verdict`] says which a run did; [`Expect`] is what a test table asks for.

use std::process::Output;

use serde_json::{Value, json};

pub use octo_sim::hostile::Knob;

use crate::harness::{code, stderr, stdout};

/// The `created_at` octo-sim's `bad-created-at` puts on every item (written out here, not taken
/// from the simulator, so a change there fails these tests).
pub const BAD_TIME: &str = "2024-13-45T25:61:61Z";

/// Turn on exactly `knobs` (e.g. `["stall"]`, `["missing-wrapper@/v1/firewall_policies"]`;
/// none = off) through `PUT /_sim/faults`, as a test in another language would.
pub fn set_hostile(sim_url: &str, knobs: &[&str]) {
    let (status, _, body) = crate::harness::http::http(
        sim_url,
        "PUT",
        "/_sim/faults",
        &[],
        Some(&json!({ "hostile": knobs })),
    );
    assert_eq!(status, 200, "PUT /_sim/faults {knobs:?}: {body}");
    let v: Value = serde_json::from_str(&body).expect("the faults as JSON");
    assert_eq!(v["hostile"], json!(knobs), "the knobs in force");
}

/// What a run under a knob must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// exit 1 with a message naming the endpoint
    Fail,
    /// exit 0 with exactly the expected output
    Exact,
    /// either of the two (a knob whose effect depends on the data, e.g. `missing-next` on a
    /// read that may fit one page)
    FailOrExact,
}

/// [`Expect`] for the knobs that make every Halo list or object unreadable, and the token knobs
/// that must change nothing; `None` for the knobs whose effect depends on what the tool reads
/// (`missing-next`, `backwards-created-at`, `bad-created-at`): the test table decides those.
pub fn common_expect(knob: Knob) -> Option<Expect> {
    match knob {
        Knob::HugeExpiresIn | Knob::NegativeExpiresIn => Some(Expect::Exact),
        Knob::MissingNext | Knob::BackwardsCreatedAt | Knob::BadCreatedAt => None,
        _ => Some(Expect::Fail),
    }
}

/// Assert that `out` failed the way a reader that cannot prove it read everything must: exit 1,
/// `needle` (the endpoint, e.g. `GET /v1/events`) on stderr, no panic.
pub fn assert_failed(out: &Output, needle: &str, what: &str) {
    let err = stderr(out);
    assert_eq!(code(out), 1, "{what}: wanted exit 1\nstderr: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(
        err.contains(needle),
        "{what}: wanted `{needle}` on stderr:\n{err}"
    );
}

/// Hold `out` to `expect`: [`assert_failed`] naming `needle`, or exit 0 with stdout `exact`
/// (compared after `normalize`, applied to both sides).
pub fn check(
    out: &Output,
    expect: Expect,
    needle: &str,
    exact: &str,
    normalize: &dyn Fn(&str) -> String,
    what: &str,
) {
    match (expect, code(out)) {
        (Expect::Fail, _) | (Expect::FailOrExact, 1..) => assert_failed(out, needle, what),
        (Expect::Exact, _) | (Expect::FailOrExact, _) => {
            assert_eq!(code(out), 0, "{what}: wanted exit 0\n{}", stderr(out));
            assert_eq!(
                normalize(&stdout(out)),
                normalize(exact),
                "{what}: exit 0 but not the exact output"
            );
        }
    }
}

/// JSON text (one document or JSON Lines) with every array and the lines themselves sorted: for
/// answers whose items only changed order.
pub fn sorted(text: &str) -> String {
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| match serde_json::from_str::<Value>(l) {
            Ok(v) => sort_arrays(v).to_string(),
            Err(_) => l.to_string(),
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

fn sort_arrays(v: Value) -> Value {
    match v {
        Value::Array(a) => {
            let mut a: Vec<Value> = a.into_iter().map(sort_arrays).collect();
            a.sort_by_key(|x| x.to_string());
            Value::Array(a)
        }
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, sort_arrays(v))).collect())
        }
        other => other,
    }
}

/// JSON text with every `created_at` field (at any depth) removed: for answers whose only change
/// is `bad-created-at` on a collection that is not read by time.
pub fn without_created_at(text: &str) -> String {
    fn strip(v: &mut Value) {
        match v {
            Value::Array(a) => a.iter_mut().for_each(strip),
            Value::Object(m) => {
                m.remove("created_at");
                m.values_mut().for_each(strip);
            }
            _ => {}
        }
    }
    let doc = |l: &str| match serde_json::from_str::<Value>(l) {
        Ok(mut v) => {
            strip(&mut v);
            v.to_string()
        }
        Err(_) => l.to_string(),
    };
    if let Ok(mut v) = serde_json::from_str::<Value>(text) {
        strip(&mut v);
        return v.to_string();
    }
    text.lines().map(doc).collect::<Vec<_>>().join("\n")
}

/// The identity normalization (compare byte for byte).
pub fn same(text: &str) -> String {
    text.to_string()
}

/// An exporter (event-export, scan-export) against `knob`, one simulator of its own: a folder
/// export of one day and an export to stdout. Under a knob a run must fail naming `endpoint`
/// without writing the day's manifest (and `--check` must say the day is not exported), and the
/// same command with the knob off must then export the day exactly as a clean run did; or the
/// run succeeds with exactly the clean records.
pub fn export_against(bin: &str, kind: &str, endpoint: &str, knob: Knob) {
    use crate::harness::{Keys, TestEnv, ok};
    let env = TestEnv::with_sim(octo_sim::SimConfig {
        now: Some(crate::harness::anchor()),
        events_per_day: 300,
        scans_per_day: 150,
        days: 3,
        ..Default::default()
    });
    let url = env.sim().url();
    let day = "2026-11-19";
    let expect = common_expect(knob).unwrap_or(match knob {
        // hourly slices may each fit one page: then nothing is missing
        Knob::MissingNext => Expect::FailOrExact,
        _ => Expect::Fail,
    });
    let what = format!("{bin} under {knob}");
    let folder = |name: &str| env.path().join(name);
    let export = |to: &std::path::Path| {
        let to = to.to_str().expect("a UTF-8 temp path");
        env.run(
            bin,
            Keys::Read,
            &["--timeout", "1", "--date", day, "--to", to],
            "",
        )
    };
    let records = |dir: &std::path::Path| -> String {
        let part_dir = dir.join(format!("{kind}/dt={day}"));
        let m: Value = serde_json::from_slice(
            &std::fs::read(part_dir.join("_manifest.json")).expect("the day's manifest"),
        )
        .expect("a JSON manifest");
        let mut text = String::new();
        for p in m["parts"].as_array().expect("manifest parts") {
            let bytes = std::fs::read(dir.join(p["key"].as_str().expect("part key")))
                .expect("a part the manifest lists");
            std::io::Read::read_to_string(
                &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
                &mut text,
            )
            .expect("a gzip part");
        }
        assert_eq!(
            m["records"].as_u64(),
            Some(text.lines().count() as u64),
            "{what}: the manifest's record count"
        );
        sorted(&text)
    };

    // clean runs: the folder export and stdout
    set_hostile(&url, &[]);
    ok(&export(&folder("clean")));
    let clean = records(&folder("clean"));
    assert!(!clean.is_empty(), "{what}: the clean export is empty");
    let clean_out = env.run(bin, Keys::Read, &["--date", day, "--to", "-"], "");
    ok(&clean_out);
    assert_eq!(sorted(&stdout(&clean_out)), clean, "{what}: clean stdout");

    set_hostile(&url, &[knob.name()]);
    let out = export(&folder("hostile"));
    let failed = code(&out) != 0;
    check(&out, expect, endpoint, "", &|_| String::new(), &what);
    let manifest = folder("hostile").join(format!("{kind}/dt={day}/_manifest.json"));
    if failed {
        assert!(
            !manifest.exists(),
            "{what}: a failed day wrote its manifest"
        );
        let hostile = folder("hostile");
        let hostile = hostile.to_str().expect("a UTF-8 temp path");
        let check_run = env.run(
            bin,
            Keys::Read,
            &["--date", day, "--to", hostile, "--check"],
            "",
        );
        assert_eq!(code(&check_run), 1, "{what}: --check after a failed day");
    } else {
        assert_eq!(
            records(&folder("hostile")),
            clean,
            "{what}: exit 0, wrong records"
        );
    }
    let to_stdout = env.run(
        bin,
        Keys::Read,
        &["--timeout", "1", "--date", day, "--to", "-"],
        "",
    );
    check(
        &to_stdout,
        expect,
        endpoint,
        &clean,
        &sorted,
        &format!("{what}, to stdout"),
    );

    // the knob off: the next run completes the day (never "already exported")
    set_hostile(&url, &[]);
    let rerun = export(&folder("hostile"));
    ok(&rerun);
    assert_eq!(records(&folder("hostile")), clean, "{what}: the run after");
}

/// One `#[test]` per hostile knob, each calling `$run(knob)`, and a test that the list is
/// every knob octo-sim has (a new knob fails it until it has its test).
#[macro_export]
macro_rules! hostile_knob_tests {
    (@each $run:expr; $($(#[$attr:meta])* $test:ident => $knob:ident,)*) => {
        $($(#[$attr])* #[test] fn $test() { ($run)($crate::hostile::Knob::$knob) })*

        #[test]
        fn every_knob_has_its_test() {
            assert_eq!(
                vec![$($crate::hostile::Knob::$knob),*],
                $crate::hostile::Knob::ALL.to_vec()
            );
        }
    };
    ($run:expr) => {
        $crate::hostile_knob_tests!(@each $run;
            wrong_types => WrongTypes,
            null_list => NullList,
            missing_wrapper => MissingWrapper,
            pagination_not_object => PaginationNotObject,
            missing_next => MissingNext,
            looping_next => LoopingNext,
            backwards_created_at => BackwardsCreatedAt,
            bad_created_at => BadCreatedAt,
            cross_host_redirect => CrossHostRedirect,
            stall => Stall,
            huge_expires_in => HugeExpiresIn,
            negative_expires_in => NegativeExpiresIn,
            html_200 => Html200,
            truncated_body => TruncatedBody,
            bad_items => BadItems,
        );
    };
}
