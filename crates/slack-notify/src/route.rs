//! `--route FILE`: choose each record's channel from its fields — the ec2-halo-delta
//! `SLACK_ROUTING` idea (`key,value,channel;…`) as a validated YAML file:
//!
//! ```yaml
//! default: halo-ops            # optional: channel for records no rule matches
//! routes:
//!   - key_name: ops-key
//!     channel: ops
//!   - vpc_id: vpc-0f1e2d3c
//!     channel: net-team
//!   - aws_region: eu-west-1
//!     channel: eu-team
//!   - aws_account: "012345678901"
//!     channel: finance
//! ```
//!
//! Each rule matches exactly one field. Rules on `key_name` are tried first, then `vpc_id`,
//! `aws_region`, `aws_account` (rules on the same field in file order); the first match wins.
//! An unknown key, a rule with no or two match fields, or an empty channel is a configuration
//! error (exit 2) naming the file and the line.

use std::path::Path;

use octo_core::exit::usage;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Routing fields, highest priority first.
pub const KEYS: [&str; 4] = ["key_name", "vpc_id", "aws_region", "aws_account"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    default: Option<Channel>,
    routes: Vec<Rule>,
}

/// A channel name: non-empty, no whitespace (a leading `#` is allowed).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
struct Channel(String);

impl TryFrom<String> for Channel {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let t = s.trim();
        if t.is_empty() || t == "#" || t.chars().any(char::is_whitespace) {
            return Err(format!("invalid channel `{s}`: a Slack channel name or id"));
        }
        Ok(Channel(t.to_string()))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    key_name: Option<String>,
    vpc_id: Option<String>,
    aws_region: Option<String>,
    aws_account: Option<String>,
    channel: Channel,
}

/// One rule: `field == value` → `channel`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub field: &'static str,
    pub value: String,
    pub channel: String,
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(RuleVisitor)
    }
}

/// Checks the rule while its mapping is open, so the error carries the rule's own line.
struct RuleVisitor;

impl<'de> serde::de::Visitor<'de> for RuleVisitor {
    type Value = Rule;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a rule: one of key_name, vpc_id, aws_region, aws_account, and channel")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Rule, A::Error> {
        let raw = RawRule::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Rule::try_from(raw).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<RawRule> for Rule {
    type Error = String;
    fn try_from(r: RawRule) -> Result<Self, String> {
        let set: Vec<(&'static str, String)> = KEYS
            .into_iter()
            .zip([r.key_name, r.vpc_id, r.aws_region, r.aws_account])
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        match set.as_slice() {
            [(field, value)] if !value.trim().is_empty() => Ok(Rule {
                field,
                value: value.trim().to_string(),
                channel: r.channel.0,
            }),
            [(field, _)] => Err(format!("rule with an empty `{field}`")),
            [] => Err(format!(
                "rule without a field to match: give one of {}",
                KEYS.join(", ")
            )),
            many => Err(format!(
                "rule matches several fields ({}): give exactly one per rule",
                many.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

/// Validated routing rules, already in match order.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    rules: Vec<Rule>,
    pub default: Option<String>,
}

impl Routes {
    /// Parse a routing file's text (`path` only names it in errors).
    pub fn parse(path: &Path, text: &str) -> anyhow::Result<Routes> {
        let f: File = serde_yaml_ng::from_str(text).map_err(|e| {
            // serde_yaml_ng leaves out a position of line 1 column 1; name it anyway
            let mut msg = e.to_string();
            if let Some(l) = e.location().filter(|_| !msg.contains(" at line ")) {
                msg.push_str(&format!(" at line {} column {}", l.line(), l.column()));
            }
            usage(format!("{}: {msg}", path.display()))
        })?;
        let mut rules = f.routes;
        // stable: same-field rules keep file order
        rules.sort_by_key(|r| KEYS.iter().position(|k| *k == r.field));
        Ok(Routes {
            rules,
            default: f.default.map(|c| c.0),
        })
    }

    pub fn load(path: &Path) -> anyhow::Result<Routes> {
        let text = octo_core::config::load_yaml_text(path)?;
        Routes::parse(path, &text)
    }

    /// The channel of the first rule matching the record, if any.
    pub fn channel_for(&self, m: &Map<String, Value>) -> Option<&str> {
        self.rules.iter().find_map(|r| {
            let v = match m.get(r.field)? {
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            (v == r.value).then_some(r.channel.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Result<Routes, String> {
        Routes::parse(Path::new("routes.yml"), text).map_err(|e| format!("{e:#}"))
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn priority_is_key_vpc_region_account_whatever_the_file_order() {
        let r = parse(
            "routes:\n\
             - aws_account: '111111111111'\n  channel: acct\n\
             - aws_region: eu-west-1\n  channel: eu\n\
             - vpc_id: vpc-1\n  channel: net\n\
             - key_name: ops-key\n  channel: ops\n\
             - key_name: ops-key\n  channel: never\n",
        )
        .unwrap();
        let rec = |k: &str, v: &str, reg: &str, a: &str| {
            obj(json!({"key_name": k, "vpc_id": v, "aws_region": reg, "aws_account": a}))
        };
        let all = rec("ops-key", "vpc-1", "eu-west-1", "111111111111");
        assert_eq!(r.channel_for(&all), Some("ops"));
        let no_key = rec("", "vpc-1", "eu-west-1", "111111111111");
        assert_eq!(r.channel_for(&no_key), Some("net"));
        let region = rec("x", "vpc-2", "eu-west-1", "111111111111");
        assert_eq!(r.channel_for(&region), Some("eu"));
        let acct = rec("x", "vpc-2", "us-east-1", "111111111111");
        assert_eq!(r.channel_for(&acct), Some("acct"));
        assert_eq!(r.channel_for(&rec("x", "y", "z", "2")), None);
        assert_eq!(r.channel_for(&obj(json!({"type": "x"}))), None);
        assert_eq!(r.default, None);
    }

    #[test]
    fn unquoted_account_ids_and_the_default_channel() {
        let r =
            parse("default: '#halo-ops'\nroutes:\n- aws_account: 012345678901\n  channel: fin\n")
                .unwrap();
        assert_eq!(r.default.as_deref(), Some("#halo-ops"));
        let rec = obj(json!({"aws_account": "012345678901"}));
        assert_eq!(r.channel_for(&rec), Some("fin"));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let cases = [
            (
                "routes:\n- key_name: a\n  chanel: x\n",
                "unknown field `chanel`",
                3,
            ),
            (
                "routes:\n- key_name: a\n  channel: ops\n- channel: x\n",
                "without a field",
                4,
            ),
            (
                "routes:\n- key_name: a\n  vpc_id: v\n  channel: x\n",
                "several fields (key_name, vpc_id)",
                2,
            ),
            (
                "routes:\n- key_name: a\n  channel: ''\n",
                "invalid channel",
                2,
            ),
            ("default: x\nroute: []\n", "unknown field `route`", 2),
            ("route: []\n", "unknown field `route`", 1),
            ("routes:\n  key_name: a\n", "expected a sequence", 2),
        ];
        for (text, what, line) in cases {
            let e = parse(text).unwrap_err();
            assert!(e.starts_with("routes.yml: "), "{e}");
            assert!(e.contains(what), "{e}");
            assert!(e.contains(&format!("line {line} ")), "{text:?}: {e}");
        }
    }
}
