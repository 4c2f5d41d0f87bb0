//! cron: the crontab parsed as cron reads it (environment lines, the five fields checked) and a
//! job run as cron runs it.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use super::host::{Root, run_with_timeout};

#[derive(Debug)]
pub struct CronJob {
    pub schedule: Vec<String>,
    pub command: String,
    pub stdin: String,
}

#[derive(Debug)]
pub struct Crontab {
    pub env: Vec<(String, String)>,
    pub jobs: Vec<CronJob>,
}

/// `NAME = VALUE` (spaces around `=` allowed, one pair of quotes stripped), as cron reads them.
pub fn cron_env_line(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once('=')?;
    let name = name.trim();
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return None;
    }
    let v = value.trim();
    let v = ['"', '\'']
        .iter()
        .find_map(|q| v.strip_prefix(*q).and_then(|s| s.strip_suffix(*q)))
        .unwrap_or(v);
    Some((name.to_string(), v.to_string()))
}

/// One cron time field: comma-separated `*`, `N`, `N-M` (numbers in `min..=max`, or the month /
/// weekday names), each optionally `/STEP`.
pub fn valid_cron_field(field: &str, min: u32, max: u32, names: &[&str]) -> bool {
    let value = |v: &str| -> Option<u32> {
        match v.parse::<u32>() {
            Ok(n) => (min..=max).contains(&n).then_some(n),
            Err(_) => names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(v))
                .map(|i| i as u32 + min),
        }
    };
    !field.is_empty()
        && field.split(',').all(|item| {
            let (range, step) = match item.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (item, None),
            };
            let step_ok =
                step.is_none_or(|s| s.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n)));
            let range_ok = match range.split_once('-') {
                _ if range == "*" => true,
                Some((a, b)) => matches!((value(a), value(b)), (Some(a), Some(b)) if a <= b),
                None => value(range).is_some(),
            };
            step_ok && range_ok
        })
}

pub const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
pub const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// Read a crontab as cron does: comments and blank lines skipped, `NAME=VALUE` lines into the
/// environment, the five time fields (checked) or an `@` keyword, then the command; an unescaped
/// `%` ends the command and the rest (each `%` a newline) is its stdin.
pub fn parse_crontab(text: &str) -> Crontab {
    let mut tab = Crontab {
        env: Vec::new(),
        jobs: Vec::new(),
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(kv) = cron_env_line(line) {
            tab.env.push(kv);
            continue;
        }
        let n = i + 1;
        let mut rest = line;
        let mut schedule = Vec::new();
        let fields = if line.starts_with('@') { 1 } else { 5 };
        for _ in 0..fields {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            schedule.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
        if fields == 1 {
            assert!(
                [
                    "@reboot",
                    "@yearly",
                    "@annually",
                    "@monthly",
                    "@weekly",
                    "@daily",
                    "@midnight",
                    "@hourly"
                ]
                .contains(&schedule[0].as_str()),
                "line {n}: unknown {}",
                schedule[0]
            );
        } else {
            let limits: [(u32, u32, &[&str]); 5] = [
                (0, 59, &[]),
                (0, 23, &[]),
                (1, 31, &[]),
                (1, 12, &MONTHS),
                (0, 7, &WEEKDAYS),
            ];
            for (f, (min, max, names)) in schedule.iter().zip(limits) {
                assert!(
                    valid_cron_field(f, min, max, names),
                    "line {n}: `{f}` is not a cron time field ({min}-{max}): {raw}"
                );
            }
        }
        assert!(!rest.is_empty(), "line {n}: no command: {raw}");
        let (mut command, mut stdin, mut in_stdin) = (String::new(), String::new(), false);
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            let target = if in_stdin { &mut stdin } else { &mut command };
            match c {
                '\\' if chars.peek() == Some(&'%') => target.push(chars.next().unwrap()),
                '%' if !in_stdin => in_stdin = true,
                '%' => stdin.push('\n'),
                c => target.push(c),
            }
        }
        tab.jobs.push(CronJob {
            schedule,
            command,
            stdin,
        });
    }
    tab
}

/// Run a job as cron runs it: a fresh environment (cron's own SHELL=/bin/sh, PATH=/usr/bin:/bin,
/// HOME, LOGNAME, then the crontab's assignments), `$SHELL -c COMMAND` in HOME.
pub fn cron_run(root: &Root, tab: &Crontab, job: &CronJob) -> Output {
    let home = root.path("/home/octobox");
    let mut env: BTreeMap<String, String> = [
        ("SHELL", "/bin/sh".to_string()),
        ("PATH", "/usr/bin:/bin".to_string()),
        ("HOME", home.display().to_string()),
        ("LOGNAME", "octobox".to_string()),
        ("USER", "octobox".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    env.extend(tab.env.iter().cloned());
    let mut cmd = Command::new(&env["SHELL"]);
    cmd.arg("-c")
        .arg(&job.command)
        .env_clear()
        .envs(&env)
        .current_dir(&home);
    run_with_timeout(cmd, &job.stdin, 300)
}
