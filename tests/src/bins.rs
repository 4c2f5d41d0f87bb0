//! The workspace's binaries, from `cargo metadata`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The workspace root (the directory of the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// `cargo metadata --format-version 1 --offline` of the workspace, with `extra` arguments
/// (`--no-deps` for the members only; without it the resolved dependency graph is included).
/// Panics when cargo fails.
pub fn metadata(extra: &[&str]) -> Value {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(extra)
        .arg("--manifest-path")
        .arg(workspace_root().join("Cargo.toml"))
        .output()
        .expect("running cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// The name of every `bin` target of every workspace package, sorted. Panics when `cargo
/// metadata` fails or finds none.
pub fn workspace_bins() -> Vec<String> {
    let meta = metadata(&["--no-deps"]);
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut bins: Vec<String> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["id"].as_str().is_some_and(|id| members.contains(&id)))
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .filter(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "bin"))
        })
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .collect();
    bins.sort();
    bins.dedup();
    assert!(!bins.is_empty(), "cargo metadata lists no bin targets");
    bins
}

/// The built binary `name` in `target/debug` (panics naming the fix when it is not built).
pub fn path(name: &str) -> PathBuf {
    octo_testkit::bin(name)
}
