//! event-export against every hostile knob of octo-sim (issue 15 item 2): a folder export and an
//! export to stdout fail naming the endpoint without writing the day's manifest (and the run
//! after the knob is turned off exports the day exactly), or give exactly the records of a clean
//! run. The runner is [`octo_testkit::hostile::export_against`]; one simulator per knob.

use octo_testkit::hostile::{Knob, export_against};

octo_testkit::hostile_knob_tests!(|knob: Knob| export_against(
    "event-export",
    "events",
    "GET /v1/events",
    knob
));

/// `--concurrency` goes through the same range check as `--max-in-flight` (issue 15: huge
/// numbers panicked where they were used): out of range is a usage error naming the range.
#[test]
fn concurrency_out_of_range_is_a_usage_error() {
    use octo_testkit::harness::{Keys, TestEnv, exits_with, stderr};
    let env = TestEnv::new().halo("http://127.0.0.1:9");
    for bad in ["0", "2305843009213693952", "-1", "x"] {
        let arg = format!("--concurrency={bad}");
        let out = env.run("event-export", Keys::Read, &[&arg, "--to", "-"], "");
        let err = exits_with(&out, 2, "--concurrency");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = env.run(
        "event-export",
        Keys::Read,
        &["--concurrency", "2305843009213693952", "--to", "-"],
        "",
    );
    assert!(
        stderr(&out).contains("2305843009213693952 is out of range: must be between 1 and 256"),
        "{}",
        stderr(&out)
    );
}
