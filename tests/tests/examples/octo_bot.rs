//! octo-bot as its two examples run it: `examples/systemd/octo-bot.service` (ExecStart with the
//! environment systemd gives it) and `examples/k8s/octo-bot-deployment.yaml` (the container's
//! args on the image's PATH, its env and the Secret's keys). Each is started as its scheduler
//! starts it, against octo-sim's Slack (Socket Mode) and Halo; a channel member asks `groups`,
//! the answer arrives, and the stop its scheduler sends (SIGTERM) ends it with exit 0 well within
//! the grace the example gives it.

use std::collections::BTreeMap;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use octo_sim::slack_socket::{APP_TOKEN, CHANNEL_ID, MEMBERS};
use octo_testkit::harness::http::http;
use octo_testkit::harness::{Background, SIM_SECRETS, assert_no_secrets, wait_until};
use octobox_tests::examples::host::*;
use octobox_tests::examples::systemd::*;
use octobox_tests::examples::*;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

fn sim() -> octo_sim::SimHandle {
    octo_sim::Sim::spawn(octo_sim::SimConfig {
        events_per_day: 20,
        scans_per_day: 1,
        days: 1,
        ..Default::default()
    })
    .unwrap()
}

/// The values an operator puts in the env file or the Secret, pointing at the simulator:
/// the read-only Halo key and the two Slack tokens, plus the two API URLs (the only lines a
/// real host leaves out).
fn credentials(sim: &octo_sim::SimHandle) -> BTreeMap<String, String> {
    [
        ("HALO_API_URL", sim.url()),
        ("HALO_API_KEY", octo_sim::READ_KEY.0.to_string()),
        ("HALO_API_SECRET_KEY", octo_sim::READ_KEY.1.to_string()),
        ("SLACK_API_URL", format!("{}/api", sim.url())),
        ("SLACK_APP_TOKEN", APP_TOKEN.to_string()),
        ("SLACK_API_TOKEN", octo_sim::slack::SLACK_TOKEN.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Start `cmd` as a scheduler does (cwd /, stdin /dev/null, its own process group), wait until
/// it is connected, ask `groups` as a channel member, wait for the answer, then SIGTERM.
/// Returns what it printed and how long the stop took.
fn ask_and_stop(sim: &octo_sim::SimHandle, mut cmd: Command) -> (Output, Value, Duration) {
    cmd.current_dir("/").stdin(Stdio::null());
    let bot = Background::spawn(cmd);
    let state = || sim.state();
    if !wait_until(WAIT, || {
        !state()["slack_socket"]["live_connection"].is_null()
    }) {
        let out = bot.stop("TERM");
        panic!("never connected\n{}", shown(&out));
    }
    let (status, head, body) = http(
        &sim.url(),
        "POST",
        "/_sim/slack/inject",
        &[],
        Some(&json!({"kind": "mention", "user": MEMBERS[0], "text": "groups"})),
    );
    assert!((200..300).contains(&status), "{head}\n{body}");
    let mut answer = Value::Null;
    let answered = wait_until(WAIT, || {
        let (_, _, body) = http(&sim.url(), "GET", "/_sim/slack/posts", &[], None);
        let v: Value = serde_json::from_str(&body).unwrap_or_default();
        match v["messages"].as_array().and_then(|m| m.first()) {
            Some(m) => {
                answer = m.clone();
                true
            }
            None => false,
        }
    });
    let t0 = Instant::now();
    let out = bot.stop("TERM");
    let took = t0.elapsed();
    assert!(answered, "no answer\n{}", shown(&out));
    assert_no_secrets(&out, &SIM_SECRETS);
    (out, answer, took)
}

/// The answer is the groups table in the configured channel, and the audit (stdout, the
/// journal or `kubectl logs`) holds exactly that one request, answered.
fn check_answer(sim: &octo_sim::SimHandle, out: &Output, answer: &Value, channel: &str) {
    assert!(out.status.success(), "exit after SIGTERM\n{}", shown(out));
    assert_eq!(answer["channel"], channel, "{answer}");
    let text = answer["text"].as_str().unwrap_or_default();
    let groups = sim.state()["groups"].as_array().unwrap().clone();
    assert!(
        text.starts_with(&format!("`groups`: {} groups\n", groups.len())),
        "{text}"
    );
    for g in &groups {
        assert!(text.contains(g["group_path"].as_str().unwrap()), "{g}");
    }
    let audit: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(audit.len(), 1, "{}", shown(out));
    assert_eq!(audit[0]["user"], MEMBERS[0]);
    assert_eq!(audit[0]["command"], "groups");
    assert_eq!(audit[0]["result"], "answered");
}

#[test]
fn the_systemd_unit_runs_the_bot_and_stops_it_cleanly() {
    let raw = example("systemd/octo-bot.service");
    let root = Root::new();
    root.check_paths("octo-bot.service", &raw);
    let unit = parse_unit(&root.map(&raw));
    check_directives(&unit);
    let get = |key: &str| {
        unit.iter()
            .find(|(s, k, _)| s == "Service" && k == key)
            .map(|(_, _, v)| v.clone())
            .unwrap_or_else(|| panic!("[Service] {key}="))
    };
    // The read-only key: a bot that never writes needs no other (DynamicUser, no home).
    assert_eq!(get("DynamicUser"), "yes");
    assert_eq!(get("ProtectHome"), "yes");
    let stop_secs: u64 = get("TimeoutStopSec").parse().expect("TimeoutStopSec=N");

    let sim = sim();
    let mut vars: Vec<(String, String)> = credentials(&sim).into_iter().collect();
    vars.push(("SLACK_CHANNEL".into(), CHANNEL_ID.into()));
    root.write_env_file(&vars);
    let (argv, env) = service_exec(&root, &unit);
    let grace: u64 = argv
        .windows(2)
        .find(|w| w[0] == "--shutdown-grace")
        .map(|w| w[1].parse().unwrap())
        .expect("ExecStart gives --shutdown-grace");
    assert!(
        grace < stop_secs,
        "--shutdown-grace {grace} leaves systemd's TimeoutStopSec={stop_secs} room"
    );
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]).env_clear().envs(env);
    let (out, answer, took) = ask_and_stop(&sim, cmd);
    check_answer(&sim, &out, &answer, CHANNEL_ID);
    assert!(took < Duration::from_secs(stop_secs), "stop took {took:?}");
}

#[test]
fn the_kubernetes_deployment_runs_the_bot_as_its_pod_would() {
    let raw = example("k8s/octo-bot-deployment.yaml");
    let doc: Value = serde_yaml_ng::from_str(&raw).expect("the Deployment is YAML");
    assert_eq!(doc["kind"], "Deployment");
    assert_eq!(
        doc["spec"]["replicas"], 1,
        "one connection answers each event"
    );
    assert_eq!(doc["spec"]["strategy"]["type"], "Recreate");
    let pod = &doc["spec"]["template"]["spec"];
    let labels = &doc["spec"]["template"]["metadata"]["labels"];
    for (k, v) in doc["spec"]["selector"]["matchLabels"].as_object().unwrap() {
        assert_eq!(&labels[k], v, "the selector matches the pod's labels");
    }
    // The image's user (Dockerfile `USER`) is the pod's non-root user.
    let dockerfile =
        std::fs::read_to_string(format!("{}/../Dockerfile", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let uid: u64 = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("USER "))
        .and_then(|u| u.split(':').next())
        .and_then(|u| u.trim().parse().ok())
        .expect("the Dockerfile names a numeric USER");
    assert_eq!(pod["securityContext"]["runAsUser"], uid);
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let containers = pod["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    assert!(
        c.get("command").is_none(),
        "args run on the image's PATH, no entrypoint"
    );
    let args: Vec<String> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert!(
        BINARIES.contains(&args[0].as_str()),
        "{} is a binary the image carries",
        args[0]
    );
    let grace: u64 = args
        .windows(2)
        .find(|w| w[0] == "--shutdown-grace")
        .map(|w| w[1].parse().unwrap())
        .expect("args give --shutdown-grace");
    let kill_after = pod["terminationGracePeriodSeconds"].as_u64().unwrap();
    assert!(
        grace < kill_after,
        "--shutdown-grace {grace} < {kill_after}"
    );

    // The pod's environment: `env` values and the Secret's keys, as the comment creates it.
    let secret = c["envFrom"][0]["secretRef"]["name"].as_str().unwrap();
    let secret_keys: Vec<String> = raw
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .flat_map(|l| l.split("--from-literal=").skip(1))
        .map(|rest| rest.split('=').next().unwrap().to_string())
        .collect();
    assert!(
        raw.contains(&format!("kubectl create secret generic {secret}")),
        "the comment creates the Secret {secret}"
    );
    // `args` on the image's PATH (Dockerfile `ENV PATH=`), where every binary is installed.
    let root = Root::new();
    let path = root.map(
        dockerfile
            .lines()
            .find_map(|l| l.strip_prefix("ENV PATH="))
            .expect("the Dockerfile sets PATH"),
    );
    let exe = std::env::split_paths(&path)
        .map(|d| d.join(&args[0]))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{} on the image's PATH", args[0]));
    let sim = sim();
    let creds = credentials(&sim);
    let mut env: Vec<(String, String)> = vec![("PATH".into(), path), ("HOME".into(), "/".into())];
    for k in &secret_keys {
        let v = creds
            .get(k)
            .unwrap_or_else(|| panic!("the Secret's key {k} is not one octo-bot reads"));
        env.push((k.clone(), v.clone()));
    }
    for needed in [
        "HALO_API_KEY",
        "HALO_API_SECRET_KEY",
        "SLACK_APP_TOKEN",
        "SLACK_API_TOKEN",
    ] {
        assert!(
            secret_keys.iter().any(|k| k == needed),
            "the Secret holds {needed}"
        );
    }
    let mut channel = String::new();
    for e in c["env"].as_array().unwrap() {
        let (k, v) = (e["name"].as_str().unwrap(), e["value"].as_str().unwrap());
        if k == "SLACK_CHANNEL" {
            channel = v.to_string();
        }
        env.push((k.into(), v.into()));
    }
    assert!(!channel.is_empty(), "the Deployment sets SLACK_CHANNEL");
    // Here the channel is the simulator's and the API URLs point at it.
    env.retain(|(k, _)| k != "SLACK_CHANNEL");
    env.push(("SLACK_CHANNEL".into(), CHANNEL_ID.into()));
    for k in ["HALO_API_URL", "SLACK_API_URL"] {
        env.push((k.into(), creds[k].clone()));
    }
    let mut cmd = Command::new(exe);
    cmd.args(&args[1..]).env_clear().envs(env);
    let (out, answer, took) = ask_and_stop(&sim, cmd);
    check_answer(&sim, &out, &answer, CHANNEL_ID);
    assert!(took < Duration::from_secs(kill_after), "stop took {took:?}");
}
