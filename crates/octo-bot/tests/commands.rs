//! octo-bot commands end to end: `ask` prints what halo-query prints, pictures and CSV files as
//! fw-graph and ec2-delta make them, tokens from octo.yml never printed, queueing, `ask help`
//! and cancelling on SIGTERM.

mod common;

use common::*;

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
