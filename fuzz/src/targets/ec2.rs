//! ec2-delta: its flag lists (`--accounts`/`AWS_ACCOUNT_NUMBERS`, `--regions`, `--states`) and
//! the Halo servers it reads as JSON Lines (`--halo-servers FILE|-`), matched against instances.

use std::collections::{BTreeMap, BTreeSet};

use arbitrary::{Result, Unstructured};
use ec2_delta::{Inventory, delta, parse_accounts, parse_ec2_states, parse_regions, reverse};
use octo_core::records::JsonlReader;
use serde_json::{Value, json};

use crate::input;

const LIST_WORDS: &[&str] = &[
    "012345678901",
    "123456789012",
    ";",
    ",",
    " ",
    "all",
    "eu-west-1",
    "us-east-1",
    "EU-WEST-1",
    "running",
    "stopped",
    "terminated",
    "pending",
    "0123456789012",
    "01234567890a",
];
const IDS: &[&str] = &["i-0a", "i-0b", "i-0c", " i-0a ", "i-0A", "", "i-0d"];
const STATES: &[&str] = &[
    "running",
    "stopped",
    "terminated",
    "pending",
    "shutting-down",
];

#[derive(Debug, Clone)]
pub struct Ec2Case {
    pub accounts: String,
    pub regions: String,
    pub states: String,
    pub servers: Vec<u8>,
    /// instance id → (state, account, region)
    pub instances: BTreeMap<String, (String, String, String)>,
}

pub fn gen_ec2(u: &mut Unstructured<'_>) -> Result<Ec2Case> {
    let mut servers = Vec::new();
    for _ in 0..u.int_in_range(0..=5)? {
        let aws = match u.int_in_range(0..=4)? {
            0 => Value::Null,
            1 => json!(input::pick(u, IDS)?),
            _ => json!({
                "ec2_instance_id": if u.ratio(1, 6)? { input::number(u)? } else { json!(input::pick(u, IDS)?) },
                "ec2_account_id": input::pick(u, &["012345678901", "123456789012"])?,
                "ec2_region": input::pick(u, &["eu-west-1", "us-east-1"])?,
            }),
        };
        let line =
            json!({"id": input::text(u, &["s1"])?, "hostname": "h", "aws_ec2": aws}).to_string();
        servers.extend_from_slice(line.as_bytes());
        servers.push(b'\n');
    }
    if u.ratio(1, 4)? {
        input::mutate(u, &mut servers, &["{", "}", "\"aws_ec2\":", "\n"])?;
    }
    let mut instances = BTreeMap::new();
    for _ in 0..u.int_in_range(0..=5)? {
        instances.insert(
            input::pick(u, IDS)?.trim().to_string(),
            (
                input::pick(u, STATES)?.to_string(),
                input::pick(u, &["012345678901", "123456789012"])?.to_string(),
                input::pick(u, &["eu-west-1", "us-east-1"])?.to_string(),
            ),
        );
    }
    Ok(Ec2Case {
        accounts: input::text(u, LIST_WORDS)?,
        regions: input::text(u, LIST_WORDS)?,
        states: input::text(u, LIST_WORDS)?,
        servers,
        instances,
    })
}

/// Accepted lists hold only valid, distinct values; every error names the value's flag. An
/// instance is reported unprotected exactly when it is in a counted state and no Halo server
/// names it; a server is reported orphaned only when its instance does not exist.
pub fn check_ec2(c: &Ec2Case) {
    if let Ok(a) = parse_accounts(&c.accounts) {
        assert!(
            a.iter()
                .all(|x| x.len() == 12 && x.bytes().all(|b| b.is_ascii_digit()))
        );
        assert_eq!(a.iter().collect::<BTreeSet<_>>().len(), a.len());
    }
    match parse_regions(&c.regions) {
        Ok(Some(r)) => assert!(r.iter().all(|x| !x.is_empty() && x.contains('-'))),
        Ok(None) => assert!(c.regions.split(',').any(|r| r.trim() == "all")),
        Err(e) => assert!(format!("{e:#}").contains("--regions")),
    }
    let states = match parse_ec2_states(&c.states) {
        Ok(s) => s,
        Err(e) => {
            assert!(format!("{e:#}").contains("--states"));
            STATES.iter().map(|s| s.to_string()).collect()
        }
    };
    let mut halo = Vec::new();
    for rec in JsonlReader::new("halo-servers", &c.servers[..]) {
        match rec {
            Ok(r) => halo.push(Value::Object(r.value)),
            Err(e) => assert!(e.to_string().starts_with("halo-servers:")),
        }
    }
    let mut inv = Inventory::default();
    for (id, (state, account, region)) in &c.instances {
        inv.instances.insert(
            id.clone(),
            json!({"instance_id": id, "state": state, "aws_account": account, "aws_region": region}),
        );
        inv.scanned.insert((account.clone(), region.clone()));
    }
    let named: BTreeSet<String> = halo
        .iter()
        .filter_map(|s| octo_core::records::lookup(s, "aws_ec2.ec2_instance_id"))
        .filter_map(Value::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let rows = delta(&inv, &halo, &states);
    let reported: BTreeSet<&str> = rows
        .iter()
        .filter_map(|r| r["instance_id"].as_str())
        .collect();
    for (id, (state, _, _)) in &c.instances {
        let unprotected = states.contains(state) && !named.contains(id);
        assert_eq!(
            reported.contains(id.as_str()),
            unprotected,
            "instance {id:?}"
        );
    }
    for s in reverse(&inv, &halo) {
        let id = octo_core::records::lookup(&s, "aws_ec2.ec2_instance_id")
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or_default();
        assert!(!id.is_empty());
        assert!(
            c.instances
                .get(id)
                .is_none_or(|(state, _, _)| state == "terminated"),
            "server of existing instance {id:?} reported orphaned"
        );
    }
}
