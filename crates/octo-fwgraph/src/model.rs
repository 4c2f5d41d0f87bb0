//! Typed view of a Halo firewall policy (halo-api.md §2.6), parsed from a `serde_json::Value`.
//!
//! Accepts the bare policy object or the API's `{"firewall_policy": {...}}` wrapper. Tolerant of
//! fields it does not know; strict about the few it needs: a missing or mistyped one is a
//! [`PolicyError`] that names the field (as a JSON path) and the rule's index and position.

use std::fmt;

use serde_json::{Map, Value};

/// The iptables chain a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Chain {
    Input,
    Output,
}

impl Chain {
    pub fn as_str(self) -> &'static str {
        match self {
            Chain::Input => "INPUT",
            Chain::Output => "OUTPUT",
        }
    }
}

/// What a rule does with matching traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Accept,
    Drop,
    Reject,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "ACCEPT",
            Action::Drop => "DROP",
            Action::Reject => "REJECT",
        }
    }
}

/// The kind of a rule's source (INPUT) or target (OUTPUT).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeerKind {
    /// An IP zone (`FirewallZone`): a named list of addresses.
    Zone,
    /// A Halo server group (`Group`).
    Group,
    /// A GhostPorts user group (`UserGroup`).
    UserGroup,
    /// `null`: anywhere.
    Any,
    /// A `type` this tool does not know, kept verbatim.
    Other(String),
}

impl PeerKind {
    /// The API's spelling of the type (`"any"` for null), as emitted in jsonl records.
    pub fn api_name(&self) -> &str {
        match self {
            PeerKind::Zone => "FirewallZone",
            PeerKind::Group => "Group",
            PeerKind::UserGroup => "UserGroup",
            PeerKind::Any => "any",
            PeerKind::Other(s) => s,
        }
    }

    /// A short human description, shown under the name in drawings.
    pub fn describe(&self) -> String {
        match self {
            PeerKind::Zone => "IP zone".into(),
            PeerKind::Group => "server group".into(),
            PeerKind::UserGroup => "user group".into(),
            PeerKind::Any => "anywhere".into(),
            PeerKind::Other(s) => s.clone(),
        }
    }
}

/// A rule's source or target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub kind: PeerKind,
    /// The object's `name`; `"any"` for a null source/target.
    pub name: String,
    pub id: Option<String>,
    /// Zones only: the addresses, split from the API's comma-separated `ip_address`.
    pub addresses: Vec<String>,
}

impl Peer {
    pub fn any() -> Peer {
        Peer {
            kind: PeerKind::Any,
            name: "any".into(),
            id: None,
            addresses: Vec::new(),
        }
    }
}

/// A rule's `firewall_service`; `None` on the rule means any service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: Option<String>,
    pub protocol: Option<String>,
    pub port: Option<String>,
}

impl Service {
    /// `TCP/22`, `ICMP`, or the service name when it has no protocol.
    pub fn spec(&self) -> String {
        match (&self.protocol, &self.port) {
            (Some(p), Some(port)) => format!("{p}/{port}"),
            (Some(p), None) => p.clone(),
            (None, _) => self.name.clone().unwrap_or_else(|| "any".into()),
        }
    }
}

/// One firewall rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// 0-based index in the policy's `firewall_rules` array.
    pub index: usize,
    pub id: Option<String>,
    pub chain: Chain,
    pub action: Action,
    pub active: bool,
    /// The rule's `position`; when absent, its 1-based order among the rules of its chain.
    pub position: u64,
    /// `firewall_source` for INPUT, `firewall_target` for OUTPUT.
    pub peer: Peer,
    pub service: Option<Service>,
}

/// A firewall policy with its rules in array order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub id: Option<String>,
    pub name: String,
    pub platform: Option<String>,
    pub rules: Vec<Rule>,
}

/// A policy that cannot be read: names the field (a JSON path such as
/// `firewall_rules[3].action`) and, for a rule, its position when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// JSON path of the offending field, relative to the policy object.
    pub field: String,
    /// The rule's `position` when the rule had a readable one.
    pub position: Option<u64>,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`", self.field)?;
        if let Some(p) = self.position {
            write!(f, " (rule at position {p})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for PolicyError {}

fn err(field: impl Into<String>, position: Option<u64>, message: impl Into<String>) -> PolicyError {
    PolicyError {
        field: field.into(),
        position,
        message: message.into(),
    }
}

use octo_core::records::json_kind as type_name;

/// Read an optional string field; numbers are accepted and printed (ports and ids are sometimes
/// numeric in hand-written files).
fn opt_string(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    pos: Option<u64>,
) -> Result<Option<String>, PolicyError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(err(
            format!("{path}.{key}"),
            pos,
            format!("expected a string, got {}", type_name(other)),
        )),
    }
}

fn req_string(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    pos: Option<u64>,
) -> Result<String, PolicyError> {
    opt_string(obj, key, path, pos)?.ok_or_else(|| err(format!("{path}.{key}"), pos, "missing"))
}

fn join_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Parse a policy from the API's JSON (bare or wrapped in `firewall_policy`).
pub fn parse_policy(value: &Value) -> Result<Policy, PolicyError> {
    let obj = match value {
        Value::Object(o) => o,
        other => {
            return Err(err(
                "(document)",
                None,
                format!(
                    "expected a firewall policy object, got {}",
                    type_name(other)
                ),
            ));
        }
    };
    let obj = match obj.get("firewall_policy") {
        Some(Value::Object(inner)) => inner,
        Some(Value::Null) => {
            return Err(err("firewall_policy", None, "is null: no firewall policy"));
        }
        Some(other) => {
            return Err(err(
                "firewall_policy",
                None,
                format!("expected an object, got {}", type_name(other)),
            ));
        }
        None => obj,
    };
    let name = match obj.get("name") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => return Err(err("name", None, "missing")),
        Some(other) => {
            return Err(err(
                "name",
                None,
                format!("expected a string, got {}", type_name(other)),
            ));
        }
    };
    let id = opt_string(obj, "id", "", None).map_err(strip_root)?;
    let platform = opt_string(obj, "platform", "", None).map_err(strip_root)?;
    let rules_v = match obj.get("firewall_rules") {
        Some(Value::Array(a)) => a,
        None | Some(Value::Null) => return Err(err("firewall_rules", None, "missing")),
        Some(other) => {
            return Err(err(
                "firewall_rules",
                None,
                format!("expected an array, got {}", type_name(other)),
            ));
        }
    };
    let mut rules = Vec::with_capacity(rules_v.len());
    let mut seen = [0u64; 2];
    for (index, rv) in rules_v.iter().enumerate() {
        let rule = parse_rule(index, rv, &mut seen)?;
        rules.push(rule);
    }
    Ok(Policy {
        id,
        name,
        platform,
        rules,
    })
}

/// `opt_string` with an empty path yields `.key`; drop the leading dot.
fn strip_root(mut e: PolicyError) -> PolicyError {
    if let Some(rest) = e.field.strip_prefix('.') {
        e.field = rest.to_string();
    }
    e
}

fn parse_rule(index: usize, rv: &Value, seen: &mut [u64; 2]) -> Result<Rule, PolicyError> {
    let path = format!("firewall_rules[{index}]");
    let obj = match rv {
        Value::Object(o) => o,
        other => {
            return Err(err(
                path,
                None,
                format!("expected a rule object, got {}", type_name(other)),
            ));
        }
    };
    // Position first, so that every later error can name it.
    let position = match obj.get("position") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(p) if p >= 1 => Some(p),
            _ => {
                return Err(err(
                    format!("{path}.position"),
                    None,
                    format!("expected a positive integer, got {n}"),
                ));
            }
        },
        Some(Value::String(s)) => match s.trim().parse::<u64>() {
            Ok(p) if p >= 1 => Some(p),
            _ => {
                return Err(err(
                    format!("{path}.position"),
                    None,
                    format!("expected a positive integer, got {s:?}"),
                ));
            }
        },
        Some(other) => {
            return Err(err(
                format!("{path}.position"),
                None,
                format!("expected a positive integer, got {}", type_name(other)),
            ));
        }
    };
    let chain_s = req_string(obj, "chain", &path, position)?;
    let chain = match chain_s.to_ascii_uppercase().as_str() {
        "INPUT" => Chain::Input,
        "OUTPUT" => Chain::Output,
        _ => {
            return Err(err(
                format!("{path}.chain"),
                position,
                format!("expected INPUT or OUTPUT, got {chain_s:?}"),
            ));
        }
    };
    let action_s = req_string(obj, "action", &path, position)?;
    let action = match action_s.to_ascii_uppercase().as_str() {
        "ACCEPT" => Action::Accept,
        "DROP" => Action::Drop,
        "REJECT" => Action::Reject,
        _ => {
            return Err(err(
                format!("{path}.action"),
                position,
                format!("expected ACCEPT, DROP or REJECT, got {action_s:?}"),
            ));
        }
    };
    let active = match obj.get("active") {
        Some(Value::Bool(b)) => *b,
        None | Some(Value::Null) => return Err(err(format!("{path}.active"), position, "missing")),
        Some(other) => {
            return Err(err(
                format!("{path}.active"),
                position,
                format!("expected a boolean, got {}", type_name(other)),
            ));
        }
    };
    let slot = match chain {
        Chain::Input => 0,
        Chain::Output => 1,
    };
    seen[slot] += 1;
    let position = position.unwrap_or(seen[slot]);
    let peer_key = match chain {
        Chain::Input => "firewall_source",
        Chain::Output => "firewall_target",
    };
    let peer = parse_peer(obj.get(peer_key), &join_path(&path, peer_key), position)?;
    let service = parse_service(
        obj.get("firewall_service"),
        &join_path(&path, "firewall_service"),
        position,
    )?;
    let id = opt_string(obj, "id", &path, Some(position))?;
    Ok(Rule {
        index,
        id,
        chain,
        action,
        active,
        position,
        peer,
        service,
    })
}

/// The object at `path` of the rule at `pos`; `None` when it is missing or null, an error
/// naming its type when it is anything else.
fn object_or_null<'a>(
    v: Option<&'a Value>,
    path: &str,
    pos: u64,
) -> Result<Option<&'a Map<String, Value>>, PolicyError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(err(
            path,
            Some(pos),
            format!("expected an object or null, got {}", type_name(other)),
        )),
    }
}

fn parse_peer(v: Option<&Value>, path: &str, pos: u64) -> Result<Peer, PolicyError> {
    let Some(obj) = object_or_null(v, path, pos)? else {
        return Ok(Peer::any());
    };
    let type_s = req_string(obj, "type", path, Some(pos))?;
    let kind = match type_s.as_str() {
        "FirewallZone" => PeerKind::Zone,
        "Group" => PeerKind::Group,
        "UserGroup" => PeerKind::UserGroup,
        _ => PeerKind::Other(type_s),
    };
    let name = req_string(obj, "name", path, Some(pos))?;
    let id = opt_string(obj, "id", path, Some(pos))?;
    let addresses = opt_string(obj, "ip_address", path, Some(pos))?
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    Ok(Peer {
        kind,
        name,
        id,
        addresses,
    })
}

fn parse_service(v: Option<&Value>, path: &str, pos: u64) -> Result<Option<Service>, PolicyError> {
    let Some(obj) = object_or_null(v, path, pos)? else {
        return Ok(None);
    };
    let name = opt_string(obj, "name", path, Some(pos))?;
    let protocol = opt_string(obj, "protocol", path, Some(pos))?.map(|p| p.to_ascii_uppercase());
    let port = opt_string(obj, "port", path, Some(pos))?.filter(|p| !p.trim().is_empty());
    if name.is_none() && protocol.is_none() {
        return Err(err(
            format!("{path}.protocol"),
            Some(pos),
            "missing (a service needs a protocol or a name)",
        ));
    }
    Ok(Some(Service {
        name,
        protocol,
        port,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(extra: Value) -> Value {
        let mut r = json!({"chain": "INPUT", "action": "ACCEPT", "active": true, "position": 1});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    }

    #[test]
    fn accepts_bare_and_wrapped_and_ignores_unknown_fields() {
        let bare = json!({"name": "p", "id": "abc", "shiny_new_field": [1, 2], "firewall_rules": [rule(json!({"x": 1}))]});
        let wrapped = json!({"firewall_policy": bare.clone()});
        let a = parse_policy(&bare).unwrap();
        let b = parse_policy(&wrapped).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.rules.len(), 1);
        assert_eq!(a.rules[0].peer, Peer::any());
        assert_eq!(a.rules[0].service, None);
    }

    #[test]
    fn output_rules_read_the_target_not_the_source() {
        let p = json!({"name": "p", "firewall_rules": [rule(json!({
            "chain": "OUTPUT",
            "firewall_source": {"type": "Group", "name": "wrong"},
            "firewall_target": {"type": "FirewallZone", "name": "dns", "ip_address": "8.8.8.8, 1.1.1.1,"}
        }))]});
        let p = parse_policy(&p).unwrap();
        assert_eq!(p.rules[0].peer.name, "dns");
        assert_eq!(p.rules[0].peer.addresses, vec!["8.8.8.8", "1.1.1.1"]);
    }

    #[test]
    fn errors_name_the_field_and_the_position() {
        let p = json!({"name": "p", "firewall_rules": [rule(json!({})), rule(json!({"position": 7, "action": "ALLOW"}))]});
        let e = parse_policy(&p).unwrap_err();
        assert_eq!(e.field, "firewall_rules[1].action");
        assert_eq!(e.position, Some(7));
        assert!(e.to_string().contains("ALLOW"), "{e}");

        let p = json!({"name": "p", "firewall_rules": [{"chain": "INPUT", "action": "DROP", "position": 3}]});
        let e = parse_policy(&p).unwrap_err();
        assert_eq!(
            e.to_string(),
            "field `firewall_rules[0].active` (rule at position 3): missing"
        );

        let p = json!({"name": "p", "firewall_rules": [rule(json!({"firewall_source": {"type": "Group"}}))]});
        assert_eq!(
            parse_policy(&p).unwrap_err().field,
            "firewall_rules[0].firewall_source.name"
        );

        let e = parse_policy(&json!({"name": "p"})).unwrap_err();
        assert_eq!(e.field, "firewall_rules");
        let e = parse_policy(&json!({"firewall_policy": null})).unwrap_err();
        assert_eq!(e.field, "firewall_policy");
        let e = parse_policy(&json!([1])).unwrap_err();
        assert!(e.message.contains("an array"));
        let e = parse_policy(&json!({"name": 5, "firewall_rules": []})).unwrap_err();
        assert_eq!(e.field, "name");
        let e = parse_policy(&json!({"name": "p", "id": [], "firewall_rules": []})).unwrap_err();
        assert_eq!(e.field, "id");
    }

    #[test]
    fn missing_position_is_the_order_within_the_chain() {
        let r = |c: &str| json!({"chain": c, "action": "ACCEPT", "active": true});
        let p = json!({"name": "p", "firewall_rules": [r("INPUT"), r("OUTPUT"), r("INPUT")]});
        let p = parse_policy(&p).unwrap();
        let pos: Vec<u64> = p.rules.iter().map(|r| r.position).collect();
        assert_eq!(pos, vec![1, 1, 2]);
    }

    #[test]
    fn service_spec() {
        let s = |n: Option<&str>, p: Option<&str>, port: Option<&str>| Service {
            name: n.map(String::from),
            protocol: p.map(String::from),
            port: port.map(String::from),
        };
        assert_eq!(s(Some("ssh"), Some("TCP"), Some("22")).spec(), "TCP/22");
        assert_eq!(s(None, Some("ICMP"), None).spec(), "ICMP");
        assert_eq!(s(Some("custom"), None, None).spec(), "custom");
    }
}
