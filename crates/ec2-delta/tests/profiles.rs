//! AWS credentials as the AWS CLI takes them, against moto: `--profile` / `AWS_PROFILE` naming a
//! profile with `role_arn` + `source_profile` (aws-config's profile provider assumes the role), and
//! the checked ranges of `--external-id`, `--role-session-name` and `--duration`.

mod common;

use std::process::Output;

use common::{BASE, OTHER, ROLE, US_EAST_1_NO_HALO, other_account_cfg};
use octo_testkit::harness::{Keys, TestEnv, code, exits_with, jsonl, ok, stderr};
use octo_testkit::{Launch, Moto, launch_instances};

/// One instance in the caller's account and one in OTHER (through AssumeRole); their ids.
fn seed(moto: &Moto) -> (String, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let base = launch_instances(&moto.sdk_config("us-east-1").await, Launch::default()).await;
        let other = launch_instances(
            &other_account_cfg(moto, "us-east-1").await,
            Launch::default(),
        )
        .await;
        (base[0].clone(), other[0].clone())
    })
}

/// moto's endpoint and AWS files with a `chained` profile (role in OTHER via `base`'s keys); no
/// credentials in the environment.
fn env(moto: &Moto) -> TestEnv {
    let env = TestEnv::new();
    let config = env.file(
        "aws/config",
        &format!(
            "[profile base]\nregion = us-east-1\n\n[profile chained]\nrole_arn = arn:aws:iam::{OTHER}:role/{ROLE}\nsource_profile = base\nrole_session_name = octobox-test\nregion = us-east-1\n"
        ),
    );
    let creds = env.file(
        "aws/credentials",
        "[base]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    );
    env.set("AWS_ENDPOINT_URL", moto.url())
        .set("AWS_EC2_METADATA_DISABLED", "true")
        .set("AWS_CONFIG_FILE", config)
        .set("AWS_SHARED_CREDENTIALS_FILE", creds)
}

/// `ec2-delta FIRST ARGS` in `env`, secrets checked.
fn ec2_delta(env: &TestEnv, first: &[&str], args: &[&str]) -> Output {
    let out = env
        .command("ec2-delta", Keys::Read)
        .args(first)
        .args(args)
        .output()
        .unwrap();
    env.assert_no_secrets(&out);
    out
}

fn rows(out: &Output) -> Vec<(String, String)> {
    ok(out);
    jsonl(out)
        .iter()
        .map(|r| {
            (
                r["aws_account"].as_str().unwrap().to_string(),
                r["instance_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_role_chaining_profile_is_assumed_by_flag_or_aws_profile() {
    let moto = Moto::start();
    let (base_id, other_id) = seed(&moto);
    let env = env(&moto);
    let args = US_EAST_1_NO_HALO;
    let out = ec2_delta(&env, &["--profile", "chained"], &args);
    assert_eq!(rows(&out), vec![(OTHER.to_string(), other_id.clone())]);
    let out = env
        .command("ec2-delta", Keys::Read)
        .env("AWS_PROFILE", "chained")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(rows(&out), vec![(OTHER.to_string(), other_id)]);
    // the source profile alone is the caller's own account
    let out = ec2_delta(&env, &["--profile", "base"], &args);
    assert_eq!(rows(&out), vec![(BASE.to_string(), base_id)]);
}

#[test]
fn role_session_settings_are_used_and_checked() {
    let moto = Moto::start();
    let (base_id, other_id) = seed(&moto);
    let env = env(&moto);
    let run = |extra: &[&str]| {
        ec2_delta(
            &env,
            &["--profile", "base"],
            &[&US_EAST_1_NO_HALO[..], extra].concat(),
        )
    };
    let out = run(&[
        "--accounts",
        OTHER,
        "--role-name",
        ROLE,
        "--external-id",
        "octo-ext:42",
        "--role-session-name",
        "sec-ops@octobox",
        "--duration",
        "900",
    ]);
    let mut got = rows(&out);
    got.sort();
    assert_eq!(
        got,
        vec![(OTHER.to_string(), other_id), (BASE.to_string(), base_id)]
    );
    let bad = [
        (
            vec!["--duration", "899"],
            "invalid value '899' for '--duration <SECS>': 899 is not in 900..=43200",
        ),
        (
            vec!["--duration", "43201"],
            "invalid value '43201' for '--duration <SECS>': 43201 is not in 900..=43200",
        ),
        (
            vec!["--role-session-name", "sec ops"],
            "invalid value 'sec ops' for '--role-session-name <NAME>': a role session name is 2-64 characters: letters, digits and +=,.@-_",
        ),
        (
            vec!["--external-id", "x"],
            "invalid value 'x' for '--external-id <ID>': an external id is 2-1224 characters: letters, digits and +=,.@:/-_",
        ),
    ];
    for (args, want) in bad {
        let out = run(&args);
        exits_with(&out, 2, want);
    }
    let out = run(&["--external-id", "octo-ext"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "ec2-delta: --external-id and --duration apply to the role assumed in each of --accounts (or AWS_ACCOUNT_NUMBERS); no accounts are given"
    );
}
