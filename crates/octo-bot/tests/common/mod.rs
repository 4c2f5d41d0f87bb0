//! octo-bot's test harness: the bot in Socket Mode against octo-sim, messages injected,
//! answers and files read back from the simulator, every wait on a condition.

#![allow(dead_code, unused_imports)]

pub use octo_sim::slack::SLACK_TOKEN;
pub use octo_sim::slack_socket::{APP_TOKEN, CHANNEL_ID, MEMBERS, OUTSIDER};
pub use octo_testkit::harness::http::http;
pub use octo_testkit::harness::{Background, Keys, TestEnv, anchor, jsonl, wait_until};
pub use serde_json::{Value, json};
pub use std::process::{Output, Stdio};
pub use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(60);

pub fn world() -> TestEnv {
    let env = TestEnv::with_sim(octo_sim::SimConfig {
        now: Some(anchor()),
        events_per_day: 200,
        days: 2,
        ..Default::default()
    });
    let url = env.sim().url();
    env.set("SLACK_APP_TOKEN", APP_TOKEN)
        .set("SLACK_API_TOKEN", SLACK_TOKEN)
        .set("SLACK_API_URL", format!("{url}/api"))
        .set("SLACK_CHANNEL", CHANNEL_ID)
}

/// The bot, connected (its `hello` answered by a live connection).
pub fn start(env: &TestEnv, extra: &[&str]) -> Background {
    let mut args = vec!["serve"];
    args.extend_from_slice(extra);
    let bot = env.spawn("octo-bot", Keys::Read, &args, Stdio::null());
    assert!(
        wait_until(WAIT, || !socket(env)["live_connection"].is_null()),
        "the bot never connected: {}",
        socket(env)
    );
    bot
}

pub fn sim_call(env: &TestEnv, method: &str, path: &str, body: &Value) -> Value {
    let (status, head, body) = http(&env.sim().url(), method, path, &[], Some(body));
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {head}\n{body}"
    );
    serde_json::from_str(&body).expect("a JSON answer")
}

pub fn inject(env: &TestEnv, kind: &str, user: &str, text: &str) -> Value {
    sim_call(
        env,
        "POST",
        "/_sim/slack/inject",
        &json!({"kind": kind, "user": user, "text": text}),
    )
}

pub fn socket(env: &TestEnv) -> Value {
    env.state()["slack_socket"].clone()
}

pub fn posts(env: &TestEnv) -> (Vec<Value>, Vec<Value>) {
    let v = sim_call(env, "GET", "/_sim/slack/posts", &Value::Null);
    (
        v["messages"].as_array().cloned().unwrap_or_default(),
        v["files"].as_array().cloned().unwrap_or_default(),
    )
}

/// Wait for `n` replies (messages and files) in all; the lists then.
pub fn replies(env: &TestEnv, n: usize) -> (Vec<Value>, Vec<Value>) {
    let mut last = (Vec::new(), Vec::new());
    let ok = wait_until(WAIT, || {
        last = posts(env);
        last.0.len() + last.1.len() >= n
    });
    assert!(ok, "no reply #{n}: {last:?}");
    last
}

/// Wait for the `n`-th reply, a message, and return it.
pub fn reply(env: &TestEnv, n: usize) -> Value {
    replies(env, n).0.pop().expect("a message")
}

/// Wait for the `n`-th reply, a file, and return it.
pub fn file(env: &TestEnv, n: usize) -> Value {
    replies(env, n).1.pop().expect("a file")
}

/// SIGTERM; the audit records it printed (it must exit 0).
pub fn stop(env: &TestEnv, bot: Background) -> Vec<Value> {
    let out: Output = bot.stop("TERM");
    env.assert_no_secrets(&out);
    assert!(
        out.status.success(),
        "octo-bot after SIGTERM: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    jsonl(&out)
}

pub fn text_of(m: &Value) -> &str {
    m["text"].as_str().unwrap_or("")
}

pub fn halo_query(env: &TestEnv, args: &[&str]) -> String {
    let out = env.run("halo-query", Keys::Read, args, "");
    assert!(out.status.success(), "halo-query {args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}
