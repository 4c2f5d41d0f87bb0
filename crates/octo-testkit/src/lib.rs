//! Test support for octobox's integration tests (a dev-dependency only).
//!
//! [`Moto`] starts `moto_server` (the AWS emulator, installed by `scripts/moto-env.sh`, found via
//! `MOTO_SERVER`) on a free loopback port and stops it when dropped; [`Moto::aws_env`] is the
//! environment a tool under test needs to talk to it and to nothing else. [`bin`] finds any
//! workspace binary, also one of another crate (pipelines, examples/).
//!
//! [`harness`] is the one test harness: [`harness::TestEnv`] (a clean environment with explicit
//! variables, temporary HOME/XDG dirs, octo-sim, the secret check), [`harness::Background`]
//! (killed on drop), [`harness::wait_until`] and output checks. [`assert_record`] holds a record
//! a tool printed to its contract: the JSON Schema in `bin-docs/schemas/` and the
//! `deny_unknown_fields` types of [`contract`]. [`pty`] runs a binary on a pseudo-terminal (what a
//! user's terminal would show). [`hostile`] runs a tool against octo-sim's hostile knobs and holds
//! the outcome to "fail naming the endpoint, or exactly right". [`docs_tests!`] writes a tool's
//! tests of its committed docs.

pub mod contract;
pub mod harness;
pub mod hostile;
pub mod pty;

/// The docs tests of a tool's `tests/docs.rs`: the committed man pages (one per subcommand) and
/// completions in `bin-docs/` match the clap definitions (`make docs`) and reference no missing
/// page, and every subcommand's `--help` ends with examples that parse.
/// `docs_tests!(ec2_delta::command(), "ec2-delta");` writes the two `#[test]` functions
/// (`committed_docs_are_current`, `every_subcommand_has_working_examples`). The calling crate
/// links `octo_core` (octo-testkit does not), and `bin-docs/` is two folders above its manifest.
#[macro_export]
macro_rules! docs_tests {
    ($command:expr, $bin:literal) => {
        const BIN_DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bin-docs");

        #[test]
        fn committed_docs_are_current() {
            let bin_docs = ::std::path::Path::new(BIN_DOCS);
            let stale = ::octo_core::docs::stale($command, bin_docs).unwrap();
            assert!(stale.is_empty(), "stale, run `make docs`: {stale:?}");
            let dangling =
                ::octo_core::docs::dangling_references(&bin_docs.join("man"), $bin).unwrap();
            assert!(dangling.is_empty(), "{dangling:?}");
        }

        #[test]
        fn every_subcommand_has_working_examples() {
            let problems = ::octo_core::docs::check_examples(&$command);
            assert!(problems.is_empty(), "{problems:#?}");
        }
    };
}

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `moto_server`, killed on drop.
pub struct Moto {
    child: Child,
    url: String,
}

impl Moto {
    /// Start a fresh server. Panics with a hint when moto is not installed.
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// Start a fresh server with extra environment (e.g. `INITIAL_NO_AUTH_ACTION_COUNT`, which
    /// makes moto enforce IAM policies after that many requests).
    pub fn start_with(env: &[(&str, &str)]) -> Moto {
        let bin = moto_server();
        let mut child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", "0"])
            // moto loads ~1,500 public AMIs into each (account, region) on first use: 4.6 s of
            // a first pass over 38 regions instead of 1.1 s. Tests register the one they launch.
            .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {bin}: {e} (run `make test`, or `source scripts/moto-env.sh`)")
            });
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            // Keep draining: werkzeug logs every request to stderr and would block when full.
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("Running on ").nth(1)
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(rest.trim().to_string());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("moto_server did not print its address within 60 s");
        let moto = Moto { child, url };
        moto.wait_ready();
        moto
    }

    fn wait_ready(&self) {
        let addr = self.url.trim_start_matches("http://").to_string();
        assert!(
            harness::wait_until(Duration::from_secs(30), || {
                std::net::TcpStream::connect(&addr).is_ok()
            }),
            "moto_server at {} does not accept connections",
            self.url
        );
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// An SDK configuration in `region` with the credentials of `role` in `account`, assumed on
    /// moto with the keys of [`Moto::sdk_config`]: how tests seed and read another account.
    pub async fn assumed_config(
        &self,
        account: &str,
        role: &str,
        region: &str,
    ) -> aws_config::SdkConfig {
        let sts = aws_sdk_sts::Client::new(&self.sdk_config(region).await);
        let out = sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/{role}"))
            .role_session_name("seed")
            .send()
            .await
            .expect("moto answers AssumeRole");
        let c = out.credentials().expect("AssumeRole returns credentials");
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_string()))
            .endpoint_url(&self.url)
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_string()),
                None,
                "octo-testkit",
            ))
            .load()
            .await
    }

    /// An AWS SDK configuration for the test's own calls (seeding, reading back): moto's endpoint,
    /// dummy credentials, `region`.
    pub async fn sdk_config(&self, region: &str) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_string()))
            .endpoint_url(&self.url)
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                "testing",
                "testing",
                None,
                None,
                "octo-testkit",
            ))
            .load()
            .await
    }

    /// An S3 client on moto (path-style addressing, as an IP endpoint needs).
    pub async fn s3_client(&self) -> aws_sdk_s3::Client {
        let cfg = self.sdk_config("us-east-1").await;
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&cfg)
                .force_path_style(true)
                .build(),
        )
    }

    /// An S3 client (as [`s3_client`](Self::s3_client)) after creating `bucket`.
    pub async fn s3_bucket(&self, bucket: &str) -> aws_sdk_s3::Client {
        let s3 = self.s3_client().await;
        s3.create_bucket()
            .bucket(bucket)
            .send()
            .await
            .unwrap_or_else(|e| panic!("creating bucket {bucket} in moto: {e:?}"));
        s3
    }

    /// Launch `n` running t3.micro instances in `region` of moto's default account (one
    /// reservation each, tagged `Name=NAME-i`); their ids in launch order.
    pub async fn launch(&self, region: &str, n: usize, name: &str) -> Vec<String> {
        launch_instances(
            &self.sdk_config(region).await,
            Launch {
                n,
                name: Some(name),
                ..Launch::default()
            },
        )
        .await
    }

    /// Environment for a tool under test: moto's endpoint, dummy credentials, a region, and no
    /// shared config/credentials files or instance metadata service.
    pub fn aws_env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.url.as_str()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_CONFIG_FILE", "/dev/null"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
}

/// The `moto_server` to run: `MOTO_SERVER` (set by `scripts/moto-env.sh`) or the one on PATH.
pub fn moto_server() -> String {
    // octo-testkit does not link octo-core; the variable is documented in octo_core::env
    #[allow(clippy::disallowed_methods)]
    std::env::var("MOTO_SERVER").unwrap_or_else(|_| "moto_server".into())
}

/// The Python interpreter of moto's venv (it has boto3), for test set-ups moto's API needs
/// beyond what the tools' own SDK crates cover (IAM users and policies).
pub fn moto_python() -> std::path::PathBuf {
    let server = std::path::PathBuf::from(moto_server());
    match server.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("python"),
        _ => "python3".into(),
    }
}

/// The directory of the workspace's built binaries (`target/debug`), found from the running test
/// executable (`target/debug/deps/NAME-HASH`). `CARGO_BIN_EXE_<name>` names only the binaries of
/// the test's own package; `cargo test --workspace` builds every package's binaries before it runs
/// any test, so a pipeline of several tools finds them all here.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let mut dir = exe
        .parent()
        .expect("the test executable is in a directory")
        .to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir
}

/// The built workspace binary `name` (in [`bin_dir`]); panics naming the fix when it is missing.
pub fn bin(name: &str) -> PathBuf {
    let path = bin_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is not built: run the tests with `cargo test --workspace` (it builds every binary first)",
        path.display()
    );
    path
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Check `record` against the JSON Schema at `bin-docs/schemas/NAME.json` (workspace root) with
/// the `jsonschema` crate (draft 2020-12, `format` checked too); panics listing every violation.
pub fn assert_matches_schema(record: &serde_json::Value, name: &str) {
    let path = format!(
        "{}/../../bin-docs/schemas/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")),
    )
    .unwrap_or_else(|e| panic!("{path}: {e}"));
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{path} is not a valid JSON Schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(record)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{record} does not match {name}: {}",
        errors.join("; ")
    );
}

/// Hold one record a tool printed to its contract `NAME` (a file of `bin-docs/schemas/` without
/// `.json`): it (a) validates against the JSON Schema, (b) deserializes into the
/// `deny_unknown_fields` type of [`contract::CONTRACTS`], and (c) serializes back to exactly
/// `record`, with the fields in the schema's order (so a dropped, renamed, retyped or reordered
/// field fails). Panics naming what broke.
pub fn assert_record(record: &serde_json::Value, name: &str) {
    assert_matches_schema(record, name);
    let round_trip = contract::contract(name)
        .unwrap_or_else(|| panic!("no contract type for schema {name} (octo_testkit::contract)"));
    let back = round_trip(record)
        .unwrap_or_else(|e| panic!("{record} does not deserialize as contract {name}: {e}"));
    assert_eq!(
        &back, record,
        "{name}: the record does not survive a round trip through its contract type"
    );
    let (got, want) = (record.to_string(), back.to_string());
    assert_eq!(
        got, want,
        "{name}: fields are not in the schema's order (left: the record, right: the contract)"
    );
}

/// [`assert_record`] with the schema named by the record's own `record` field
/// (`sec-takedown.step/v1` → `sec-takedown.step.v1`), for tools that print several kinds.
pub fn assert_tagged_record(record: &serde_json::Value) {
    let tag = record["record"]
        .as_str()
        .unwrap_or_else(|| panic!("{record} has no `record` field"));
    assert_record(record, &tag.replace('/', "."));
}

/// [`assert_record`] for every record of `records`, which must not be empty (a check of nothing
/// would pass).
pub fn assert_records(records: &[serde_json::Value], name: &str) {
    assert!(!records.is_empty(), "no {name} records to check");
    for r in records {
        assert_record(r, name);
    }
}

/// What [`launch_instances`] launches.
#[derive(Debug, Clone, Copy)]
pub struct Launch<'a> {
    /// How many instances (one reservation each: moto pages by reservation).
    pub n: usize,
    /// Tag `Name=NAME-i` on the i-th; none when `None`.
    pub name: Option<&'a str>,
    /// Key pair (created when missing).
    pub key: Option<&'a str>,
    /// More tags on every instance.
    pub tags: &'a [(&'a str, &'a str)],
}

impl Default for Launch<'_> {
    fn default() -> Self {
        Launch {
            n: 1,
            name: None,
            key: None,
            tags: &[],
        }
    }
}

/// Launch running t3.micro instances as `cfg` says (its region, its credentials: moto puts them
/// in that account); their ids in launch order. The one way the tests seed EC2.
pub async fn launch_instances(cfg: &aws_config::SdkConfig, l: Launch<'_>) -> Vec<String> {
    use aws_sdk_ec2::types::{InstanceType, ResourceType, Tag, TagSpecification};
    let ec2 = aws_sdk_ec2::Client::new(cfg);
    let images = ec2.describe_images().send().await.expect("moto's AMIs");
    let ami = match images.images().first().and_then(|i| i.image_id()) {
        Some(id) => id.to_string(),
        // none loaded (MOTO_EC2_LOAD_DEFAULT_AMIS=false, as `Moto::start` runs it): one of ours
        None => ec2
            .register_image()
            .name("octobox-test")
            .send()
            .await
            .expect("registering an AMI")
            .image_id()
            .expect("the new AMI's id")
            .to_string(),
    };
    if let Some(k) = l.key {
        // already there from an earlier launch: fine
        let _ = ec2.create_key_pair().key_name(k).send().await;
    }
    let mut ids = Vec::new();
    for i in 0..l.n {
        let mut tags: Vec<Tag> = l
            .tags
            .iter()
            .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
            .collect();
        if let Some(name) = l.name {
            tags.insert(
                0,
                Tag::builder()
                    .key("Name")
                    .value(format!("{name}-{i}"))
                    .build(),
            );
        }
        let mut req = ec2
            .run_instances()
            .image_id(&ami)
            .min_count(1)
            .max_count(1)
            .instance_type(InstanceType::T3Micro)
            .set_key_name(l.key.map(str::to_string));
        if !tags.is_empty() {
            req = req.tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::Instance)
                    .set_tags(Some(tags))
                    .build(),
            );
        }
        let out = req.send().await.expect("RunInstances on moto");
        ids.extend(
            out.instances()
                .iter()
                .filter_map(|i| i.instance_id().map(str::to_string)),
        );
    }
    ids
}
