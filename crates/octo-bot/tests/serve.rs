//! octo-bot end to end: the real binary in Socket Mode against octo-sim (Slack and Halo), users'
//! messages injected through `/_sim/slack/inject`, answers read from the simulator's state, the
//! audit records from the bot's stdout. Every wait is on a condition.

use std::process::{Output, Stdio};
use std::time::Duration;

use octo_sim::slack::SLACK_TOKEN;
use octo_sim::slack_socket::{APP_TOKEN, CHANNEL_ID, MEMBERS, OUTSIDER};
use octo_testkit::harness::http::http;
use octo_testkit::harness::{Background, Keys, TestEnv, anchor, jsonl, wait_until};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

fn world() -> TestEnv {
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
fn start(env: &TestEnv, extra: &[&str]) -> Background {
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

fn sim_call(env: &TestEnv, method: &str, path: &str, body: &Value) -> Value {
    let (status, head, body) = http(&env.sim().url(), method, path, &[], Some(body));
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {head}\n{body}"
    );
    serde_json::from_str(&body).expect("a JSON answer")
}

fn inject(env: &TestEnv, kind: &str, user: &str, text: &str) -> Value {
    sim_call(
        env,
        "POST",
        "/_sim/slack/inject",
        &json!({"kind": kind, "user": user, "text": text}),
    )
}

fn socket(env: &TestEnv) -> Value {
    env.state()["slack_socket"].clone()
}

fn posts(env: &TestEnv) -> (Vec<Value>, Vec<Value>) {
    let v = sim_call(env, "GET", "/_sim/slack/posts", &Value::Null);
    (
        v["messages"].as_array().cloned().unwrap_or_default(),
        v["files"].as_array().cloned().unwrap_or_default(),
    )
}

/// Wait for `n` replies (messages and files) in all; the lists then.
fn replies(env: &TestEnv, n: usize) -> (Vec<Value>, Vec<Value>) {
    let mut last = (Vec::new(), Vec::new());
    let ok = wait_until(WAIT, || {
        last = posts(env);
        last.0.len() + last.1.len() >= n
    });
    assert!(ok, "no reply #{n}: {last:?}");
    last
}

/// Wait for the `n`-th reply, a message, and return it.
fn reply(env: &TestEnv, n: usize) -> Value {
    replies(env, n).0.pop().expect("a message")
}

/// Wait for the `n`-th reply, a file, and return it.
fn file(env: &TestEnv, n: usize) -> Value {
    replies(env, n).1.pop().expect("a file")
}

/// SIGTERM; the audit records it printed (it must exit 0).
fn stop(env: &TestEnv, bot: Background) -> Vec<Value> {
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

fn text_of(m: &Value) -> &str {
    m["text"].as_str().unwrap_or("")
}

fn halo_query(env: &TestEnv, args: &[&str]) -> String {
    let out = env.run("halo-query", Keys::Read, args, "");
    assert!(out.status.success(), "halo-query {args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn every_command_is_answered_as_the_cli_answers_it() {
    let env = world();
    let bot = start(&env, &[]);
    let user = MEMBERS[0];

    // groups: a table in a message, one row per group of the CLI
    inject(&env, "mention", user, "groups");
    let m = reply(&env, 1);
    assert_eq!(m["channel"], CHANNEL_ID);
    let groups: Vec<Value> = halo_query(&env, &["groups", "-o", "jsonl"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        text_of(&m).starts_with(&format!("`groups`: {} groups\n```\n", groups.len())),
        "{m}"
    );
    for g in &groups {
        assert!(
            text_of(&m).contains(g["group_path"].as_str().unwrap()),
            "{g} missing"
        );
    }

    // servers GROUP by DM: the same servers as halo-query servers --group
    inject(&env, "dm", user, "servers Root/Prod/Web --state all");
    let m = reply(&env, 2);
    assert_eq!(m["channel"], format!("D{}", &user[1..]));
    let servers = halo_query(
        &env,
        &[
            "servers",
            "--group",
            "Root/Prod/Web",
            "--state",
            "all",
            "-o",
            "jsonl",
        ],
    );
    let n = servers.lines().count();
    assert!(n > 0);
    assert!(
        text_of(&m).starts_with(&format!("`servers Root/Prod/Web --state all`: {n} servers")),
        "{m}"
    );
    for l in servers.lines() {
        let s: Value = serde_json::from_str(l).unwrap();
        assert!(text_of(&m).contains(s["id"].as_str().unwrap()));
    }

    // server ID by /halo: field/value rows of the server
    let first: Value = serde_json::from_str(servers.lines().next().unwrap()).unwrap();
    let id = first["id"].as_str().unwrap();
    inject(&env, "slash", user, &format!("server {id}"));
    let m = reply(&env, 3);
    assert!(
        text_of(&m)
            .lines()
            .any(|l| l.starts_with("id ") && l.trim_end().ends_with(id)),
        "{m}"
    );
    assert!(
        text_of(&m).contains(first["hostname"].as_str().unwrap()),
        "{m}"
    );

    // group NAME
    inject(&env, "mention", user, "group Root/Prod/Web");
    let m = reply(&env, 4);
    assert!(text_of(&m).contains("firewall linux"), "{m}");
    assert!(text_of(&m).contains("Root/Prod/Web"), "{m}");

    // events: more than a message holds → a JSON Lines file, byte for byte the CLI's records
    let day = anchor().format("%Y-%m-%d").to_string();
    inject(
        &env,
        "mention",
        user,
        &format!("events --critical --date {day}"),
    );
    let f = file(&env, 5);
    assert_eq!(f["filename"], "events.jsonl", "{f}");
    assert_eq!(f["channel_id"], CHANNEL_ID);
    let (_, _, bytes) = http(
        &env.sim().url(),
        "GET",
        &format!("/_sim/slack/files/{}", f["id"].as_str().unwrap()),
        &[],
        None,
    );
    let cli = halo_query(
        &env,
        &["events", "--critical", "--date", &day, "-o", "jsonl"],
    );
    // more than a message holds (rows or characters): the test needs a long answer
    assert!(
        cli.lines().count() > 25 || cli.len() > 3500,
        "the test needs a long answer"
    );
    assert_eq!(bytes, cli);

    // help and status
    inject(&env, "dm", user, "help");
    let m = reply(&env, 6);
    for c in [
        "help",
        "groups",
        "group",
        "servers",
        "server",
        "events",
        "firewall",
        "ec2-delta",
        "status",
    ] {
        assert!(text_of(&m).contains(&format!("  {c} ")), "{c}: {m}");
    }
    inject(&env, "slash", user, "status");
    let m = reply(&env, 7);
    assert!(
        text_of(&m).contains(" answered, 0 refused, 0 failed"),
        "{m}"
    );
    assert!(
        text_of(&m).contains("bot token: set, redacted (env SLACK_API_TOKEN)")
            && text_of(&m).contains("channel: CSIMSECOPS (env SLACK_CHANNEL)"),
        "{m}"
    );
    assert!(!text_of(&m).contains(SLACK_TOKEN) && !text_of(&m).contains(APP_TOKEN));

    // a usage error answers with clap's message
    inject(&env, "mention", user, "reboot everything");
    let m = reply(&env, 8);
    assert!(text_of(&m).contains("unrecognized subcommand"), "{m}");

    let audit = stop(&env, bot);
    let got: Vec<(String, String, String, String)> = audit
        .iter()
        .map(|r| {
            octo_testkit::assert_record(r, "octo-bot.request.v1");
            assert_eq!(r["user"], user);
            (
                r["via"].as_str().unwrap().to_string(),
                r["command"].as_str().unwrap().to_string(),
                r["result"].as_str().unwrap().to_string(),
                r["reply"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let want = [
        ("mention", "groups", "answered", "message"),
        ("dm", "servers", "answered", "message"),
        ("slash", "server", "answered", "message"),
        ("mention", "group", "answered", "message"),
        ("mention", "events", "answered", "file"),
        ("dm", "help", "answered", "message"),
        ("slash", "status", "answered", "message"),
        ("mention", "", "usage", "message"),
    ];
    let mut want: Vec<(String, String, String, String)> = want
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    // each audit record is written once its reply is sent: sorted, not in arrival order
    let mut got = got;
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let by = |c: &str| audit.iter().find(|r| r["command"] == c).unwrap().clone();
    assert_eq!(by("groups")["records"], groups.len());
    assert_eq!(by("servers")["text"], "servers Root/Prod/Web --state all");
}

#[test]
fn only_members_of_the_channel_are_answered() {
    let env = world();
    // a channel of 450 members (three pages of conversations.members), the asker last
    let mut members: Vec<String> = (0..449).map(|i| format!("UFILL{i:05}")).collect();
    members.push("UMEMBER999".into());
    sim_call(
        &env,
        "PUT",
        "/_sim/slack/members",
        &json!({"channel": CHANNEL_ID, "members": members}),
    );
    let bot = start(&env, &[]);
    inject(&env, "dm", OUTSIDER, "groups");
    let m = reply(&env, 1);
    assert_eq!(
        text_of(&m),
        format!("Sorry <@{OUTSIDER}>, I answer only members of <#{CHANNEL_ID}>.")
    );
    inject(&env, "mention", "UMEMBER999", "help");
    let m = reply(&env, 2);
    assert!(text_of(&m).contains("Commands"), "{m}");
    let audit = stop(&env, bot);
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[0]["result"], "refused");
    assert_eq!(audit[0]["user"], OUTSIDER);
    assert_eq!(audit[1]["result"], "answered");
}

#[test]
fn an_unacknowledged_envelope_is_delivered_again_and_answered_once() {
    redelivered_once("mention");
}

/// A slash command delivered again comes with a new `envelope_id` and no `event_id`: its
/// `trigger_id` is what tells it is the same request (found by a CI run of the reconnect test,
/// which answered a slash command twice).
#[test]
fn an_unacknowledged_slash_command_is_delivered_again_and_answered_once() {
    redelivered_once("slash");
}

fn redelivered_once(kind: &str) {
    let env = world();
    let bot = start(&env, &[]);
    sim_call(&env, "PUT", "/_sim/slack/ignore-acks", &json!({"count": 1}));
    let sent = inject(&env, kind, MEMBERS[1], "groups");
    reply(&env, 1);
    let s = socket(&env);
    assert_eq!(s["pending"].as_array().unwrap().len(), 1, "{s}");
    assert_eq!(s["acks"][0]["lost"], true, "{s}");
    // the next connection gets it again, as a retry
    sim_call(
        &env,
        "POST",
        "/_sim/slack/disconnect",
        &json!({"reason": "refresh_requested"}),
    );
    let ok = wait_until(WAIT, || {
        let s = socket(&env);
        s["pending"].as_array().is_some_and(Vec::is_empty)
            && s["acks"].as_array().is_some_and(|a| a.len() == 2)
    });
    assert!(ok, "the retry was never acknowledged: {}", socket(&env));
    let s = socket(&env);
    assert_eq!(s["acks"][1]["retry_attempt"], 1, "{s}");
    assert_ne!(
        s["acks"][1]["envelope_id"], sent["envelope"]["envelope_id"],
        "a retry is a new envelope"
    );
    let audit = stop(&env, bot);
    let (messages, files) = posts(&env);
    assert_eq!(messages.len() + files.len(), 1, "{messages:?}");
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["retry_attempt"], 0);
}

#[test]
fn a_reconnect_mid_conversation_loses_no_command_and_answers_none_twice() {
    let env = world();
    let bot = start(&env, &[]);
    let user = MEMBERS[2];
    inject(&env, "mention", user, "groups");
    reply(&env, 1);
    // Slack asks for a refresh; two messages arrive while the bot reconnects
    sim_call(
        &env,
        "POST",
        "/_sim/slack/disconnect",
        &json!({"reason": "refresh_requested"}),
    );
    inject(&env, "dm", user, "help");
    inject(&env, "slash", user, "group Root/Prod/Web");
    reply(&env, 3);
    // the socket drops with a message in flight, another comes while it is down
    inject(&env, "mention", user, "servers Root/Prod/DB");
    sim_call(
        &env,
        "POST",
        "/_sim/slack/disconnect",
        &json!({"reason": "drop"}),
    );
    inject(&env, "dm", user, "status");
    reply(&env, 5);
    let audit = stop(&env, bot);
    let (messages, files) = posts(&env);
    assert_eq!(messages.len() + files.len(), 5, "{messages:#?}");
    let mut texts: Vec<&str> = audit.iter().map(|r| r["text"].as_str().unwrap()).collect();
    texts.sort_unstable();
    assert_eq!(
        texts,
        [
            "group Root/Prod/Web",
            "groups",
            "help",
            "servers Root/Prod/DB",
            "status"
        ]
    );
    assert!(audit.iter().all(|r| r["result"] == "answered"), "{audit:?}");
    let s = socket(&env);
    assert!(s["connections"].as_array().unwrap().len() >= 3, "{s}");
    assert!(s["pending"].as_array().unwrap().is_empty(), "{s}");
}

#[test]
fn ask_prints_the_records_halo_query_prints() {
    let env = world();
    let bot = env.run(
        "octo-bot",
        Keys::Read,
        &["ask", "servers", "Root/Prod", "-o", "jsonl"],
        "",
    );
    assert!(bot.status.success(), "{bot:?}");
    let cli = halo_query(&env, &["servers", "--group", "Root/Prod", "-o", "jsonl"]);
    assert!(!cli.is_empty());
    assert_eq!(String::from_utf8(bot.stdout).unwrap(), cli);
    let cve = env.run(
        "octo-bot",
        Keys::Read,
        &[
            "ask",
            "servers --cve CVE-2014-6271 --state all",
            "-o",
            "jsonl",
        ],
        "",
    );
    let cli = halo_query(
        &env,
        &[
            "servers",
            "--cve",
            "CVE-2014-6271",
            "--state",
            "all",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(String::from_utf8(cve.stdout).unwrap(), cli);
}

#[test]
fn serve_without_its_tokens_is_a_configuration_error() {
    let env = world().unset("SLACK_APP_TOKEN");
    let out = env.run("octo-bot", Keys::Read, &["serve"], "");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "octo-bot: no Slack app-level token (xapp-…): set SLACK_APP_TOKEN or bot.credential_process in octo.yml"
    );
}

#[test]
fn tokens_and_channel_from_octo_yml_serve_and_never_print() {
    let env = world()
        .unset("SLACK_APP_TOKEN")
        .unset("SLACK_API_TOKEN")
        .unset("SLACK_CHANNEL");
    let yml = env.path().join("octo.yml");
    std::fs::write(
        &yml,
        format!(
            "bot:\n  channel: {CHANNEL_ID}\n  credential_process: [printf, '%s', '{{\"app_token\": \"{APP_TOKEN}\", \"token\": \"{SLACK_TOKEN}\"}}']\n"
        ),
    )
    .unwrap();
    let env = env.set("OCTO_CONFIG", yml.display().to_string());
    let bot = start(&env, &[]);
    inject(&env, "mention", MEMBERS[0], "status");
    let m = reply(&env, 1);
    let shown = format!("{}:bot.credential_process)", yml.display());
    assert!(
        text_of(&m).contains(&format!("app token: set, redacted (file {shown}"))
            && text_of(&m).contains(&format!("bot token: set, redacted (file {shown}"))
            && text_of(&m).contains(&format!(
                "channel: {CHANNEL_ID} (file {}:bot.channel)",
                yml.display()
            )),
        "{m}"
    );
    let audit = stop(&env, bot);
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["result"], "answered");
    let posted = posts(&env).0;
    let all = serde_json::to_string(&posted).unwrap();
    assert!(
        !all.contains(SLACK_TOKEN) && !all.contains(APP_TOKEN),
        "{all}"
    );
}

#[test]
fn firewall_sends_fw_graphs_png_of_the_groups_policy() {
    let env = world();
    let bot = start(&env, &[]);
    inject(&env, "mention", MEMBERS[0], "firewall Root/Prod/Web");
    let f = file(&env, 1);
    assert_eq!(f["filename"], "firewall-Web.png", "{f}");
    let audit = stop(&env, bot);
    assert_eq!(audit[0]["command"], "firewall");
    assert_eq!(audit[0]["reply"], "file");
    // the bytes, read raw (the test helper reads text): the same picture fw-graph draws
    let id = f["id"].as_str().unwrap();
    let png = raw_get(&env.sim().url(), &format!("/_sim/slack/files/{id}"));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    assert_eq!(&png[png.len() - 8..png.len() - 4], b"IEND");
    let out = env.path().join("web.png");
    let run = env.run(
        "fw-graph",
        Keys::Read,
        &[
            "--group",
            "Root/Prod/Web",
            "--format",
            "png",
            "--out",
            out.to_str().unwrap(),
        ],
        "",
    );
    assert!(run.status.success(), "{run:?}");
    assert!(
        png == std::fs::read(&out).unwrap(),
        "the bot's PNG is fw-graph's"
    );
    let edges = halo_edges(&env);
    assert_eq!(
        f["initial_comment"],
        format!("`firewall Root/Prod/Web`: {edges} edges")
    );
}

fn halo_edges(env: &TestEnv) -> usize {
    let out = env.run(
        "fw-graph",
        Keys::Read,
        &["--group", "Root/Prod/Web", "--format", "jsonl"],
        "",
    );
    String::from_utf8(out.stdout).unwrap().lines().count()
}

/// GET `path` and return the body's bytes.
fn raw_get(base: &str, path: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let addr = base.strip_prefix("http://").unwrap();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).unwrap();
    let at = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    resp[at..].to_vec()
}

/// `ec2-delta` runs ec2-delta's engine with the bot's Halo client and sends the CSV ec2-delta
/// prints (piped) as a file; `ask ec2-delta` prints its records, those of `ec2-delta -o jsonl`.
#[test]
fn ec2_delta_sends_the_csv_ec2_delta_prints() {
    let moto = octo_testkit::Moto::start();
    let ids = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(moto.launch("us-east-1", 3, "web"));
    let env = world().envs(moto.aws_env());
    // one instance protected by a Halo server: two are the delta
    env.sim().add_server(json!({
        "hostname": "web-0", "state": "active", "platform": "ubuntu",
        "aws_ec2": {"ec2_instance_id": ids[0], "ec2_account_id": "123456789012", "ec2_region": "us-east-1"}
    }));
    let cli = env.run(
        "ec2-delta",
        Keys::Read,
        &["--regions", "us-east-1", "-o", "csv"],
        "",
    );
    assert!(cli.status.success(), "{cli:?}");
    let csv = String::from_utf8(cli.stdout).unwrap();
    assert_eq!(csv.lines().count(), 3, "a header and two rows:\n{csv}");
    assert!(!csv.contains(&ids[0]) && csv.contains(&ids[1]) && csv.contains(&ids[2]));

    let bot = start(&env, &[]);
    inject(&env, "mention", MEMBERS[0], "ec2-delta --regions us-east-1");
    let f = file(&env, 1);
    assert_eq!(f["filename"], "ec2-delta.csv", "{f}");
    assert_eq!(
        f["initial_comment"],
        "`ec2-delta --regions us-east-1`: 2 instances"
    );
    let id = f["id"].as_str().unwrap();
    let bytes = raw_get(&env.sim().url(), &format!("/_sim/slack/files/{id}"));
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        csv,
        "the bot's CSV is ec2-delta's"
    );
    let audit = stop(&env, bot);
    assert_eq!(audit[0]["command"], "ec2-delta");
    assert_eq!(audit[0]["reply"], "file");
    assert_eq!(audit[0]["records"], 2);

    let ask = env.run(
        "octo-bot",
        Keys::Read,
        &["ask", "ec2-delta --regions us-east-1", "-o", "jsonl"],
        "",
    );
    let cli = env.run(
        "ec2-delta",
        Keys::Read,
        &["--regions", "us-east-1", "-o", "jsonl"],
        "",
    );
    assert!(ask.status.success(), "{ask:?}");
    assert_eq!(
        String::from_utf8(ask.stdout).unwrap(),
        String::from_utf8(cli.stdout).unwrap()
    );
}

/// SIGTERM while a request is still running (Halo stalled by octo-sim's `stall` knob): after
/// `--shutdown-grace` the bot cancels it, tells the asker, writes a `cancelled` audit record
/// and exits 0. Every wait is on the simulator's count of stalled requests, not a clock.
#[test]
fn sigterm_cancels_a_request_that_outlives_the_grace_and_says_so() {
    let env = world();
    let bot = start(&env, &["--shutdown-grace", "0"]);
    octo_testkit::hostile::set_hostile(&env.sim().url(), &["stall"]);
    inject(&env, "mention", MEMBERS[0], "groups");
    assert!(
        wait_until(WAIT, || env.state()["hostile"]["stalled"] == 1),
        "the request never reached Halo: {}",
        env.state()["hostile"]
    );
    let audit = stop(&env, bot);
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["command"], "groups");
    assert_eq!(audit[0]["result"], "cancelled");
    let (messages, files) = posts(&env);
    assert!(files.is_empty());
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(
        text_of(&messages[0]),
        format!(
            "<@{}> `groups` was cancelled: octo-bot is shutting down.",
            MEMBERS[0]
        )
    );
}

/// `ask help` and a usage error need no Halo key (nothing is asked of Halo); a query does, and
/// says so as a configuration error.
#[test]
fn ask_help_needs_no_keys() {
    let env = TestEnv::new().halo("http://127.0.0.1:9");
    let run = |args: &[&str]| {
        let mut cmd = env.command("octo-bot", Keys::Read);
        cmd.env_remove("HALO_API_KEY")
            .env_remove("HALO_API_SECRET_KEY")
            .args(args);
        cmd.output().unwrap()
    };
    let out = run(&["ask", "help"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("  ec2-delta EC2 instances no Halo agent protects"),
        "{text}"
    );
    let out = run(&["ask", "nonsense"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = run(&["ask", "groups"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("HALO_API_KEY"),
        "{out:?}"
    );
}

/// One job of a kind at a time: a second `groups` while the first is running (Halo stalled) is
/// told it is queued, then both are answered once Halo answers. Waits are on the simulator's
/// count of stalled requests and on the replies, never on a clock.
#[test]
fn a_request_that_must_wait_is_told_it_is_queued() {
    let env = world();
    let bot = start(&env, &[]);
    let url = env.sim().url();
    octo_testkit::hostile::set_hostile(&url, &["stall"]);
    inject(&env, "mention", MEMBERS[0], "groups");
    assert!(
        wait_until(WAIT, || env.state()["hostile"]["stalled"] == 1),
        "the first request never reached Halo: {}",
        env.state()["hostile"]
    );
    inject(&env, "mention", MEMBERS[1], "groups");
    let m = reply(&env, 1);
    assert_eq!(
        text_of(&m),
        format!(
            "<@{}> `groups` is queued: another `groups` request is running. I will answer here when it is done.",
            MEMBERS[1]
        )
    );
    octo_testkit::hostile::set_hostile(&url, &[]);
    let (messages, _) = replies(&env, 3);
    let audit = stop(&env, bot);
    assert_eq!(messages.len(), 3, "{messages:#?}");
    for m in &messages[1..] {
        assert!(text_of(m).starts_with("`groups`: 11 groups"), "{m}");
    }
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert!(audit.iter().all(|r| r["result"] == "answered"), "{audit:?}");
}
