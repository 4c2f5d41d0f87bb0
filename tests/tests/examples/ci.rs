//! GitHub Actions: `examples/ci/ec2-delta-gate.yml`, its gate step run as a runner runs it.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use octo_testkit::Moto;
use octobox_tests::examples::actions::*;
use octobox_tests::examples::aws::*;
use octobox_tests::examples::host::*;
use octobox_tests::examples::*;
use serde_json::Value;

#[test]
fn the_ci_gate_fails_the_job_on_unprotected_instances_and_passes_without() {
    let wf: Value = serde_yaml_ng::from_str(&example("ci/ec2-delta-gate.yml")).unwrap();
    let job = &wf["jobs"]["ec2-delta"];
    assert_eq!(job["runs-on"], "ubuntu-latest");
    let steps = job["steps"].as_array().unwrap();
    let aws_step = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials@"))
        })
        .expect("an AWS credentials step");
    let region = aws_step["with"]["aws-region"].as_str().unwrap();
    let (install, gates): (Vec<&Value>, Vec<&Value>) = steps
        .iter()
        .filter(|s| s["run"].is_string())
        .partition(|s| s["run"].as_str().unwrap().starts_with("cargo install"));
    assert_eq!(install.len(), 1);
    let installed = install[0]["run"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .last();
    assert_eq!(installed, Some("ec2-delta"));
    assert_eq!(gates.len(), 1, "one gate step");
    let gate = gates[0];
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .expect("the CSV is uploaded");
    assert_eq!(
        upload["if"], "always()",
        "uploaded also when the gate fails"
    );
    let artifact = upload["with"]["path"].as_str().unwrap();

    // What the step sees: its env (secrets filled in), what configure-aws-credentials exports,
    // ec2-delta where `cargo install` puts it; moto and octo-sim stand in for AWS and Halo.
    let sim = octo_sim::Sim::spawn(octo_sim::SimConfig {
        events_per_day: 10,
        scans_per_day: 1,
        days: 1,
        ..Default::default()
    })
    .unwrap();
    let moto = Moto::start();
    let aws = Aws::new(&moto);
    let secrets: BTreeMap<&str, &str> = [
        ("HALO_API_KEY", octo_sim::READ_KEY.0),
        ("HALO_API_SECRET_KEY", octo_sim::READ_KEY.1),
    ]
    .into();
    let step_env: BTreeMap<String, String> = gate["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), actions_expr(v.as_str().unwrap(), &secrets)))
        .collect();
    assert_eq!(
        step_env.get("AWS_ACCOUNT_NUMBERS").map(String::as_str),
        Some(format!("{ACCOUNT_A};{ACCOUNT_B}").as_str())
    );
    assert_eq!(
        step_env.get("AWS_ROLE_NAME").map(String::as_str),
        Some(ROLE)
    );
    let runner = tempfile::tempdir().unwrap();
    let cargo_bin = runner.path().join("home/.cargo/bin");
    let workspace = runner.path().join("work");
    std::fs::create_dir_all(&cargo_bin).unwrap();
    std::fs::create_dir_all(&workspace).unwrap();
    std::os::unix::fs::symlink(octo_testkit::bin("ec2-delta"), cargo_bin.join("ec2-delta"))
        .unwrap();
    let script = runner.path().join("step.sh");
    std::fs::write(&script, gate["run"].as_str().unwrap()).unwrap();
    let shell = actions_shell(&wf, job, gate);
    let run_gate = || -> Output {
        let _ = std::fs::remove_file(workspace.join(artifact));
        let argv: Vec<String> = shell
            .iter()
            .map(|a| a.replace("{0}", script.to_str().unwrap()))
            .collect();
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..])
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", cargo_bin.display()))
            .env("HOME", runner.path().join("home"))
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", &workspace)
            .envs(moto.aws_env())
            .env("AWS_REGION", region)
            .env("AWS_DEFAULT_REGION", region)
            .env("HALO_API_URL", sim.url())
            .envs(&step_env)
            .current_dir(&workspace);
        run_with_timeout(cmd, "", 300)
    };

    let a1 = aws.launch(ACCOUNT_A, "us-east-1");
    let a2 = aws.launch(ACCOUNT_A, "us-east-1");
    let b1 = aws.launch(ACCOUNT_B, "eu-west-1");
    let own = aws.launch(BASE, "us-west-2");
    protect(&sim, &a1, ACCOUNT_A, "us-east-1");
    protect(&sim, &own, BASE, "us-west-2");

    // unprotected instances: the step fails, the CSV holds exactly them
    let out = run_gate();
    let csv = std::fs::read_to_string(workspace.join(artifact))
        .unwrap_or_else(|e| panic!("{artifact}: {e}\n{}", shown(&out)));
    let (header, rows) = csv_keys(&csv);
    assert_eq!(header, CSV_HEADER);
    assert_eq!(
        rows,
        sorted(vec![
            row(ACCOUNT_A, "us-east-1", &a2),
            row(ACCOUNT_B, "eu-west-1", &b1)
        ])
    );
    assert_eq!(text(&out.stdout), csv, "tee shows the CSV in the log");
    assert_eq!(
        out.status.code(),
        Some(5),
        "the gate must fail the job when instances are unprotected (exit 5 of ec2-delta): {}",
        shown(&out)
    );

    // every instance protected: the step passes
    protect(&sim, &a2, ACCOUNT_A, "us-east-1");
    protect(&sim, &b1, ACCOUNT_B, "eu-west-1");
    let out = run_gate();
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    assert_eq!(
        std::fs::read_to_string(workspace.join(artifact)).unwrap(),
        format!("{CSV_HEADER}\n")
    );
}
