//! ec2-delta against moto (two accounts via AssumeRole, two regions, paging, stopped and
//! terminated instances) and octo-sim (Halo servers in every state, more than 500 of them).

use std::collections::BTreeSet;
use std::process::Output;

mod common;

use aws_config::SdkConfig;
use common::{BASE, OTHER, ROLE, US_EAST_1_NO_HALO, other_account_cfg};
use octo_testkit::Moto;
use octo_testkit::harness::{Keys, TestEnv, code, exits_with, jsonl, stderr, stdout};
use serde_json::{Value, json};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn base_cfg(moto: &Moto, region: &str) -> SdkConfig {
    moto.sdk_config(region).await
}

/// Launch `n` instances tagged Name=name-i and team=ops.
async fn launch(cfg: &SdkConfig, n: usize, name: &str, key: Option<&str>) -> Vec<String> {
    octo_testkit::launch_instances(
        cfg,
        octo_testkit::Launch {
            n,
            name: Some(name),
            key,
            tags: &[("team", "ops")],
        },
    )
    .await
}

/// The seeded AWS side.
struct World {
    /// (account, region, id) of every instance still running.
    running: Vec<(String, String, String)>,
    stopped: String,
    terminated: String,
}

impl World {
    fn ids(&self) -> Vec<&str> {
        self.running.iter().map(|(_, _, i)| i.as_str()).collect()
    }
}

fn seed_aws(moto: &Moto) -> World {
    rt().block_on(async {
        let mut running = Vec::new();
        let use1 = base_cfg(moto, "us-east-1").await;
        let ids = launch(&use1, 7, "web", Some("ops-key")).await;
        let ec2 = aws_sdk_ec2::Client::new(&use1);
        ec2.stop_instances()
            .instance_ids(&ids[5])
            .send()
            .await
            .unwrap();
        ec2.terminate_instances()
            .instance_ids(&ids[6])
            .send()
            .await
            .unwrap();
        for id in &ids[..5] {
            running.push((BASE.to_string(), "us-east-1".to_string(), id.clone()));
        }
        let euw1 = base_cfg(moto, "eu-west-1").await;
        for id in launch(&euw1, 2, "db", None).await {
            running.push((BASE.to_string(), "eu-west-1".to_string(), id));
        }
        let other1 = other_account_cfg(moto, "us-east-1").await;
        for id in launch(&other1, 2, "batch", None).await {
            running.push((OTHER.to_string(), "us-east-1".to_string(), id));
        }
        let other2 = other_account_cfg(moto, "eu-west-1").await;
        for id in launch(&other2, 1, "edge", None).await {
            running.push((OTHER.to_string(), "eu-west-1".to_string(), id));
        }
        World {
            running,
            stopped: ids[5].clone(),
            terminated: ids[6].clone(),
        }
    })
}

/// A Halo server object protecting `instance` (as the API would show it).
fn halo_server(
    sim: &octo_sim::Sim,
    hostname: &str,
    state: &str,
    instance: &str,
    acct: &str,
    region: &str,
) -> Value {
    sim.add_server(json!({
        "hostname": hostname,
        "state": state,
        "platform": "ubuntu",
        "aws_ec2": {"ec2_instance_id": instance, "ec2_account_id": acct, "ec2_region": region}
    }))
}

/// Where ec2-delta runs: moto's AWS, and Halo at `halo_url` when given.
fn env(moto: &Moto, halo_url: Option<&str>) -> TestEnv {
    let env = TestEnv::new().envs(moto.aws_env());
    match halo_url {
        Some(url) => env.halo(url),
        None => env,
    }
}

/// `ec2-delta ARGS < stdin` to the end, secrets checked.
fn run(moto: &Moto, halo_url: Option<&str>, args: &[&str], stdin: Option<&str>) -> Output {
    env(moto, halo_url).run("ec2-delta", Keys::Read, args, stdin.unwrap_or(""))
}

const HEADER: &str = "instance_id,aws_account,aws_region,key_name,launch_time,vpc_id,state,instance_type,private_ip,public_ip,name,tags";

const TWO_ACCOUNTS: [&str; 6] = [
    "--accounts",
    OTHER,
    "--role-name",
    ROLE,
    "--regions",
    "us-east-1,eu-west-1",
];

/// The `instance_id` of every JSON Lines record of `out`, in order.
fn instance_ids(out: &Output) -> Vec<String> {
    jsonl(out)
        .iter()
        .map(|r| r["instance_id"].as_str().unwrap().to_string())
        .collect()
}

/// The ids of the instances running in BASE, sorted as the tool sorts them.
fn base_ids(world: &World) -> Vec<String> {
    expected(world, &[])
        .into_iter()
        .filter(|(a, _, _)| a == BASE)
        .map(|(_, _, id)| id)
        .collect()
}

/// Expected rows (account, region, id) sorted as the tool sorts them.
fn expected(world: &World, protected: &[&str]) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = world
        .running
        .iter()
        .filter(|(_, _, id)| !protected.contains(&id.as_str()))
        .cloned()
        .collect();
    v.sort();
    v
}

#[test]
fn exact_delta_across_two_accounts_regions_and_pages_as_csv() {
    let moto = Moto::start();
    let world = seed_aws(&moto);
    // > 500 Halo servers (the original's silent cap); the protecting ones come last.
    let sim = octo_sim::Sim::spawn(octo_sim::SimConfig {
        servers: 620,
        ..Default::default()
    })
    .unwrap();
    let ids = world.ids();
    halo_server(&sim, "web-0", "active", ids[0], BASE, "us-east-1");
    halo_server(&sim, "web-1", "deactivated", ids[1], BASE, "us-east-1");
    halo_server(&sim, "batch-0", "missing", ids[7], OTHER, "us-east-1");
    halo_server(&sim, "gone", "active", &world.stopped, BASE, "us-east-1");

    let mut args = TWO_ACCOUNTS.to_vec();
    args.extend(["--page-size", "5"]);
    let out = run(&moto, Some(&sim.url()), &args, None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(HEADER));
    let rows: Vec<Vec<String>> = lines
        .map(|l| {
            let mut r = csv_fields(l);
            r.truncate(12);
            r
        })
        .collect();
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[1].clone(), r[2].clone(), r[0].clone()))
        .collect();
    let want = expected(&world, &[ids[0], ids[1], ids[7]]);
    assert_eq!(got, want);
    assert_eq!(got.len(), 7);
    // Fields: key name only where one was used, never placeholder text; plain CSV, not base64.
    for r in &rows {
        assert_eq!(r.len(), 12, "{r:?}");
        let base_use1 = r[1] == BASE && r[2] == "us-east-1";
        assert_eq!(r[3], if base_use1 { "ops-key" } else { "" }, "{r:?}");
        assert!(
            r[4].ends_with("+00:00") && r[4].len() == 25,
            "launch_time {:?}",
            r[4]
        );
        assert!(r[5].starts_with("vpc-"), "{r:?}");
        assert_eq!(r[6], "running");
        assert_eq!(r[7], "t3.micro");
        assert!(r[8].contains('.'), "private ip {:?}", r[8]);
        assert!(r[10].contains('-'), "name {:?}", r[10]);
        let tags: Value = serde_json::from_str(&r[11]).unwrap();
        assert_eq!(tags["Name"], r[10].as_str());
        assert_eq!(tags["team"], "ops");
    }
}

/// Minimal CSV splitter for the test (quoted cells with doubled quotes).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[test]
fn halo_servers_from_stdin_states_all_reverse_and_gates() {
    let moto = Moto::start();
    let world = seed_aws(&moto);
    let ids = world.ids();
    // The Halo side as `halo-query servers --state all` prints it: objects, one per line.
    let servers = [
        json!({"id": "a1", "hostname": "web-0", "state": "active", "aws_ec2": {"ec2_instance_id": ids[0], "ec2_account_id": BASE, "ec2_region": "us-east-1"}}),
        json!({"id": "a2", "hostname": "db-0", "state": "retired", "aws_ec2": {"ec2_instance_id": ids[5], "ec2_account_id": BASE, "ec2_region": "eu-west-1"}}),
        json!({"id": "a3", "hostname": "old", "state": "missing", "aws_ec2": {"ec2_instance_id": "i-0deadbeefdeadbeef", "ec2_account_id": BASE, "ec2_region": "us-east-1"}}),
        json!({"id": "a4", "hostname": "ended", "state": "active", "aws_ec2": {"ec2_instance_id": world.terminated, "ec2_account_id": BASE, "ec2_region": "us-east-1"}}),
        json!({"id": "a5", "hostname": "elsewhere", "state": "active", "aws_ec2": {"ec2_instance_id": "i-0feedfeedfeedfeed", "ec2_account_id": "999999999999", "ec2_region": "us-east-1"}}),
        json!({"id": "a6", "hostname": "on-prem", "state": "active"}),
    ];
    let input: String = servers.iter().map(|s| format!("{s}\n")).collect();

    // jsonl rows, Halo from stdin (no Halo credentials at all)
    let mut args = TWO_ACCOUNTS.to_vec();
    args.extend(["--halo-servers", "-", "-o", "jsonl"]);
    let out = run(&moto, None, &args, Some(&input));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = jsonl(&out);
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            octo_testkit::assert_record(r, "ec2-delta.instance.v1");
            (
                r["aws_account"].as_str().unwrap().to_string(),
                r["aws_region"].as_str().unwrap().to_string(),
                r["instance_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, expected(&world, &[ids[0], ids[5]]));

    // --states all adds the stopped and the terminated instance (without a4, which knows it)
    let without_a4: String = servers
        .iter()
        .filter(|s| s["id"] != "a4")
        .map(|s| format!("{s}\n"))
        .collect();
    let mut args = TWO_ACCOUNTS.to_vec();
    args.extend(["--halo-servers", "-", "-o", "jsonl", "--states", "all"]);
    let out = run(&moto, None, &args, Some(&without_a4));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let all: BTreeSet<String> = jsonl(&out)
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["instance_id"].as_str().unwrap(),
                r["state"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        all.contains(&format!("{}:stopped", world.stopped)),
        "{all:?}"
    );
    assert!(
        all.contains(&format!("{}:terminated", world.terminated)),
        "{all:?}"
    );
    assert_eq!(all.len(), got.len() + 2);

    // --reverse: Halo servers whose instance is gone (terminated or unknown) in a scanned
    // account/region; the one in an account we did not scan is not claimed.
    let mut args = TWO_ACCOUNTS.to_vec();
    args.extend(["--halo-servers", "-", "--reverse", "-o", "jsonl"]);
    let out = run(&moto, None, &args, Some(&input));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rev: Vec<String> = jsonl(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let mut want = [
        ("i-0deadbeefdeadbeef", "a3"),
        (world.terminated.as_str(), "a4"),
    ];
    want.sort();
    assert_eq!(
        rev,
        want.iter()
            .map(|(_, id)| id.to_string())
            .collect::<Vec<_>>()
    );
    // and as CSV its own columns
    let mut args = TWO_ACCOUNTS.to_vec();
    args.extend(["--halo-servers", "-", "--reverse"]);
    let out = run(&moto, None, &args, Some(&input));
    assert_eq!(
        stdout(&out).lines().next(),
        Some(
            "id,hostname,state,group_path,aws_ec2.ec2_instance_id,aws_ec2.ec2_account_id,aws_ec2.ec2_region"
        )
    );

    // --fail-on-findings: 5 with rows …
    let mut args = TWO_ACCOUNTS.to_vec();
    args.extend(["--halo-servers", "-", "--fail-on-findings"]);
    let out = run(&moto, None, &args, Some(&input));
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1 + got.len());
    // … 0 and a lone header when Halo protects everything
    let everything: String = world
        .running
        .iter()
        .map(|(_, _, id)| {
            format!(
                "{}\n",
                json!({"id": id, "aws_ec2": {"ec2_instance_id": id}})
            )
        })
        .collect();
    let mut args = TWO_ACCOUNTS.to_vec();
    args.extend(["--halo-servers", "-", "--fail-on-findings"]);
    let out = run(&moto, None, &args, Some(&everything));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{HEADER}\n"));
}

#[test]
fn a_region_that_cannot_be_read_is_named_and_the_rest_reported() {
    let moto = Moto::start();
    let world = seed_aws(&moto);
    let input = String::new();
    let out = run(
        &moto,
        None,
        &[
            "--regions",
            "us-east-1,eu-west-1,xx-nowhere-9",
            "--halo-servers",
            "-",
            "-o",
            "jsonl",
        ],
        Some(&input),
    );
    let err = exits_with(&out, 4, &format!("account {BASE} region xx-nowhere-9:"));
    assert!(err.contains("could not be read"), "{err}");
    assert_eq!(instance_ids(&out), base_ids(&world));
}

#[test]
fn every_region_of_the_account_by_default() {
    let moto = Moto::start();
    let world = seed_aws(&moto);
    let out = run(
        &moto,
        None,
        &["--halo-servers", "-", "-o", "jsonl"],
        Some(""),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(instance_ids(&out), base_ids(&world));
}

#[test]
fn bad_flags_and_bad_input() {
    let moto = Moto::start();
    let cases: [(&[&str], &str); 5] = [
        (&["--accounts", OTHER], "needs --role-name"),
        (
            &["--accounts", "12345", "--role-name", ROLE],
            "invalid AWS account id `12345`",
        ),
        (&["--states", "runing"], "invalid instance state `runing`"),
        (&["--regions", "EU"], "invalid region `EU`"),
        (&["--page-size", "2"], "--page-size"),
    ];
    for (args, msg) in cases {
        let out = run(&moto, None, args, Some(""));
        exits_with(&out, 2, msg);
    }
    let input = "{\"id\": \"a\"}\n{\"id\": \n";
    let out = run(
        &moto,
        None,
        &["--regions", "us-east-1", "--halo-servers", "-"],
        Some(input),
    );
    exits_with(&out, 3, "ec2-delta: stdin:2: invalid JSON");
    assert!(stdout(&out).is_empty());
}

/// moto enforcing IAM: the caller may assume the role in 111111111111 but not in 222222222222.
/// That account is named on stderr with the AccessDenied, the others are still reported, exit 4.
#[test]
fn a_role_that_cannot_be_assumed_is_named_and_the_rest_reported() {
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "6")]);
    let setup = std::process::Command::new(octo_testkit::moto_python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/moto_iam_setup.py"
        ))
        .arg(moto.url())
        .output()
        .unwrap();
    assert!(
        setup.status.success(),
        "{}",
        String::from_utf8_lossy(&setup.stderr)
    );
    let text = String::from_utf8(setup.stdout).unwrap();
    let mut lines = text.lines();
    let (key, secret) = (lines.next().unwrap(), lines.next().unwrap());

    let out = env(&moto, None)
        .set("AWS_ACCESS_KEY_ID", key)
        .set("AWS_SECRET_ACCESS_KEY", secret)
        .secret(secret)
        .run(
            "ec2-delta",
            Keys::Read,
            &[
                &[
                    "--accounts",
                    "111111111111;222222222222",
                    "--role-name",
                    "reader",
                ][..],
                &US_EAST_1_NO_HALO[..],
            ]
            .concat(),
            "",
        );
    exits_with(
        &out,
        4,
        "ec2-delta: account 222222222222: sts:AssumeRole arn:aws:iam::222222222222:role/reader: AccessDenied",
    );
    let accounts: Vec<String> = jsonl(&out)
        .iter()
        .map(|r| r["aws_account"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(accounts, [OTHER, BASE]);
}

#[test]
fn output_flags_format_columns_and_no_header() {
    let moto = Moto::start();
    let world = seed_aws(&moto);
    let want = base_ids(&world);
    assert!(!want.is_empty());
    let text = |extra: &[&str]| {
        let mut args = vec!["--regions", "us-east-1,eu-west-1", "--halo-servers", "-"];
        args.extend_from_slice(extra);
        let out = run(&moto, None, &args, Some(""));
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        stdout(&out)
    };
    let ids: String = want.iter().map(|id| format!("{id}\n")).collect();
    // piped without -o: CSV, as the original
    let csv = text(&["-c", "instance_id"]);
    assert_eq!(csv, format!("instance_id\n{ids}"));
    assert_eq!(
        text(&["-o", "csv", "-c", "instance_id", "--no-header"]),
        ids
    );
    let json: Vec<Value> =
        serde_json::from_str(&text(&["-o", "json", "-c", "instance_id"])).unwrap();
    assert_eq!(
        json,
        want.iter()
            .map(|id| serde_json::json!({"instance_id": id}))
            .collect::<Vec<_>>()
    );
    // a table: the original columns first
    let table = text(&["-o", "table"]);
    assert!(
        table.lines().next().unwrap().starts_with("instance_id"),
        "{table}"
    );
    assert!(
        table.lines().next().unwrap().contains("aws_account"),
        "{table}"
    );
    assert_eq!(table.lines().count(), want.len() + 1);
    assert_eq!(
        text(&["-o", "table", "-c", "instance_id", "--no-header"]),
        ids
    );
}

/// ec2-delta against every hostile knob of octo-sim (issue 15 item 2): the Halo servers list it
/// reads (three pages) either fails the run naming the endpoint, or the delta is exactly the
/// clean one — never a longer delta from servers read short, nor a shorter one.
mod hostile {
    use super::*;
    use octo_testkit::hostile::{Expect, Knob, check, common_expect, same, set_hostile};

    fn against(knob: Knob) {
        let moto = Moto::start();
        let ids = rt().block_on(async {
            let cfg = base_cfg(&moto, "us-east-1").await;
            launch(&cfg, 4, "web", None).await
        });
        let sim = octo_sim::Sim::spawn(octo_sim::SimConfig {
            servers: 250,
            ..Default::default()
        })
        .unwrap();
        halo_server(&sim, "web-0", "active", &ids[0], BASE, "us-east-1");
        halo_server(&sim, "web-1", "active", &ids[1], BASE, "us-east-1");
        let args = ["--timeout", "1", "--regions", "us-east-1", "-o", "jsonl"];
        set_hostile(&sim.url(), &[]);
        let clean = run(&moto, Some(&sim.url()), &args, None);
        assert_eq!(code(&clean), 0, "{}", stderr(&clean));
        let clean = stdout(&clean);
        let got: BTreeSet<String> = clean
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                v["instance_id"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(
            got,
            BTreeSet::from([ids[2].clone(), ids[3].clone()]),
            "the clean delta: the two instances no Halo server protects"
        );

        let expect = common_expect(knob).unwrap_or(match knob {
            // three pages: a page without `next` leaves servers unread
            Knob::MissingNext => Expect::Fail,
            // the order and times of servers decide nothing
            _ => Expect::Exact,
        });
        set_hostile(&sim.url(), &[knob.name()]);
        let out = run(&moto, Some(&sim.url()), &args, None);
        check(
            &out,
            expect,
            "GET /v1/servers",
            &clean,
            &same,
            &format!("ec2-delta under {knob}"),
        );
    }

    octo_testkit::hostile_knob_tests!(against);
}
