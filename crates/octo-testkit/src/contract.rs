//! The record contract: one Rust type tree per schema in `bin-docs/schemas/`, written from the
//! schema, not from the tools' own types, so a tool cannot change its output and its contract in
//! one stroke.
//!
//! Every struct denies unknown fields. A field the schema requires but allows to be `null` is an
//! `Option` deserialized with [`nullable`], so leaving it out is an error (a bare `Option` would
//! silently read a missing field as `None`). A `const` or `enum` of strings is a Rust enum.
//! Fields are declared in the schema's order: [`crate::assert_record`] also checks that a tool
//! prints them in that order. Free-form upstream payloads (the Halo group object, Nova metadata)
//! are the only parts typed as `serde_json` values or string maps; each says so where it is used.

use std::fmt;

use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A required field whose value may be `null`: absent is an error, `null` is `None`.
fn nullable<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

/// A string-valued JSON `const`: a one-variant enum that (de)serializes as exactly that string.
macro_rules! const_str {
    ($(#[$doc:meta])* $name:ident = $value:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name {
            #[serde(rename = $value)]
            Value,
        }
    };
}

/// A JSON object with string keys and `V` values, kept in the order it was read (a `BTreeMap`
/// would reorder keys and make the round trip differ from the tool's output).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V2<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, V>()? {
                    out.push((k, v));
                }
                Ok(OrderedMap(out))
            }
        }
        d.deserialize_map(V2(std::marker::PhantomData))
    }
}

/// JSON `true` and nothing else (`"const": true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct True;

impl Serialize for True {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(true)
    }
}

impl<'de> Deserialize<'de> for True {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match bool::deserialize(d)? {
            true => Ok(True),
            false => Err(serde::de::Error::custom("expected the constant true")),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ec2-delta.instance.v1

const_str!(Ec2DeltaInstanceRecord = "ec2-delta.instance/v1");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ec2State {
    Pending,
    Running,
    ShuttingDown,
    Terminated,
    Stopping,
    Stopped,
}

/// `ec2-delta.instance/v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ec2DeltaInstance {
    pub record: Ec2DeltaInstanceRecord,
    pub instance_id: String,
    pub aws_account: String,
    pub aws_region: String,
    pub key_name: String,
    pub launch_time: String,
    pub vpc_id: String,
    pub state: Ec2State,
    pub instance_type: String,
    pub private_ip: String,
    pub public_ip: String,
    pub name: String,
    pub tags: OrderedMap<String>,
}

// ---------------------------------------------------------------------------------------------
// event-export.manifest.v1 and scan-export.manifest.v1 (the same shape, different constants)

const_str!(EventExportManifestRecord = "event-export.manifest/v1");
const_str!(EventExportTool = "event-export");
const_str!(EventsKind = "events");
const_str!(ScanExportManifestRecord = "scan-export.manifest/v1");
const_str!(ScanExportTool = "scan-export");
const_str!(ScansKind = "scans");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    Hive,
    Legacy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestWindow {
    pub since: String,
    pub until: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestPart {
    pub key: String,
    pub records: u64,
    pub bytes: u64,
    pub sha256: String,
    pub first_created_at: String,
    pub last_created_at: String,
}

/// `event-export.manifest/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventExportManifest {
    pub record: EventExportManifestRecord,
    pub tool: EventExportTool,
    pub version: String,
    pub kind: EventsKind,
    pub layout: Layout,
    pub window: ManifestWindow,
    pub records: u64,
    #[serde(deserialize_with = "nullable")]
    pub first_created_at: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub last_created_at: Option<String>,
    pub parts: Vec<ManifestPart>,
}

/// `scan-export.manifest/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanExportManifest {
    pub record: ScanExportManifestRecord,
    pub tool: ScanExportTool,
    pub version: String,
    pub kind: ScansKind,
    pub layout: Layout,
    pub window: ManifestWindow,
    pub records: u64,
    #[serde(deserialize_with = "nullable")]
    pub first_created_at: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub last_created_at: Option<String>,
    pub parts: Vec<ManifestPart>,
}

// ---------------------------------------------------------------------------------------------
// fw-graph.edge.v1

const_str!(FwGraphEdgeRecord = "fw-graph.edge/v1");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Chain {
    Input,
    Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum FwAction {
    Accept,
    Drop,
    Reject,
}

/// `fw-graph.edge/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FwGraphEdge {
    pub record: FwGraphEdgeRecord,
    pub chain: Chain,
    pub action: FwAction,
    pub position: u64,
    pub active: bool,
    pub count: u64,
    pub from: String,
    /// A Halo type name (unknown ones pass through verbatim), `any` or `workload`: a string.
    pub from_type: String,
    pub service: String,
    pub to: String,
    pub to_type: String,
    pub policy: String,
    #[serde(deserialize_with = "nullable")]
    pub policy_id: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// halo-query.group.v1

const_str!(HaloQueryGroupRecord = "halo-query.group/v1");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupParent {
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub group_path: Option<String>,
}

/// A policy id resolved to its name (`null` when the API does not know the id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedPolicy {
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupPolicies {
    #[serde(deserialize_with = "nullable")]
    pub linux_firewall: Option<NamedPolicy>,
    #[serde(deserialize_with = "nullable")]
    pub windows_firewall: Option<NamedPolicy>,
    pub csm_linux: Vec<NamedPolicy>,
    pub csm_windows: Vec<NamedPolicy>,
    pub fim_linux: Vec<NamedPolicy>,
    pub fim_windows: Vec<NamedPolicy>,
    pub lids: Vec<NamedPolicy>,
    #[serde(deserialize_with = "nullable")]
    pub special_events: Option<NamedPolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupIssues {
    pub critical: i64,
    pub non_critical: i64,
    pub total: i64,
}

/// `halo-query.group/v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HaloQueryGroup {
    pub record: HaloQueryGroupRecord,
    /// Free-form: the Halo group object exactly as the API returned it (the schema says only
    /// "object"), so every field the API has passes through.
    pub group: Map<String, Value>,
    #[serde(deserialize_with = "nullable")]
    pub parent: Option<GroupParent>,
    pub policies: GroupPolicies,
    pub issues: GroupIssues,
}

// ---------------------------------------------------------------------------------------------
// ipblock.action.v1 and quarantine.action.v1

const_str!(IpblockActionRecord = "ipblock.action/v1");
const_str!(QuarantineActionRecord = "quarantine.action/v1");

/// The status of a response tool's action (the same five values in both schemas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionStatus {
    Planned,
    Applied,
    Unchanged,
    Skipped,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IpblockActionKind {
    Block,
    Expire,
    Unblock,
}

/// `ipblock.action/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpblockAction {
    pub record: IpblockActionRecord,
    pub action: IpblockActionKind,
    pub status: ActionStatus,
    pub reason: String,
    #[serde(deserialize_with = "nullable")]
    pub event_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub event_type: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub ip: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub zone_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub zone_name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuarantineActionKind {
    Quarantine,
    Release,
}

/// `quarantine.action/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuarantineAction {
    pub record: QuarantineActionRecord,
    pub action: QuarantineActionKind,
    pub status: ActionStatus,
    pub reason: String,
    #[serde(deserialize_with = "nullable")]
    pub event_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub event_type: Option<String>,
    pub server_id: String,
    #[serde(deserialize_with = "nullable")]
    pub server_hostname: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub from_group_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub from_group_name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub to_group_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub to_group_name: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// sec-takedown.count/step/incident/info (contract/sec_takedown.rs)

mod sec_takedown;
pub use sec_takedown::*;

// ---------------------------------------------------------------------------------------------
// slack-notify.message.v1

const_str!(SlackNotifyMessageRecord = "slack-notify.message/v1");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageStatus {
    Sent,
    DryRun,
    Skipped,
    Failed,
}

/// `slack-notify.message/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackNotifyMessage {
    pub record: SlackNotifyMessageRecord,
    pub line: i64,
    pub status: MessageStatus,
    pub reason: String,
    #[serde(deserialize_with = "nullable")]
    pub channel: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub ts: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub text: Option<String>,
}

const_str!(OctoBotRequestRecord = "octo-bot.request/v1");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BotVia {
    Mention,
    Dm,
    Slash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BotResult {
    Answered,
    Refused,
    Usage,
    Busy,
    Failed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BotReply {
    Message,
    File,
}

/// `octo-bot.request/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OctoBotRequest {
    pub record: OctoBotRequestRecord,
    pub at: String,
    pub via: BotVia,
    pub user: String,
    pub channel: String,
    pub text: String,
    pub command: String,
    pub result: BotResult,
    #[serde(deserialize_with = "nullable")]
    pub reply: Option<BotReply>,
    #[serde(deserialize_with = "nullable")]
    pub records: Option<u64>,
    #[serde(deserialize_with = "nullable")]
    pub error: Option<String>,
    pub envelope_id: String,
    #[serde(deserialize_with = "nullable")]
    pub event_id: Option<String>,
    pub retry_attempt: u64,
    pub elapsed_ms: u64,
}

// ---------------------------------------------------------------------------------------------
// The table

/// Read `record` as contract type `T` and write it back: the value a lossless contract returns
/// is `record` itself.
pub type RoundTrip = fn(&Value) -> Result<Value, String>;

fn round_trip<T: DeserializeOwned + Serialize>(record: &Value) -> Result<Value, String> {
    let typed = T::deserialize(record).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

/// Every schema of `bin-docs/schemas/` (file name without `.json`) and its contract type.
pub const CONTRACTS: [(&str, RoundTrip); 13] = [
    ("ec2-delta.instance.v1", round_trip::<Ec2DeltaInstance>),
    (
        "event-export.manifest.v1",
        round_trip::<EventExportManifest>,
    ),
    ("fw-graph.edge.v1", round_trip::<FwGraphEdge>),
    ("halo-query.group.v1", round_trip::<HaloQueryGroup>),
    ("ipblock.action.v1", round_trip::<IpblockAction>),
    ("octo-bot.request.v1", round_trip::<OctoBotRequest>),
    ("quarantine.action.v1", round_trip::<QuarantineAction>),
    ("scan-export.manifest.v1", round_trip::<ScanExportManifest>),
    ("sec-takedown.count.v1", round_trip::<SecTakedownCount>),
    (
        "sec-takedown.incident.v1",
        round_trip::<SecTakedownIncident>,
    ),
    ("sec-takedown.info.v1", round_trip::<SecTakedownInfo>),
    ("sec-takedown.step.v1", round_trip::<SecTakedownStep>),
    ("slack-notify.message.v1", round_trip::<SlackNotifyMessage>),
];

/// The contract of schema `name`, if there is one.
pub fn contract(name: &str) -> Option<RoundTrip> {
    CONTRACTS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

#[cfg(test)]
mod tests;
