//! The real binary: every format, files and stdout, exit codes.

mod common;

use assert_cmd::Command;
use octo_testkit::harness::{Keys, TestEnv};
use predicates::prelude::*;

/// fw-graph in `env` (nothing of the caller's environment), without colour.
fn fw_graph(env: &TestEnv) -> Command {
    let mut c = env.command("fw-graph", Keys::Read);
    c.env("NO_COLOR", "1");
    c
}

/// [`fw_graph`] with `--policy` the fixture policy file, then `args`.
fn on_fixture(env: &TestEnv, args: &[&str]) -> Command {
    let mut c = fw_graph(env);
    c.args(["--policy", common::fixture_path().to_str().unwrap()])
        .args(args);
    c
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(common::golden_path(name)).unwrap()
}

#[test]
fn text_formats_on_stdout_match_the_golden_files() {
    let env = TestEnv::new();
    for (format, file) in [("dot", "policy.dot"), ("mermaid", "policy.mmd")] {
        on_fixture(&env, &["--format", format])
            .assert()
            .success()
            .stdout(golden(file))
            .stderr("");
    }
    fw_graph(&env)
        .args([
            "--policy",
            "-",
            "--format",
            "jsonl",
            "--all",
            "--group-name",
            "web-servers",
        ])
        .write_stdin(std::fs::read(common::fixture_path()).unwrap())
        .assert()
        .success()
        .stdout(golden("policy.all.jsonl"));
    // the golden records (exactly what the binary printed) hold to the contract
    let recs: Vec<serde_json::Value> = golden("policy.all.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 10);
    octo_testkit::assert_records(&recs, "fw-graph.edge.v1");
}

#[test]
fn the_bare_policy_object_works_as_well_as_the_wrapped_one() {
    let env = TestEnv::new();
    let bare = common::fixture()["firewall_policy"].to_string();
    fw_graph(&env)
        .args(["--policy", "-", "--format", "dot"])
        .write_stdin(bare)
        .assert()
        .success()
        .stdout(golden("policy.dot"));
}

#[test]
fn svg_and_png_to_stdout_and_files() {
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    on_fixture(&env, &["--format", "svg"])
        .assert()
        .success()
        .stdout(
            predicate::str::starts_with("<svg").and(predicate::str::contains("load-balancers")),
        );
    // PNG to a pipe is fine (stdout is not a terminal here)
    let out = on_fixture(&env, &["--format", "png"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(&out[..8], b"\x89PNG\r\n\x1a\n");
    // --out FILE, format from the extension, atomic write leaves no temp file behind
    let png = dir.path().join("fw.png");
    on_fixture(&env, &["--out", png.to_str().unwrap()])
        .assert()
        .success()
        .stdout("");
    assert_eq!(std::fs::read(&png).unwrap(), out, "file and stdout agree");
    for (ext, starts) in [
        ("svg", "<svg"),
        ("dot", "digraph"),
        ("mmd", "flowchart LR"),
        ("jsonl", "{\"record\""),
        ("json", "[\n  {\n    \"record\""),
        ("csv", "record,chain,action,"),
    ] {
        let p = dir.path().join(format!("fw.{ext}"));
        on_fixture(&env, &["--out", p.to_str().unwrap()])
            .assert()
            .success();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.starts_with(starts), "{ext}: {}", &text[..20]);
    }
    // overwrite in place; --format wins over the extension
    on_fixture(&env, &["-o", "dot", "--out", png.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&png).unwrap(), golden("policy.dot"));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    assert_eq!(names.len(), 7, "{names:?}");
}

#[test]
fn the_edges_as_records_in_every_format_with_columns() {
    let env = TestEnv::new();
    let golden_jsonl = golden("policy.all.jsonl");
    let records: Vec<serde_json::Value> = golden_jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // piped without a format: jsonl, the golden bytes
    on_fixture(&env, &["--all", "--group-name", "web-servers"])
        .assert()
        .success()
        .stdout(golden_jsonl.clone());
    // -o dot is the DOT picture
    on_fixture(&env, &["-o", "dot"])
        .assert()
        .success()
        .stdout(golden("policy.dot"));
    let run = |args: &[&str]| -> String {
        let out = on_fixture(&env, &["--all", "--group-name", "web-servers"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    // json: the same records as one array
    let json: serde_json::Value = serde_json::from_str(&run(&["-o", "json"])).unwrap();
    assert_eq!(json, serde_json::Value::Array(records.clone()));
    // -c in every record format
    let first = &records[0];
    let s = |k: &str| first[k].as_str().unwrap().to_string();
    assert_eq!(
        run(&["-o", "jsonl", "-c", "from,to"])
            .lines()
            .next()
            .unwrap(),
        serde_json::json!({"from": first["from"], "to": first["to"]}).to_string()
    );
    let csv = run(&["-o", "csv", "-c", "chain,from,to"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("chain,from,to"));
    assert_eq!(
        lines.next().unwrap(),
        format!("{},{},{}", s("chain"), s("from"), s("to"))
    );
    assert_eq!(csv.lines().count(), records.len() + 1);
    let no_header = run(&["-o", "csv", "-c", "chain,from,to", "--no-header"]);
    assert_eq!(no_header, csv.split_once('\n').unwrap().1);
    // a table: the default columns, a header, one line per edge
    let table = run(&["-o", "table"]);
    assert!(
        table.starts_with("chain   position  action  from"),
        "{table}"
    );
    assert_eq!(table.lines().count(), records.len() + 1);
    let table = run(&["-o", "table", "-c", "action,to", "--no-header"]);
    assert_eq!(table.lines().count(), records.len());
    assert!(
        table.starts_with(first["action"].as_str().unwrap()),
        "{table}"
    );
}

#[test]
fn malformed_json_on_stdin_is_exit_3_naming_stdin_and_line() {
    let env = TestEnv::new();
    fw_graph(&env)
        .args(["--policy", "-", "--format", "dot"])
        .write_stdin("{\"firewall_policy\": {\"name\": ")
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "fw-graph: stdin:1: malformed JSON",
        ));
}

#[test]
fn an_unusable_policy_is_exit_3_naming_the_field_and_position() {
    let env = TestEnv::new();
    let mut v = common::fixture();
    v["firewall_policy"]["firewall_rules"][4]["action"] = "ALLOW".into();
    fw_graph(&env)
        .args(["--policy", "-", "--format", "mermaid"])
        .write_stdin(v.to_string())
        .assert()
        .code(3)
        .stdout("")
        .stderr(
            predicate::str::contains("field `firewall_rules[4].action`")
                .and(predicate::str::contains("position 5")),
        );
    for (input, message) in [
        ("{\"firewall_policy\": null}", "no firewall policy"),
        (
            "{\"name\": \"a\", \"firewall_rules\": []}\n{\"name\": \"b\", \"firewall_rules\": []}\n",
            "stdin:2: a second JSON document",
        ),
    ] {
        fw_graph(&env)
            .args(["--policy", "-", "--format", "dot"])
            .write_stdin(input)
            .assert()
            .code(3)
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn usage_errors_are_exit_2() {
    let env = TestEnv::new();
    on_fixture(&env, &["--format", "gif"])
        .assert()
        .code(2)
        .stdout("");
    on_fixture(&env, &["--out", "graph.weird"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--format"));
    // -o is the format, never a file
    on_fixture(&env, &["-o", "graph.svg"])
        .assert()
        .code(2)
        .stdout("");
    // columns and --no-header are for the records, not for a picture
    for extra in [&["-c", "from"][..], &["--no-header"]] {
        on_fixture(&env, &["-o", "svg"])
            .args(extra)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("not for a picture"));
    }
    fw_graph(&env).args(["--format", "dot"]).assert().code(2);
    fw_graph(&env)
        .args(["--policy", "/nonexistent/policy.json", "--format", "dot"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file"));
}

#[test]
fn help_and_version() {
    let env = TestEnv::new();
    fw_graph(&env)
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("--policy").and(predicate::str::contains("mermaid")));
    fw_graph(&env)
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("fw-graph 0."));
}

/// No font package is needed: the binary links no font library and renders the same PNG with
/// every fontconfig/XDG lookup pointed at nothing.
#[test]
fn renders_with_no_fonts_installed() {
    let env = TestEnv::new();
    let bin = std::fs::read(assert_cmd::cargo::cargo_bin("fw-graph")).unwrap();
    for lib in [
        &b"libfontconfig"[..],
        b"libfreetype",
        b"FcConfigGetCurrent",
        b"FT_Init_FreeType",
    ] {
        assert!(
            !bin.windows(lib.len()).any(|w| w == lib),
            "binary references {}",
            String::from_utf8_lossy(lib)
        );
    }
    let empty = tempfile::tempdir().unwrap();
    let normal = on_fixture(&env, &["--format", "png"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let isolated = on_fixture(&env, &["--format", "png"])
        .env("FONTCONFIG_FILE", empty.path().join("none.conf"))
        .env("FONTCONFIG_PATH", empty.path())
        .env("XDG_DATA_DIRS", empty.path())
        .env("XDG_DATA_HOME", empty.path())
        .env("HOME", empty.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(normal, isolated);
}
