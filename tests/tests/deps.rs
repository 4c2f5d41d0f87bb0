//! The crate rules of ARCHITECTURE.md, read from `cargo metadata`'s resolved graph:
//!
//! - a tool (a workspace package with a `bin` target, octo-sim aside) depends on no other tool,
//!   in any kind of dependency;
//! - octo-sim's `[dependencies]` (and build-dependencies) hold no workspace crate: it must not
//!   share a bug with the clients it tests. Its `[dev-dependencies]` may (its own tests drive it
//!   with octo-core's client and octo-testkit);
//! - no `aws-*` crate is reachable through normal dependencies from a tool that does not talk to
//!   AWS (every tool but ec2-delta, event-export, scan-export and octo-bot, whose `ec2-delta`
//!   command runs ec2-delta's engine);
//! - nor is aws-lc (`aws-lc-rs`/`aws-lc-sys`, the AWS SDK's TLS crypto): our HTTP client takes
//!   rustls with ring. `cargo metadata` resolves features for the whole workspace, where the SDK
//!   switches rustls's aws-lc on for everyone, so this rule reads `cargo tree -p TOOL`, which
//!   resolves them as `cargo build -p TOOL` (and `cargo install`) does.
//!
//! Each failure prints the offending edge (or path) of the graph.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use octobox_tests::bins;
use serde_json::Value;

/// The tools that talk to AWS.
const AWS_TOOLS: [&str; 4] = ["ec2-delta", "event-export", "scan-export", "octo-bot"];

/// The simulator: a library with a binary, not a tool.
const SIM: &str = "octo-sim";

/// A crate of the AWS SDK (not the TLS crypto library that shares the prefix).
fn is_aws_sdk(name: &str) -> bool {
    name.starts_with("aws-") && !name.starts_with("aws-lc-")
}

struct Graph {
    /// package id → name
    names: BTreeMap<String, String>,
    /// workspace members' ids
    members: BTreeSet<String>,
    /// member ids with a bin target
    bins: BTreeSet<String>,
    /// package id → (dependency id, kinds: "normal" | "dev" | "build")
    deps: BTreeMap<String, Vec<(String, Vec<String>)>>,
}

impl Graph {
    fn load() -> Graph {
        Graph::from(&bins::metadata(&[]))
    }

    fn from(meta: &Value) -> Graph {
        let mut g = Graph {
            names: BTreeMap::new(),
            members: BTreeSet::new(),
            bins: BTreeSet::new(),
            deps: BTreeMap::new(),
        };
        for m in meta["workspace_members"]
            .as_array()
            .expect("workspace_members")
        {
            g.members.insert(m.as_str().unwrap().to_string());
        }
        for p in meta["packages"].as_array().expect("packages") {
            let id = p["id"].as_str().unwrap().to_string();
            let has_bin = p["targets"].as_array().into_iter().flatten().any(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "bin"))
            });
            if has_bin && g.members.contains(&id) {
                g.bins.insert(id.clone());
            }
            g.names.insert(id, p["name"].as_str().unwrap().to_string());
        }
        for node in meta["resolve"]["nodes"].as_array().expect("resolve.nodes") {
            let id = node["id"].as_str().unwrap().to_string();
            let edges = node["deps"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| {
                    let kinds = d["dep_kinds"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|k| match &k["kind"] {
                            Value::String(s) => s.clone(),
                            _ => "normal".to_string(),
                        })
                        .collect();
                    (d["pkg"].as_str().unwrap().to_string(), kinds)
                })
                .collect();
            g.deps.insert(id, edges);
        }
        assert!(
            g.names.values().any(|n| n == "octo-core"),
            "cargo metadata lists no octo-core"
        );
        g
    }

    fn name(&self, id: &str) -> &str {
        &self.names[id]
    }

    fn id(&self, name: &str) -> &str {
        self.members
            .iter()
            .find(|id| self.name(id) == name)
            .unwrap_or_else(|| panic!("no workspace member {name}"))
    }

    fn tools(&self) -> Vec<&String> {
        self.bins.iter().filter(|id| self.name(id) != SIM).collect()
    }

    /// The first normal-dependency path from `from` to a package `bad` accepts, as names.
    fn normal_path(&self, from: &str, bad: impl Fn(&str) -> bool) -> Option<Vec<String>> {
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([from]);
        let mut seen = BTreeSet::from([from]);
        while let Some(id) = queue.pop_front() {
            if id != from && bad(self.name(id)) {
                let mut path = vec![self.name(id).to_string()];
                let mut cur = id;
                while let Some(p) = parent.get(cur) {
                    path.push(self.name(p).to_string());
                    cur = p;
                }
                path.reverse();
                return Some(path);
            }
            for (dep, kinds) in self.deps.get(id).into_iter().flatten() {
                if kinds.iter().any(|k| k == "normal") && seen.insert(dep) {
                    parent.insert(dep, id);
                    queue.push_back(dep);
                }
            }
        }
        None
    }
}

/// Edges from a tool to another tool.
fn tool_to_tool(g: &Graph) -> Vec<String> {
    let tools = g.tools();
    let mut bad = Vec::new();
    for t in &tools {
        for (dep, kinds) in &g.deps[*t] {
            // a crate may dev-depend on itself for a feature (sec-takedown's test-hooks)
            if tools.contains(&dep) && dep != *t {
                bad.push(format!(
                    "{} -> {} ({})",
                    g.name(t),
                    g.name(dep),
                    kinds.join(",")
                ));
            }
        }
    }
    bad
}

/// Edges from octo-sim to a workspace crate other than dev-dependencies.
fn sim_to_workspace(g: &Graph) -> Vec<String> {
    let sim = g.id(SIM);
    g.deps[sim]
        .iter()
        .filter(|(dep, _)| g.members.contains(dep))
        .filter(|(_, kinds)| kinds.iter().any(|k| k != "dev"))
        .map(|(dep, kinds)| format!("{SIM} -> {} ({})", g.name(dep), kinds.join(",")))
        .collect()
}

/// Paths from a tool that does not talk to AWS to an AWS SDK crate; and the AWS tools that
/// (unexpectedly) do not reach it.
fn aws_sdk_outside_aws_tools(g: &Graph) -> (Vec<String>, Vec<String>) {
    let (mut bad, mut unreached) = (Vec::new(), Vec::new());
    for t in g.tools() {
        let path = g.normal_path(t, is_aws_sdk);
        match (AWS_TOOLS.contains(&g.name(t)), path) {
            (true, None) => unreached.push(g.name(t).to_string()),
            (false, Some(p)) => bad.push(p.join(" -> ")),
            _ => {}
        }
    }
    (bad, unreached)
}

#[test]
fn no_tool_depends_on_another_tool() {
    let g = Graph::load();
    let tools = g.tools();
    assert!(
        tools.len() >= 9,
        "expected every tool, found {:?}",
        tools.iter().map(|t| g.name(t)).collect::<Vec<_>>()
    );
    let bad = tool_to_tool(&g);
    assert!(
        bad.is_empty(),
        "a binary depends on a binary:\n{}",
        bad.join("\n")
    );
}

#[test]
fn octo_sim_depends_on_no_workspace_crate_outside_its_dev_dependencies() {
    let bad = sim_to_workspace(&Graph::load());
    assert!(
        bad.is_empty(),
        "octo-sim must not share code with the clients it simulates for:\n{}",
        bad.join("\n")
    );
}

#[test]
fn only_the_aws_tools_link_the_aws_sdk() {
    let (bad, unreached) = aws_sdk_outside_aws_tools(&Graph::load());
    // the rule is about the others; the AWS tools must still reach the SDK, or this test would
    // not see it
    assert!(
        unreached.is_empty(),
        "AWS tools without the SDK: {unreached:?}"
    );
    assert!(
        bad.is_empty(),
        "a tool that does not talk to AWS links the AWS SDK:\n{}",
        bad.join("\n")
    );
}

/// `cargo tree -p TOOL -e normal` of every tool that does not talk to AWS: no `aws-` crate at
/// all, aws-lc included (~3 MB and a C build per binary, issue 14).
#[test]
fn the_tools_that_do_not_talk_to_aws_link_no_aws_crate_not_even_aws_lc() {
    let g = Graph::load();
    let mut bad = Vec::new();
    for id in g.tools() {
        let tool = g.name(id);
        if AWS_TOOLS.contains(&tool) {
            continue;
        }
        let out = std::process::Command::new(env!("CARGO"))
            .args([
                "tree",
                "--offline",
                "-e",
                "normal",
                "--prefix",
                "none",
                "-p",
                tool,
            ])
            .arg("--manifest-path")
            .arg(octobox_tests::bins::workspace_root().join("Cargo.toml"))
            .output()
            .expect("running cargo tree");
        assert!(
            out.status.success(),
            "cargo tree -p {tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tree = String::from_utf8(out.stdout).unwrap();
        assert!(tree.contains("reqwest v"), "{tool}: no reqwest in\n{tree}");
        let mut aws: Vec<&str> = tree
            .lines()
            .filter(|l| l.starts_with("aws-"))
            .map(|l| l.split(' ').next().unwrap_or(l))
            .collect();
        aws.sort_unstable();
        aws.dedup();
        if !aws.is_empty() {
            bad.push(format!("{tool}: {}", aws.join(", ")));
        }
    }
    assert!(
        bad.is_empty(),
        "AWS crates in tools that do not talk to AWS:\n{}",
        bad.join("\n")
    );
}

/// The checks on a made-up graph that breaks every rule: each names its edge or path.
#[test]
fn each_rule_names_what_breaks_it() {
    let pkg = |name: &str, bin: bool| {
        let kind = if bin { "bin" } else { "lib" };
        serde_json::json!({"id": name, "name": name, "targets": [{"kind": [kind]}]})
    };
    let dep = |name: &str, kind: Option<&str>| serde_json::json!({"pkg": name, "dep_kinds": [{"kind": kind}]});
    let meta = serde_json::json!({
        "workspace_members": ["octo-core", "octo-sim", "halo-query", "quarantine", "ec2-delta",
                              "event-export", "scan-export"],
        "packages": [pkg("octo-core", false), pkg("octo-sim", true), pkg("halo-query", true),
                     pkg("quarantine", true), pkg("ec2-delta", true), pkg("event-export", true),
                     pkg("scan-export", true), pkg("aws-config", false), pkg("aws-lc-rs", false),
                     pkg("reqwest", false)],
        "resolve": {"nodes": [
            {"id": "octo-core", "deps": [dep("reqwest", None)]},
            {"id": "reqwest", "deps": [dep("aws-lc-rs", None)]},
            {"id": "octo-sim", "deps": [dep("octo-core", None), dep("quarantine", Some("dev"))]},
            {"id": "halo-query", "deps": [dep("octo-core", None), dep("quarantine", Some("dev"))]},
            {"id": "quarantine", "deps": [dep("octo-core", None), dep("aws-config", Some("dev"))]},
            {"id": "ec2-delta", "deps": [dep("octo-core", None), dep("aws-config", None)]},
            {"id": "event-export", "deps": [dep("ec2-delta", None)]},
            {"id": "scan-export", "deps": [dep("octo-core", None)]},
            {"id": "aws-config", "deps": []},
            {"id": "aws-lc-rs", "deps": []}
        ]}
    });
    let g = Graph::from(&meta);
    assert_eq!(
        tool_to_tool(&g),
        [
            "event-export -> ec2-delta (normal)",
            "halo-query -> quarantine (dev)"
        ]
    );
    assert_eq!(sim_to_workspace(&g), ["octo-sim -> octo-core (normal)"]);
    // quarantine reaches aws-config only as a dev-dependency, reqwest's aws-lc-rs is allowed
    let (bad, unreached) = aws_sdk_outside_aws_tools(&g);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(unreached, ["scan-export"]);
    // a normal path through a library is found and printed whole
    let mut meta = meta;
    meta["resolve"]["nodes"][0]["deps"]
        .as_array_mut()
        .unwrap()
        .push(dep("aws-config", None));
    let (bad, _) = aws_sdk_outside_aws_tools(&Graph::from(&meta));
    assert_eq!(
        bad,
        [
            "halo-query -> octo-core -> aws-config",
            "quarantine -> octo-core -> aws-config"
        ]
    );
}
#[test]
fn the_aws_sdk_filter_keeps_the_tls_crypto_library() {
    assert!(is_aws_sdk("aws-config"));
    assert!(is_aws_sdk("aws-sdk-s3"));
    assert!(is_aws_sdk("aws-smithy-runtime"));
    assert!(!is_aws_sdk("aws-lc-rs"));
    assert!(!is_aws_sdk("aws-lc-sys"));
    assert!(!is_aws_sdk("octo-aws"));
}
