//! A Halo firewall zone as ipblock edits it: the comma-separated `ip_address` list and the
//! expiry records of the blocks we added, kept durably in the zone's `description`, one line per
//! block: `octobox-ipblock: 203.0.113.7 until 2026-11-20T13:00:00Z` (or `until never`). Lines
//! that are not ours are kept as they are, so are entries we did not add.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::ip::Cidr;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

pub const MARKER: &str = "octobox-ipblock: ";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub id: String,
    pub name: String,
    /// Entries of `ip_address`, trimmed, in order, empty ones dropped.
    pub entries: Vec<String>,
    /// Description lines that are not ours.
    pub text: Vec<String>,
    /// Blocks we added: address → expiry (`None` = never).
    pub ours: BTreeMap<IpAddr, Option<DateTime<Utc>>>,
    /// Whether the description was null (kept null when nothing of ours is in it).
    pub null_description: bool,
}

pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Zone {
    /// From a `firewall_zone` object.
    pub fn parse(z: &Value) -> Zone {
        let st = |k: &str| z.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let entries = st("ip_address")
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect();
        let mut text = Vec::new();
        let mut ours = BTreeMap::new();
        let desc = z.get("description").and_then(Value::as_str);
        for line in desc.unwrap_or("").lines() {
            if let Some(rest) = line.trim().strip_prefix(MARKER.trim_end())
                && let Some((ip, until)) = rest.trim().split_once(" until ")
                && let Ok(ip) = ip.trim().parse::<IpAddr>()
            {
                let until = until.trim();
                let t = if until == "never" {
                    Some(None)
                } else {
                    octo_core::time::parse_api(until).map(Some)
                };
                if let Some(t) = t {
                    ours.insert(ip, t);
                    continue;
                }
            }
            text.push(line.to_string());
        }
        Zone {
            id: st("id"),
            name: st("name"),
            entries,
            text,
            ours,
            null_description: desc.is_none(),
        }
    }

    pub fn ip_address(&self) -> String {
        self.entries.join(",")
    }

    pub fn description(&self) -> Option<String> {
        if self.ours.is_empty() && self.null_description && self.text.is_empty() {
            return None;
        }
        let mut lines = self.text.clone();
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        for (ip, until) in &self.ours {
            let u = until.map_or_else(|| "never".to_string(), fmt_time);
            lines.push(format!("{MARKER}{ip} until {u}"));
        }
        Some(lines.join("\n"))
    }

    /// The PUT body: the full list (Halo replaces it) and the description with our records.
    pub fn put_body(&self) -> Value {
        json!({"firewall_zone": {
            "id": self.id, "name": self.name,
            "ip_address": self.ip_address(), "description": self.description(),
        }})
    }

    /// The entry that covers `ip` (equal address or a CIDR containing it).
    pub fn covering(&self, ip: IpAddr) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.parse::<Cidr>().is_ok_and(|c| c.contains(ip)))
            .map(String::as_str)
    }

    /// Index of the entry that is exactly `ip` (as an address, whatever its spelling).
    fn exact(&self, ip: IpAddr) -> Option<usize> {
        self.entries.iter().position(|e| {
            e.parse::<Cidr>()
                .is_ok_and(|c| c.addr == ip && c.prefix == Cidr::single(ip).prefix)
        })
    }

    /// Add a block of ours; false when the address is already covered.
    pub fn add(&mut self, ip: IpAddr, until: Option<DateTime<Utc>>) -> bool {
        if self.covering(ip).is_some() {
            return false;
        }
        self.entries.push(ip.to_string());
        self.ours.insert(ip, until);
        true
    }

    /// Remove the entry that is exactly `ip` and our record of it; false when neither exists.
    pub fn remove(&mut self, ip: IpAddr) -> bool {
        let mut changed = self.ours.remove(&ip).is_some();
        while let Some(i) = self.exact(ip) {
            self.entries.remove(i);
            changed = true;
        }
        changed
    }

    /// Whether the zone is identical (what a concurrent writer could have changed).
    pub fn same_content(&self, other: &Zone) -> bool {
        self.entries == other.entries && self.description() == other.description()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trip_keeps_foreign_entries_and_text() {
        let z = Zone::parse(&json!({"id": "z", "name": "n",
            "ip_address": " 203.0.113.250, 198.51.100.0/24,,",
            "description": "IP-Blocker zone\noctobox-ipblock: 203.0.113.7 until 2026-11-20T13:00:00Z\noctobox-ipblock: 2001:db8::1 until never"}));
        assert_eq!(z.entries, vec!["203.0.113.250", "198.51.100.0/24"]);
        assert_eq!(z.text, vec!["IP-Blocker zone"]);
        assert_eq!(z.ours.len(), 2);
        let mut z2 = z.clone();
        assert!(z2.add("192.0.2.9".parse().unwrap(), None));
        assert!(
            !z2.add("198.51.100.9".parse().unwrap(), None),
            "covered by the /24"
        );
        assert_eq!(
            z2.covering("198.51.100.9".parse().unwrap()),
            Some("198.51.100.0/24")
        );
        assert_eq!(z2.ip_address(), "203.0.113.250,198.51.100.0/24,192.0.2.9");
        assert_eq!(
            z2.description().unwrap(),
            "IP-Blocker zone\noctobox-ipblock: 192.0.2.9 until never\noctobox-ipblock: 203.0.113.7 until 2026-11-20T13:00:00Z\noctobox-ipblock: 2001:db8::1 until never"
        );
        let back = Zone::parse(&z2.put_body()["firewall_zone"]);
        assert!(back.same_content(&z2));
        assert!(z2.remove("192.0.2.9".parse().unwrap()));
        assert!(!z2.remove("192.0.2.9".parse().unwrap()));
        assert!(z2.same_content(&z));
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 13, 0, 0).unwrap();
        assert_eq!(z.ours[&"203.0.113.7".parse::<IpAddr>().unwrap()], Some(t));
    }

    #[test]
    fn null_description_stays_null() {
        let mut z = Zone::parse(
            &json!({"id": "z", "name": "n", "ip_address": "1.2.3.4", "description": null}),
        );
        assert_eq!(z.description(), None);
        z.add("5.6.7.8".parse().unwrap(), None);
        assert_eq!(
            z.description().unwrap(),
            "octobox-ipblock: 5.6.7.8 until never"
        );
        z.remove("5.6.7.8".parse().unwrap());
        assert_eq!(z.description(), None);
    }
}
