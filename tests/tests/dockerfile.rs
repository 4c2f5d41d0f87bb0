//! The `Dockerfile` (issue 18 item 4), checked statically: no container daemon runs here.
//! - two stages: a builder on the toolchain of rust-toolchain.toml, a slim Debian runtime;
//! - the build is locked (`--locked`, release profile) and installs with `make install`, whose
//!   bin/ holds every workspace binary (tests/tests/install.rs proves that for any prefix);
//! - the runtime copies exactly that bin/ onto its PATH and runs as a numeric non-root user;
//! - the build context leaves target/ out; the Kubernetes examples name the image it builds.

use std::fs;

use octobox_tests::bins::workspace_root;

/// One instruction: keyword (upper case) and its arguments, continuation lines joined.
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let line = line.trim();
        if pending.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        if let Some(cont) = line.strip_suffix('\\') {
            pending.push_str(cont);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let (kw, args) = pending.split_once(' ').unwrap_or((pending.as_str(), ""));
        out.push((kw.to_ascii_uppercase(), args.trim().to_string()));
        pending.clear();
    }
    assert!(
        pending.is_empty(),
        "the Dockerfile ends inside a continued line"
    );
    out
}

/// `name=VALUE` out of a shell command line.
fn assignment<'a>(command: &'a str, name: &str) -> Option<&'a str> {
    command
        .split_whitespace()
        .find_map(|w| w.strip_prefix(&format!("{name}=")))
}

fn toolchain_channel() -> String {
    let text = fs::read_to_string(workspace_root().join("rust-toolchain.toml")).unwrap();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("channel = "))
        .expect("rust-toolchain.toml names a channel")
        .trim_matches('"')
        .to_string()
}

#[test]
fn dockerfile_builds_locked_and_runs_every_binary_as_non_root() {
    let text = fs::read_to_string(workspace_root().join("Dockerfile")).unwrap();
    let all = instructions(&text);
    let stages: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, (kw, _))| kw == "FROM")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(stages.len(), 2, "a builder stage and a runtime stage");
    let build = &all[stages[0]..stages[1]];
    let runtime = &all[stages[1]..];

    // builder: the locked toolchain, named `build`
    let from = build[0].1.split_whitespace().collect::<Vec<_>>();
    let channel = toolchain_channel();
    assert!(
        from[0].starts_with(&format!("rust:{channel}-slim-")),
        "the builder runs rust-toolchain.toml's {channel}: FROM {}",
        build[0].1
    );
    assert_eq!(from[1..], ["AS", "build"], "FROM {}", build[0].1);
    let distro = from[0].rsplit('-').next().unwrap();
    let runs: Vec<&str> = build
        .iter()
        .filter(|(kw, _)| kw == "RUN")
        .map(|(_, a)| a.as_str())
        .collect();
    let cargo_build = runs
        .iter()
        .find(|r| r.contains("cargo build"))
        .expect("the builder runs cargo build");
    for flag in ["--workspace", "--locked", "--release"] {
        assert!(
            cargo_build.split_whitespace().any(|w| w == flag),
            "cargo build {flag}: {cargo_build}"
        );
    }
    let install = runs
        .iter()
        .find(|r| r.contains("make install"))
        .expect("the builder installs with make install");
    let destdir = assignment(install, "DESTDIR").expect("make install DESTDIR=");
    let prefix = assignment(install, "PREFIX").expect("make install PREFIX=");
    assert_eq!(assignment(install, "PROFILE"), Some("release"), "{install}");
    assert_eq!(
        assignment(install, "NO_BUILD"),
        Some("1"),
        "make install packages what cargo build just built: {install}"
    );

    // runtime: slim Debian of the builder's release, bin/ of the install on PATH, not root
    assert_eq!(
        runtime[0].1,
        format!("debian:{distro}-slim"),
        "the runtime is the slim Debian the builder was built on"
    );
    let copies: Vec<&str> = runtime
        .iter()
        .filter(|(kw, _)| kw == "COPY")
        .map(|(_, a)| a.as_str())
        .collect();
    let bin = format!("{prefix}/bin/");
    assert_eq!(
        copies,
        [format!("--from=build {destdir}{bin} {bin}")],
        "the runtime copies the installed bin/ (every binary) and nothing else"
    );
    let path = runtime
        .iter()
        .filter(|(kw, _)| kw == "ENV")
        .find_map(|(_, a)| a.strip_prefix("PATH="))
        .expect("ENV PATH=");
    assert!(
        path.split(':').any(|d| format!("{d}/") == bin),
        "{bin} is on the PATH: {path}"
    );
    let users: Vec<&str> = runtime
        .iter()
        .filter(|(kw, _)| kw == "USER")
        .map(|(_, a)| a.as_str())
        .collect();
    let user = users.last().expect("the runtime sets USER");
    let uid = user.split(':').next().unwrap();
    assert!(
        uid.parse::<u32>().is_ok_and(|u| u >= 1000),
        "a numeric non-root uid (Kubernetes runAsNonRoot can verify it): USER {user}"
    );
    assert!(
        runtime.iter().any(|(kw, a)| kw == "RUN"
            && a.contains("useradd")
            && a.contains(&format!("--uid {uid}"))),
        "the user {uid} exists in the image"
    );
    assert!(
        !runtime
            .iter()
            .any(|(kw, a)| kw == "RUN" && a.contains("cargo")),
        "the runtime carries no toolchain"
    );

    // the build context
    let ignore = fs::read_to_string(workspace_root().join(".dockerignore")).unwrap();
    assert!(
        ignore.lines().any(|l| l.trim() == "target/"),
        ".dockerignore leaves target/ out"
    );

    // the examples that run the image say which one and how it is built
    let tag = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("#   docker build -t "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the Dockerfile says how to build and tag it");
    let k8s = workspace_root().join("examples/k8s");
    let mut checked = 0;
    for e in fs::read_dir(&k8s).unwrap() {
        let path = e.unwrap().path();
        let yaml = fs::read_to_string(&path).unwrap();
        for line in yaml.lines().filter(|l| l.trim().starts_with("image:")) {
            assert_eq!(line.trim(), format!("image: {tag}"), "{}", path.display());
            checked += 1;
        }
        assert!(
            yaml.contains(&format!("docker build -t {tag} .")),
            "{} says how the image is built",
            path.display()
        );
    }
    assert!(checked >= 2, "the Kubernetes examples run the image");
}
