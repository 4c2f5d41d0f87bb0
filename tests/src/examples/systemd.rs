//! systemd: a unit file parsed as systemd reads it (sections, continuation lines, quoting,
//! `EnvironmentFile=`), its directives checked, and the command line and environment systemd
//! would give `ExecStart=`.

use std::collections::BTreeMap;
use std::path::Path;

use super::host::Root;

/// `(section, key, value)` of every directive, in file order.
pub fn parse_unit(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut pending = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if pending.is_empty() && (line.is_empty() || line.starts_with('#') || line.starts_with(';'))
        {
            continue;
        }
        if let Some(cont) = line.strip_suffix('\\') {
            pending.push_str(cont);
            pending.push(' ');
            continue;
        }
        let line = format!("{pending}{line}");
        pending.clear();
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.to_string();
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("line {}: not KEY=VALUE: {raw}", i + 1));
        assert!(!section.is_empty(), "line {}: outside a section", i + 1);
        out.push((section.clone(), k.trim().to_string(), v.trim().to_string()));
    }
    out
}

/// systemd's word splitting of ExecStart= and Environment=: whitespace separates, single and
/// double quotes group, a backslash escapes the next character.
pub fn systemd_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unbalanced quotes: {s}");
    if in_word {
        words.push(cur);
    }
    words
}

/// systemd's `EnvironmentFile=` format: `KEY=VALUE` lines, `#`/`;` comments, blank lines; one
/// pair of quotes around a value removed. Lines that are not an assignment are ignored by
/// systemd (with a log line), so one here fails the test.
pub fn systemd_env_file(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        let (k, v) = t.split_once('=').expect("KEY=VALUE");
        let k = k.trim();
        assert!(
            k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "systemd ignores `{t}`"
        );
        let v = v.trim();
        let v = ['"', '\'']
            .iter()
            .find_map(|q| v.strip_prefix(*q).and_then(|s| s.strip_suffix(*q)))
            .unwrap_or(v);
        out.push((k.to_string(), v.to_string()));
    }
    out
}

/// Directives of the sections a service unit has, and the values systemd accepts for the
/// enumerated ones (None = free-form).
pub fn check_directives(unit: &[(String, String, String)]) {
    const BOOL: &[&str] = &["yes", "no", "true", "false", "on", "off", "1", "0"];
    let allowed: &[(&str, &str, Option<&[&str]>)] = &[
        ("Unit", "Description", None),
        ("Unit", "Documentation", None),
        ("Unit", "After", None),
        ("Unit", "Before", None),
        ("Unit", "Wants", None),
        ("Unit", "Requires", None),
        ("Unit", "StartLimitIntervalSec", None),
        ("Unit", "StartLimitBurst", None),
        (
            "Service",
            "Type",
            Some(&["simple", "exec", "forking", "oneshot", "notify"]),
        ),
        ("Service", "ExecStart", None),
        ("Service", "ExecStartPre", None),
        ("Service", "Environment", None),
        ("Service", "EnvironmentFile", None),
        (
            "Service",
            "Restart",
            Some(&[
                "no",
                "on-success",
                "on-failure",
                "on-abnormal",
                "on-watchdog",
                "on-abort",
                "always",
            ]),
        ),
        ("Service", "RestartSec", None),
        ("Service", "User", None),
        ("Service", "Group", None),
        ("Service", "DynamicUser", Some(BOOL)),
        ("Service", "StateDirectory", None),
        ("Service", "RuntimeDirectory", None),
        ("Service", "WorkingDirectory", None),
        ("Service", "NoNewPrivileges", Some(BOOL)),
        ("Service", "PrivateTmp", Some(BOOL)),
        (
            "Service",
            "ProtectSystem",
            Some(&["yes", "no", "true", "false", "full", "strict"]),
        ),
        (
            "Service",
            "ProtectHome",
            Some(&["yes", "no", "read-only", "tmpfs"]),
        ),
        (
            "Service",
            "KillMode",
            Some(&["control-group", "mixed", "process", "none"]),
        ),
        (
            "Service",
            "KillSignal",
            Some(&["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP"]),
        ),
        ("Service", "TimeoutStopSec", None),
        ("Service", "StandardOutput", None),
        ("Service", "StandardError", None),
        ("Service", "SyslogIdentifier", None),
        ("Install", "WantedBy", None),
        ("Install", "RequiredBy", None),
    ];
    for (section, key, value) in unit {
        let rule = allowed
            .iter()
            .find(|(s, k, _)| s == section && k == key)
            .unwrap_or_else(|| panic!("[{section}] {key}= is not a directive systemd knows here"));
        if let Some(values) = rule.2 {
            assert!(values.contains(&value.as_str()), "{key}={value}");
        }
        if key == "RestartSec" || key == "TimeoutStopSec" {
            let digits = value.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            assert!(
                digits.parse::<f64>().is_ok()
                    && ["", "s", "sec", "ms", "min"].contains(&&value[digits.len()..]),
                "{key}={value}"
            );
        }
        if matches!(key.as_str(), "After" | "Wants" | "Requires" | "WantedBy") {
            for u in value.split_whitespace() {
                assert!(
                    [".target", ".service", ".socket", ".timer"]
                        .iter()
                        .any(|s| u.ends_with(s)),
                    "{key}={u}: not a unit name"
                );
            }
        }
    }
    for required in ["ExecStart", "Description", "WantedBy"] {
        assert_eq!(
            unit.iter().filter(|(_, k, _)| k == required).count(),
            1,
            "one {required}="
        );
    }
}

/// The argv and environment systemd starts the service with: its default PATH, the dynamic
/// user's HOME=/ and STATE_DIRECTORY, `Environment=`, then `EnvironmentFile=` (which overrides
/// `Environment=`); `$NAME` words and `${NAME}` in ExecStart expanded from that environment.
pub fn service_exec(
    root: &Root,
    unit: &[(String, String, String)],
) -> (Vec<String>, Vec<(String, String)>) {
    let get = |key: &str| -> Vec<&str> {
        unit.iter()
            .filter(|(s, k, _)| s == "Service" && k == key)
            .map(|(_, _, v)| v.as_str())
            .collect()
    };
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    env.insert(
        "PATH".into(),
        root.map("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
    );
    env.insert("HOME".into(), "/".into());
    env.insert("LANG".into(), "C.UTF-8".into());
    for d in get("StateDirectory") {
        env.insert(
            "STATE_DIRECTORY".into(),
            root.path(&format!("/var/lib/{d}")).display().to_string(),
        );
    }
    for v in get("Environment") {
        for w in systemd_words(v) {
            let (k, val) = w
                .split_once('=')
                .expect("Environment= takes NAME=VALUE words");
            env.insert(k.into(), val.into());
        }
    }
    for f in get("EnvironmentFile") {
        let (optional, f) = match f.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, f),
        };
        if optional && !Path::new(f).exists() {
            continue;
        }
        env.extend(systemd_env_file(Path::new(f)));
    }
    let exec = get("ExecStart");
    let exec = exec[0];
    assert!(
        exec.starts_with('/'),
        "ExecStart= starts with an absolute path: {exec}"
    );
    let mut argv = Vec::new();
    for w in systemd_words(exec) {
        if let Some(name) = w.strip_prefix('$').filter(|n| !n.starts_with('{')) {
            argv.extend(
                env.get(name)
                    .map(|v| v.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                    .unwrap_or_default(),
            );
            continue;
        }
        let mut w = w;
        while let Some(i) = w.find("${") {
            let end = w[i..].find('}').expect("closing }") + i;
            let val = env.get(&w[i + 2..end]).cloned().unwrap_or_default();
            w.replace_range(i..=end, &val);
        }
        argv.push(w);
    }
    (argv, env.into_iter().collect())
}
