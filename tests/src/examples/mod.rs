//! The scheduler files in examples/ run as their scheduler runs them, against octo-sim (Halo,
//! Slack) and moto (S3, EC2, STS): the crontab line by line as cron does (its environment, its
//! SHELL, `-c`), the GitHub Actions job's `run:` steps with the shell GitHub picks, and the systemd
//! unit's ExecStart with the environment systemd gives it. The files are parsed, not copied.
//!
//! The host paths the examples name (`/etc/octobox`, `/var/lib/octobox`, `/usr/local/bin`) are
//! mapped into a temp dir ([`host::Root`]): the env file the examples read is a real file there, in the
//! one format both cron's `.` and systemd's `EnvironmentFile=` accept, and `/usr/local/bin` holds
//! the workspace's binaries. Everything else runs as written.
//!
//! The parsers and the host live here, by scheduler; the tests are `tests/tests/examples/`.

pub mod actions;
pub mod aws;
pub mod cron;
pub mod host;
pub mod systemd;

/// Every binary of the workspace an example may call.
pub const BINARIES: [&str; 10] = [
    "halo-query",
    "ec2-delta",
    "event-export",
    "scan-export",
    "fw-graph",
    "quarantine",
    "ipblock",
    "slack-notify",
    "sec-takedown",
    "octo-bot",
];

/// moto's own account (the caller's) and the two the examples assume a role in.
pub const BASE: &str = "123456789012";
pub const ACCOUNT_A: &str = "111111111111";
pub const ACCOUNT_B: &str = "222222222222";
pub const ROLE: &str = "inventory-reader";

/// The header of the CSV ec2-delta writes.
pub const CSV_HEADER: &str = "instance_id,aws_account,aws_region,key_name,launch_time,vpc_id,state,instance_type,private_ip,public_ip,name,tags";

/// The text of `examples/REL`.
pub fn example(rel: &str) -> String {
    let path = format!("{}/../examples/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
