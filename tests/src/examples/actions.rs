//! GitHub Actions: `${{ secrets.* }}` expressions and the shell a `run:` step gets.

use std::collections::BTreeMap;

use serde_json::Value;

/// `${{ secrets.NAME }}` replaced; any other expression is not supported here.
pub fn actions_expr(v: &str, secrets: &BTreeMap<&str, &str>) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").expect("unclosed ${{") + i;
        let expr = rest[i + 3..end].trim();
        let name = expr
            .strip_prefix("secrets.")
            .unwrap_or_else(|| panic!("unsupported expression `{expr}`"));
        out.push_str(
            secrets
                .get(name)
                .unwrap_or_else(|| panic!("no secret {name}")),
        );
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The command GitHub runs a `run:` step with on a Linux runner: the step's `shell:`, else the
/// job's or workflow's `defaults.run.shell`, else `bash -e {0}`; `{0}` is the script file.
pub fn actions_shell(wf: &Value, job: &Value, step: &Value) -> Vec<String> {
    let shell = step["shell"]
        .as_str()
        .or_else(|| job.pointer("/defaults/run/shell").and_then(Value::as_str))
        .or_else(|| wf.pointer("/defaults/run/shell").and_then(Value::as_str));
    let template = match shell {
        None => "bash -e {0}",
        Some("bash") => "bash --noprofile --norc -eo pipefail {0}",
        Some("sh") => "sh -e {0}",
        Some(custom) if custom.contains("{0}") => custom,
        Some(other) => panic!("shell `{other}` is not emulated here"),
    };
    template.split_whitespace().map(str::to_string).collect()
}
