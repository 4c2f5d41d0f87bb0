//! fw-graph: a firewall policy document (raw bytes) through reading, the model, the graph and
//! every text and vector rendering.

use arbitrary::{Result, Unstructured};
use fw_graph::{Format, RenderOptions};
use serde_json::{Map, Value, json};

use crate::input::{self, Shape};

/// What errors call the input.
pub const POLICY_SOURCE: &str = "fuzz-policy.json";

const RULE_KEYS: &[&str] = &[
    "id",
    "position",
    "chain",
    "action",
    "active",
    "firewall_source",
    "firewall_target",
    "firewall_service",
    "connection_states",
    "log",
];
const PEER_KEYS: &[&str] = &["type", "name", "id", "ip_address"];
const WORDS: &[&str] = &[
    "INPUT",
    "OUTPUT",
    "ACCEPT",
    "DROP",
    "REJECT",
    "FirewallZone",
    "Group",
    "UserGroup",
    "any",
    "ssh",
    "tcp",
    "udp",
    "ICMP",
    "22",
    "1-65535",
    "10.0.0.0/8,192.0.2.1",
    "web",
    "a\u{1b}b",
    "x\u{0}y",
    "\u{202e}",
    "<script>",
    "&amp;",
    "]]>",
    "\"quoted\"",
    "--",
    "%%",
];

#[derive(Debug, Clone)]
pub struct PolicyCase {
    pub bytes: Vec<u8>,
    pub include_inactive: bool,
    pub group_name: Option<String>,
}

fn peer(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=5)? {
        0 => Value::Null,
        1 => input::json(
            u,
            Shape {
                keys: PEER_KEYS,
                words: WORDS,
            },
            1,
        )?,
        _ => json!({
            "type": input::pick(u, &["FirewallZone", "Group", "UserGroup", "Other"])?,
            "name": input::text(u, WORDS)?,
            "ip_address": input::text(u, &["10.0.0.1", ",", "/24"])?,
        }),
    })
}

fn rule(u: &mut Unstructured<'_>, position: u64) -> Result<Value> {
    if u.ratio(1, 8)? {
        return input::json(
            u,
            Shape {
                keys: RULE_KEYS,
                words: WORDS,
            },
            2,
        );
    }
    let mut r = Map::new();
    r.insert(
        "position".into(),
        if u.ratio(1, 10)? {
            input::number(u)?
        } else {
            json!(position)
        },
    );
    r.insert(
        "chain".into(),
        json!(input::pick(u, &["INPUT", "OUTPUT", "FORWARD"])?),
    );
    r.insert(
        "action".into(),
        json!(input::pick(u, &["ACCEPT", "DROP", "REJECT", "LOG"])?),
    );
    r.insert("active".into(), json!(u.ratio(4, 5)?));
    r.insert("firewall_source".into(), peer(u)?);
    r.insert("firewall_target".into(), peer(u)?);
    r.insert(
        "firewall_service".into(),
        if u.ratio(1, 4)? {
            Value::Null
        } else {
            json!({"name": input::text(u, WORDS)?, "protocol": input::pick(u, &["tcp", "UDP", "icmp", ""])?,
                   "port": input::text(u, &["22", "80", "-", ","])?})
        },
    );
    Ok(Value::Object(r))
}

pub fn gen_policy(u: &mut Unstructured<'_>) -> Result<PolicyCase> {
    let mut rules = Vec::new();
    for i in 0..u.int_in_range(0..=8)? {
        rules.push(rule(u, i + 1)?);
    }
    let mut policy = json!({
        "id": "p1",
        "name": input::text(u, WORDS)?,
        "platform": "linux",
        "firewall_rules": rules,
    });
    if u.arbitrary()? {
        policy = json!({ "firewall_policy": policy });
    }
    let mut bytes = if u.arbitrary()? {
        serde_json::to_vec_pretty(&policy).unwrap_or_default()
    } else {
        serde_json::to_vec(&policy).unwrap_or_default()
    };
    if u.ratio(1, 3)? {
        input::mutate(
            u,
            &mut bytes,
            &["{", "}", "null", "\"firewall_policy\":", "\n"],
        )?;
    }
    Ok(PolicyCase {
        bytes,
        include_inactive: u.arbitrary()?,
        group_name: if u.ratio(1, 4)? {
            Some(input::text(u, WORDS)?)
        } else {
            None
        },
    })
}

/// A character XML 1.0 does not allow in a document, even escaped.
fn xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Well-formed XML: tokenizes, every element closed in order, no forbidden character.
pub fn assert_xml(svg: &str) {
    if let Some(c) = svg.chars().find(|&c| xml_forbidden(c)) {
        panic!("SVG contains {c:?}, which XML does not allow");
    }
    let mut open: Vec<String> = Vec::new();
    for token in xmlparser::Tokenizer::from(svg) {
        match token.unwrap_or_else(|e| panic!("SVG is not XML: {e}")) {
            xmlparser::Token::ElementStart { local, .. } => open.push(local.to_string()),
            xmlparser::Token::ElementEnd { end, .. } => match end {
                xmlparser::ElementEnd::Open => {}
                xmlparser::ElementEnd::Close(_, local) => {
                    assert_eq!(
                        open.pop().as_deref(),
                        Some(local.as_str()),
                        "mismatched </{local}>"
                    );
                }
                xmlparser::ElementEnd::Empty => {
                    open.pop();
                }
            },
            _ => {}
        }
    }
    assert!(open.is_empty(), "unclosed elements {open:?}");
}

/// Bad input is an input error naming the source and a line; a policy that reads renders to every
/// text format without a panic, JSON Lines of objects, and SVG that is well-formed XML.
pub fn check_policy(c: &PolicyCase) {
    let lines = c.bytes.split(|&b| b == b'\n').count() as u64;
    let value = match fw_graph::read_policy_document(&c.bytes, POLICY_SOURCE) {
        Ok(v) => v,
        Err(e) => {
            assert_eq!(e.source_name, POLICY_SOURCE);
            assert!((1..=lines).contains(&e.line), "line {} of {lines}", e.line);
            return;
        }
    };
    let opts = RenderOptions {
        format: Format::Dot,
        include_inactive: c.include_inactive,
        group_name: c.group_name.clone(),
    };
    let graph = match fw_graph::build(&value, &opts) {
        Ok(g) => g,
        Err(e) => {
            let pe = e
                .chain()
                .find_map(|c| c.downcast_ref::<fw_graph::PolicyError>())
                .unwrap_or_else(|| panic!("not a PolicyError: {e:#}"));
            let ie = fw_graph::policy_input_error(POLICY_SOURCE, pe);
            assert!(
                ie.to_string()
                    .starts_with(&format!("{POLICY_SOURCE}:1: field `"))
            );
            return;
        }
    };
    for format in [Format::Dot, Format::Mermaid, Format::Jsonl, Format::Svg] {
        let out = fw_graph::render_graph(&graph, format)
            .unwrap_or_else(|e| panic!("rendering {format:?}: {e:#}"));
        let text = String::from_utf8(out.bytes).expect("text output is UTF-8");
        match format {
            Format::Svg => assert_xml(&text),
            Format::Jsonl => {
                for line in text.lines() {
                    let v: Value = serde_json::from_str(line)
                        .unwrap_or_else(|e| panic!("JSONL line {line:?}: {e}"));
                    assert_eq!(v["record"], "fw-graph.edge/v1");
                }
            }
            _ => {}
        }
    }
}
