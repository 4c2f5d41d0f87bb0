//! octo-bot end to end: the real binary in Socket Mode against octo-sim (Slack and Halo), users'
//! messages injected through `/_sim/slack/inject`, answers read from the simulator's state, the
//! audit records from the bot's stdout. Every wait is on a condition.

mod common;

use common::*;

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
