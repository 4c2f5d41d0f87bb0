//! AWS credentials as the AWS CLI takes them, against moto: `--profile` / `AWS_PROFILE` naming a
//! profile with `role_arn` + `source_profile` (aws-config's profile provider assumes the role), and
//! the checked ranges of `--external-id`, `--role-session-name` and `--duration`.

use aws_config::{BehaviorVersion, Region};
use octo_testkit::Moto;
use octo_testkit::harness::{Keys, TestEnv, code, exits_with, jsonl, ok, stderr};

const BASE: &str = "123456789012";
const OTHER: &str = "111111111111";

/// Launch one instance as `creds` (moto puts it in their account); its id.
async fn launch(moto: &Moto, creds: aws_sdk_ec2::config::Credentials) -> String {
    let cfg = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(moto.url())
        .credentials_provider(creds)
        .load()
        .await;
    octo_testkit::launch_instances(&cfg, octo_testkit::Launch::default())
        .await
        .remove(0)
}

/// One instance in the caller's account and one in OTHER (through AssumeRole); their ids.
fn seed(moto: &Moto) -> (String, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let base = launch(
            moto,
            aws_sdk_ec2::config::Credentials::new("testing", "testing", None, None, "t"),
        )
        .await;
        let sts = aws_sdk_sts::Client::new(&moto.sdk_config("us-east-1").await);
        let c = sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{OTHER}:role/inventory-reader"))
            .role_session_name("seed")
            .send()
            .await
            .unwrap();
        let c = c.credentials().unwrap();
        let other = launch(
            moto,
            aws_sdk_ec2::config::Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_string()),
                None,
                "t",
            ),
        )
        .await;
        (base, other)
    })
}

/// moto's endpoint and AWS files with a `chained` profile (role in OTHER via `base`'s keys); no
/// credentials in the environment.
fn env(moto: &Moto) -> TestEnv {
    let env = TestEnv::new();
    let config = env.file(
        "aws/config",
        &format!(
            "[profile base]\nregion = us-east-1\n\n[profile chained]\nrole_arn = arn:aws:iam::{OTHER}:role/inventory-reader\nsource_profile = base\nrole_session_name = octobox-test\nregion = us-east-1\n"
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

fn rows(out: &std::process::Output) -> Vec<(String, String)> {
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
    let args = [
        "--regions",
        "us-east-1",
        "--halo-servers",
        "-",
        "-o",
        "jsonl",
    ];
    let out = env
        .command("ec2-delta", Keys::Read)
        .args(["--profile", "chained"])
        .args(args)
        .output()
        .unwrap();
    env.assert_no_secrets(&out);
    assert_eq!(rows(&out), vec![(OTHER.to_string(), other_id.clone())]);
    let out = env
        .command("ec2-delta", Keys::Read)
        .env("AWS_PROFILE", "chained")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(rows(&out), vec![(OTHER.to_string(), other_id)]);
    // the source profile alone is the caller's own account
    let out = env
        .command("ec2-delta", Keys::Read)
        .args(["--profile", "base"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(rows(&out), vec![(BASE.to_string(), base_id)]);
}

#[test]
fn role_session_settings_are_used_and_checked() {
    let moto = Moto::start();
    let (base_id, other_id) = seed(&moto);
    let env = env(&moto);
    let run = |extra: &[&str]| {
        env.command("ec2-delta", Keys::Read)
            .args([
                "--profile",
                "base",
                "--regions",
                "us-east-1",
                "--halo-servers",
                "-",
                "-o",
                "jsonl",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[
        "--accounts",
        OTHER,
        "--role-name",
        "inventory-reader",
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
