//! Hostile settings through the real binary: numbers out of range from a flag, the environment or
//! octo.yml are usage errors naming where they came from (never a panic); a URL with a password
//! that does not parse is never echoed; `--config <(...)` (a pipe, readable once) works.

mod common;

use common::*;
use octo_sim::SimConfig;

fn halo_query(url: &str, vars: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    env(url)
        .envs(vars.iter().copied())
        .run("halo-query", Keys::Read, args, "")
}

fn usage_error(out: &std::process::Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(code(out), 2, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(needle), "wanted `{needle}` in:\n{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn numbers_out_of_range_are_refused_where_they_enter() {
    let sim = spawn(SimConfig::default());
    let url = sim.url();
    let out = halo_query(&url, &[], &["--max-rps", "1e-300", "groups"]);
    usage_error(&out, "1e-300 is out of range");
    let out = halo_query(
        &url,
        &[],
        &["--max-in-flight", "2305843009213693952", "groups"],
    );
    usage_error(&out, "must be between 1 and 256");
    let out = halo_query(
        &url,
        &[],
        &["events", "--follow", "--poll-interval", "1e300"],
    );
    usage_error(&out, "1e300 is out of range");
    let out = halo_query(
        &url,
        &[("HALO_CONCURRENCY", "2305843009213693952")],
        &["groups"],
    );
    usage_error(
        &out,
        "env HALO_CONCURRENCY: 2305843009213693952 is out of range",
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("octo.yml");
    std::fs::write(&file, "halo:\n  max_rps: 1.0e-300\n").unwrap();
    let out = halo_query(&url, &[], &["--config", file.to_str().unwrap(), "groups"]);
    usage_error(&out, "halo.max_rps: 1e-300 is out of range");
    let out = halo_query(&url, &[], &["--timeout", "0", "groups"]);
    usage_error(&out, "a timeout must be between 1 and 86400 seconds");
}

#[test]
fn an_unparseable_url_never_shows_its_password() {
    let out = halo_query("http://k:PASSWORD123@[::1", &[], &["groups"]);
    usage_error(&out, "invalid Halo API URL `http://redacted@[::1`");
    assert!(!stderr(&out).contains("PASSWORD123"));
}

#[test]
fn config_from_a_pipe_with_a_bom_is_read_once() {
    let sim = spawn(SimConfig::default());
    let env = env(&sim.url());
    let bin = octo_testkit::bin("halo-query");
    let script = format!(
        "exec '{}' --config <(printf '\\357\\273\\277halo:\\n  max_in_flight: 3\\n  timeout_secs: 7\\n') doctor",
        bin.display()
    );
    let mut cmd = env.program("bash", Keys::Read);
    // bash itself is found on the PATH the environment passes on
    let out = cmd.arg("-c").arg(script).output().unwrap();
    env.assert_no_secrets(&out);
    ok(&out);
    let lines = jsonl(&out);
    let s = &lines[0]["config"]["settings"];
    assert_eq!(s["max_in_flight"]["value"], 3, "{s}");
    assert_eq!(s["timeout_secs"]["value"], 7, "{s}");
}

/// A config value with an escape sequence (an API URL in octo.yml) reaches a terminal escaped in
/// the error that names it.
#[test]
fn a_config_value_with_an_escape_reaches_a_terminal_escaped() {
    let env = TestEnv::new()
        .set("HALO_API_KEY", octo_sim::READ_KEY.0)
        .set("HALO_API_SECRET_KEY", octo_sim::READ_KEY.1);
    let conf = env.file(
        "octo.yml",
        "halo:\n  api_url: \"http://h\\e[2J\\e]0;x\\a/\"\n",
    );
    let run = octo_testkit::harness::on_terminal(env.std_command("halo-query", Keys::Read).args([
        "--config",
        conf.to_str().unwrap(),
        "groups",
    ]));
    let text = run.terminal_text();
    assert_eq!(run.code, 2, "{text}");
    assert!(text.contains("\\x1b[2J"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "raw control characters on the terminal: {text:?}"
    );
}
