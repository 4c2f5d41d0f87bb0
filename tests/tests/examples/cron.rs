//! cron: `examples/cron/octobox.crontab`, every job as cron runs it.

use std::collections::BTreeMap;

use chrono::Utc;
use octo_testkit::Moto;
use octobox_tests::examples::aws::*;
use octobox_tests::examples::cron::*;
use octobox_tests::examples::host::*;
use octobox_tests::examples::*;

#[test]
fn the_crontab_runs_as_cron_runs_it() {
    let raw = example("cron/octobox.crontab");
    let root = Root::new();
    root.check_paths("octobox.crontab", &raw);
    let tab = parse_crontab(&root.map(&raw));
    let env: BTreeMap<&str, &str> = tab
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(env.get("SHELL"), Some(&"/bin/bash"), "{env:?}");
    assert_eq!(
        env.get("CRON_TZ"),
        Some(&"UTC"),
        "the comment says times are UTC"
    );
    let job = |tool: &str| -> &CronJob {
        let found: Vec<&CronJob> = tab
            .jobs
            .iter()
            .filter(|j| j.command.contains(&format!("&& {tool} ")))
            .collect();
        assert_eq!(found.len(), 1, "one {tool} line: {:?}", tab.jobs);
        found[0]
    };
    assert_eq!(tab.jobs.len(), 3, "{:?}", tab.jobs);
    let (events, scans, delta) = (job("event-export"), job("scan-export"), job("ec2-delta"));
    assert_eq!(events.schedule, ["30", "0", "*", "*", "*"]);
    assert_eq!(scans.schedule, ["45", "0", "*", "*", "*"]);
    assert_eq!(delta.schedule, ["0", "6", "*", "*", "*"]);

    // The world: yesterday's events and scans in Halo; instances in three accounts, some of them
    // protected by a Halo agent; the archive bucket.
    let sim = octo_sim::Sim::spawn(octo_sim::SimConfig {
        events_per_day: 400,
        scans_per_day: 30,
        days: 3,
        ..Default::default()
    })
    .unwrap();
    let moto = Moto::start();
    let aws = Aws::new(&moto);
    aws.create_bucket("halo-archive");
    let base_protected = aws.launch(BASE, "us-east-1");
    let base_open = aws.launch(BASE, "us-east-1");
    let a_open = aws.launch(ACCOUNT_A, "eu-west-1");
    let b_protected = aws.launch(ACCOUNT_B, "us-west-2");
    protect(&sim, &base_protected, BASE, "us-east-1");
    protect(&sim, &b_protected, ACCOUNT_B, "us-west-2");
    let mut vars = halo_env(&sim);
    vars.extend(moto.aws_env());
    vars.push((
        "AWS_ACCOUNT_NUMBERS".into(),
        format!("{ACCOUNT_A};{ACCOUNT_B}"),
    ));
    vars.push(("AWS_ROLE_NAME".into(), ROLE.into()));
    root.write_env_file(&vars);

    let day = Utc::now().date_naive().pred_opt().unwrap();
    let (since, until) = (
        day.and_hms_opt(0, 0, 0).unwrap().and_utc(),
        (day + chrono::Days::new(1))
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc(),
    );
    let truth_events = ids_of(&sim.events(since, until));
    let truth_scans = ids_of(&sim.scans(since, until));
    assert!(truth_events.len() >= 400 && truth_scans.len() >= 30);

    // 00:30 and 00:45: yesterday to S3, silently (cron mails any output)
    for (job, kind, truth) in [
        (events, "events", &truth_events),
        (scans, "scans", &truth_scans),
    ] {
        let out = cron_run(&root, &tab, job);
        assert!(
            out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
            "{kind}: {}",
            shown(&out)
        );
        let (manifest, ids, objects) = s3_export(&aws, "halo-archive", "prod", kind, day);
        assert_eq!(&ids, truth, "{kind}: every record of {day}, once, in order");
        assert_eq!(manifest["records"].as_u64(), Some(truth.len() as u64));
        // the next night's retry (or a double run) changes nothing and mails nothing
        let again = cron_run(&root, &tab, job);
        assert!(
            again.status.success() && again.stdout.is_empty() && again.stderr.is_empty(),
            "{kind} again: {}",
            shown(&again)
        );
        assert_eq!(
            aws.objects("halo-archive", &format!("prod/{kind}/dt={day}/")),
            objects,
            "{kind}: a re-run rewrote objects"
        );
        // … and without -q it says why
        assert!(job.command.ends_with(" -q"), "{}", job.command);
        let loud = CronJob {
            schedule: job.schedule.clone(),
            command: job.command.trim_end_matches(" -q").to_string(),
            stdin: String::new(),
        };
        let out = cron_run(&root, &tab, &loud);
        let parts = manifest["parts"].as_array().unwrap().len();
        let said = format!(
            "already exported ({} records in {parts} parts)",
            truth.len()
        );
        assert!(
            out.status.success() && text(&out.stderr).contains(&said),
            "{kind}: {}",
            shown(&out)
        );
    }

    // 06:00: the unprotected instances into the CSV, and on cron's output (a mail) only when
    // there are some
    let csv_path = root.path("/var/lib/octobox/unprotected.csv");
    let out = cron_run(&root, &tab, delta);
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let (header, rows) = csv_keys(&csv);
    assert_eq!(header, CSV_HEADER);
    assert_eq!(
        rows,
        sorted(vec![
            row(BASE, "us-east-1", &base_open),
            row(ACCOUNT_A, "eu-west-1", &a_open)
        ]),
        "{}",
        shown(&out)
    );
    assert_eq!(text(&out.stdout), csv, "the mail is the CSV");
    assert!(out.stderr.is_empty(), "{}", shown(&out));
    assert!(out.status.success(), "{}", shown(&out));
    // every instance protected: an empty report, no output, no mail
    protect(&sim, &base_open, BASE, "us-east-1");
    protect(&sim, &a_open, ACCOUNT_A, "eu-west-1");
    let out = cron_run(&root, &tab, delta);
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        shown(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&csv_path).unwrap(),
        format!("{CSV_HEADER}\n")
    );
}

#[test]
fn cron_fields_are_checked() {
    for ok in [
        "*", "*/15", "0", "59", "1-5", "mon-fri", "0,30", "1-10/2", "7",
    ] {
        assert!(
            valid_cron_field(ok, 0, 59, &[]) || valid_cron_field(ok, 0, 7, &WEEKDAYS),
            "{ok}"
        );
    }
    for bad in ["60", "", "*/0", "5-1", "x", "1,,2", "mon"] {
        assert!(!valid_cron_field(bad, 0, 59, &[]), "{bad}");
    }
    let tab =
        parse_crontab("# c\nA = 'b c'\n0 6 * * 1-5 printf 'x\\%y'%line1%line2\n@daily true\n");
    assert_eq!(tab.env, [("A".to_string(), "b c".to_string())]);
    assert_eq!(tab.jobs[0].command, "printf 'x%y'");
    assert_eq!(tab.jobs[0].stdin, "line1\nline2");
    assert_eq!(tab.jobs[1].schedule, ["@daily"]);
}
