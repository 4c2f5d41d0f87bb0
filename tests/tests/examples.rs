//! The scheduler files in examples/ run as their scheduler runs them, against octo-sim (Halo,
//! Slack) and moto (S3, EC2, STS): the crontab as cron runs it, the GitHub Actions job's `run:`
//! steps with the shell GitHub picks, the systemd unit's ExecStart with the environment systemd
//! gives it. The files are parsed, not copied ([`octobox_tests::examples`]); one module per
//! scheduler.

mod examples {
    mod ci;
    mod cron;
    mod octo_bot;
    mod systemd;
}
