//! The sec-takedown records (`count`, `incident`, `step`, `info`): the largest family of the
//! contract, in its own file. Same rules as the parent module.

use serde::{Deserialize, Serialize};

use super::{OrderedMap, True, nullable};

// ---------------------------------------------------------------------------------------------
// sec-takedown.count.v1

const_str!(SecTakedownCountRecord = "sec-takedown.count/v1");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CountBy {
    Project,
    Image,
    Month,
}

/// `sec-takedown.count/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecTakedownCount {
    pub record: SecTakedownCountRecord,
    pub by: CountBy,
    pub key: String,
    pub count: u64,
}

// ---------------------------------------------------------------------------------------------
// sec-takedown.incident.v1

const_str!(SecTakedownIncidentRecord = "sec-takedown.incident/v1");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Deleted,
    Unlocked,
    Locked,
    Resolved,
    Open,
}

/// `sec-takedown.incident/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecTakedownIncident {
    pub record: SecTakedownIncidentRecord,
    pub ticket_id: i64,
    pub ticket_url: String,
    pub subject: String,
    pub status: i64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(deserialize_with = "nullable")]
    pub instance_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub instance_name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub project_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub project_name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub owner_email: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub image_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub image_name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub flavor: Option<String>,
    pub outcome: Outcome,
    #[serde(deserialize_with = "nullable")]
    pub unlocked_at: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub deleted_at: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// sec-takedown.step.v1

const_str!(SecTakedownStepRecord = "sec-takedown.step/v1");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TakedownCommand {
    Lock,
    Unlock,
    Delete,
    Takedown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TakedownStep {
    Pause,
    Lock,
    Ticket,
    Note,
    Evidence,
    Snapshot,
    Delete,
    Reply,
    Resolve,
    Unpause,
    Unlock,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Planned,
    Applied,
    Unchanged,
    Failed,
}

/// `sec-takedown.step/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecTakedownStep {
    pub record: SecTakedownStepRecord,
    pub command: TakedownCommand,
    pub step: TakedownStep,
    pub status: StepStatus,
    pub dry_run: bool,
    pub server_id: String,
    #[serde(deserialize_with = "nullable")]
    pub server_name: Option<String>,
    pub detail: String,
    pub calls: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub request_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub ticket_id: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    pub ticket_url: Option<String>,
    pub at: String,
}

// ---------------------------------------------------------------------------------------------
// sec-takedown.info.v1

const_str!(SecTakedownInfoRecord = "sec-takedown.info/v1");
const_str!(ImageNotFound = "Image not found");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoServer {
    pub id: String,
    pub name: String,
    pub status: String,
    #[serde(deserialize_with = "nullable")]
    pub vm_state: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub task_state: Option<String>,
    pub locked: bool,
    #[serde(deserialize_with = "nullable")]
    pub locked_reason: Option<String>,
    pub created: String,
    pub updated: String,
    #[serde(deserialize_with = "nullable")]
    pub launched_at: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub availability_zone: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub host: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub key_name: Option<String>,
    /// Free-form: the instance's Nova metadata, key to value, as Nova returned it.
    pub metadata: OrderedMap<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoFlavor {
    pub name: String,
    pub vcpus: i64,
    pub ram_mb: i64,
    pub disk_gb: i64,
    pub ephemeral_gb: i64,
    pub swap_mb: i64,
}

/// The image: found in Glance, gone from Glance, or none (boot from volume).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InfoImage {
    Glance(GlanceImage),
    Missing(MissingImage),
    BootFromVolume(BootFromVolume),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlanceImage {
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub status: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub nectar_build: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub visibility: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingImage {
    pub id: String,
    /// Always `null`.
    pub name: (),
    pub error: ImageNotFound,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootFromVolume {
    pub boot_from_volume: True,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddressType {
    Fixed,
    Floating,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoAddress {
    pub network: String,
    pub addr: String,
    pub version: i64,
    #[serde(rename = "type")]
    pub kind: AddressType,
    #[serde(deserialize_with = "nullable")]
    pub mac: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoPort {
    pub id: String,
    pub mac_address: String,
    pub admin_state_up: bool,
    #[serde(deserialize_with = "nullable")]
    pub port_security_enabled: Option<bool>,
    pub fixed_ips: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoSecurityGroup {
    pub id: String,
    pub name: String,
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoProject {
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoOwner {
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub full_name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoManager {
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub email: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoInstanceAction {
    pub action: String,
    pub start_time: String,
    #[serde(deserialize_with = "nullable")]
    pub user_id: Option<String>,
    pub request_id: String,
    #[serde(deserialize_with = "nullable")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfoTakedown {
    #[serde(deserialize_with = "nullable")]
    pub ticket_url: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub step: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub at: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub by: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub snapshot: Option<String>,
}

/// `sec-takedown.info/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecTakedownInfo {
    pub record: SecTakedownInfoRecord,
    pub server: InfoServer,
    pub flavor: InfoFlavor,
    pub image: InfoImage,
    pub addresses: Vec<InfoAddress>,
    pub ports: Vec<InfoPort>,
    pub security_groups: Vec<InfoSecurityGroup>,
    pub project: InfoProject,
    pub owner: InfoOwner,
    pub managers: Vec<InfoManager>,
    pub manager_role: String,
    pub instance_actions: Vec<InfoInstanceAction>,
    pub takedown: InfoTakedown,
}
