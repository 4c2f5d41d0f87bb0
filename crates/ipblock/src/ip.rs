//! Offending-IP extraction, CIDR blocks and the never-block policy.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use octo_core::records::Record;

/// An address block `ADDR/PREFIX` (or a single address, prefix = full length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    pub fn single(addr: IpAddr) -> Cidr {
        let prefix = if addr.is_ipv4() { 32 } else { 128 };
        Cidr { addr, prefix }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - u32::from(self.prefix))
                };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - u32::from(self.prefix))
                };
                u128::from(n) & mask == u128::from(a) & mask
            }
            (IpAddr::V4(_), IpAddr::V6(a)) => a
                .to_ipv4_mapped()
                .is_some_and(|a4| self.contains(IpAddr::V4(a4))),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("invalid CIDR `{s}`: `{addr}` is not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(p) if p <= max => p,
                _ => return Err(format!("invalid CIDR `{s}`: prefix must be 0..={max}")),
            },
        };
        Ok(Cidr { addr, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let max = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.prefix == max {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why an address is never blocked, or `None` when it may be.
pub fn reserved_reason(ip: IpAddr) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    };
    match ip {
        IpAddr::V4(a) => {
            let o = a.octets();
            if a.is_loopback() {
                Some("loopback address")
            } else if a.is_private() || (o[0] == 100 && (o[1] & 0xc0) == 64) {
                Some("private address")
            } else if a.is_link_local() {
                Some("link-local address")
            } else if a.is_multicast() {
                Some("multicast address")
            } else if a.is_unspecified() || a.is_broadcast() || o[0] == 0 || o[0] >= 240 {
                Some("reserved address")
            } else {
                None
            }
        }
        IpAddr::V6(a) => {
            let seg0 = a.segments()[0];
            if a.is_loopback() {
                Some("loopback address")
            } else if a.is_unspecified() {
                Some("reserved address")
            } else if a.is_multicast() {
                Some("multicast address")
            } else if (seg0 & 0xffc0) == 0xfe80 {
                Some("link-local address")
            } else if (seg0 & 0xfe00) == 0xfc00 {
                Some("private address")
            } else {
                None
            }
        }
    }
}

/// What was found in an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extracted {
    Ip(IpAddr),
    /// Something IP-shaped that is not a valid address (e.g. `999.1.1.1`).
    Invalid(String),
    None,
}

fn from_port_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?-u)\bfrom\s+\[?([0-9A-Fa-f:.]+)\]?\s+port\b").expect("valid regex")
    })
}

fn ip_token_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // dotted quads (any digits, validated after) and IPv6-looking tokens with at least two colons;
    // ASCII classes ((?-u)) keep both regexes on the fast DFA path
    RE.get_or_init(|| {
        Regex::new(r"(?-u)(?:\b\d{1,3}(?:\.\d{1,3}){3}\b)|(?:[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}(?:\.\d{1,3}){3})?)")
            .expect("valid regex")
    })
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    s.trim().trim_matches(|c| c == '[' || c == ']').parse().ok()
}

/// Fields besides the message that can carry the offending address, in order.
pub const IP_FIELDS: &[&str] = &["actor_ip_address", "source_ip_address", "remote_ip_address"];

/// The offending address of an event: the `from <ip> port` form of the message first (sshd),
/// then [`IP_FIELDS`], then the first valid address in the message that is not the event's own
/// server. Addresses are validated (IPv4 and IPv6); an IP-shaped token that does not parse is
/// reported as [`Extracted::Invalid`] when nothing valid was found.
pub fn extract_ip(ev: &Record) -> Extracted {
    let message = ev.get_str("message").unwrap_or("");
    let mut invalid = None;
    if let Some(c) = from_port_re().captures(message) {
        let tok = &c[1];
        match parse_ip(tok) {
            Some(ip) => return Extracted::Ip(ip),
            None => invalid = Some(tok.to_string()),
        }
    }
    for f in IP_FIELDS {
        if let Some(s) = ev
            .get_path(f)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
        {
            match parse_ip(s) {
                Some(ip) => return Extracted::Ip(ip),
                None => {
                    invalid.get_or_insert_with(|| s.trim().to_string());
                }
            }
        }
    }
    let own: Vec<IpAddr> = ["server_ip_address", "server_primary_ip_address"]
        .iter()
        .filter_map(|f| ev.get_str(f).and_then(parse_ip))
        .collect();
    for m in ip_token_re().find_iter(message) {
        let tok = m.as_str();
        if !tok.contains('.') && tok.matches(':').count() < 2 {
            continue;
        }
        match parse_ip(tok) {
            Some(ip) if own.contains(&ip) => {}
            Some(ip) => return Extracted::Ip(ip),
            None => {
                // "12:30:45" style times are not addresses worth reporting
                if tok.contains('.') {
                    invalid.get_or_insert_with(|| tok.to_string());
                }
            }
        }
    }
    match invalid {
        Some(s) => Extracted::Invalid(s),
        None => Extracted::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: Value) -> Record {
        Record::from_value(1, v).expect("an object")
    }

    #[test]
    fn cidrs() {
        let c: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(c.contains("10.200.1.1".parse().unwrap()));
        assert!(!c.contains("11.0.0.1".parse().unwrap()));
        let c: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(c.contains("2001:db8:ffff::1".parse().unwrap()));
        assert!(!c.contains("2001:db9::1".parse().unwrap()));
        assert_eq!(
            "198.51.100.7".parse::<Cidr>().unwrap().to_string(),
            "198.51.100.7"
        );
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("999.0.0.0/8".parse::<Cidr>().is_err());
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
    }

    #[test]
    fn reserved() {
        for (ip, why) in [
            ("10.1.2.3", "private address"),
            ("172.16.0.1", "private address"),
            ("192.168.1.1", "private address"),
            ("100.64.0.1", "private address"),
            ("127.0.0.1", "loopback address"),
            ("169.254.1.1", "link-local address"),
            ("224.0.0.1", "multicast address"),
            ("::1", "loopback address"),
            ("fe80::1", "link-local address"),
            ("fd00::1", "private address"),
            ("ff02::1", "multicast address"),
            ("::ffff:10.0.0.1", "private address"),
        ] {
            assert_eq!(reserved_reason(ip.parse().unwrap()), Some(why), "{ip}");
        }
        assert_eq!(reserved_reason("203.0.113.7".parse().unwrap()), None);
        assert_eq!(reserved_reason("2001:db8::7".parse().unwrap()), None);
    }

    #[test]
    fn extraction_order_and_validation() {
        let e = rec(
            json!({"message": "sshd: Failed password for root from 203.0.113.7 port 52144 ssh2", "actor_ip_address": "198.51.100.1"}),
        );
        assert_eq!(
            extract_ip(&e),
            Extracted::Ip("203.0.113.7".parse().unwrap())
        );
        let e = rec(json!({"message": "Failed password for root from 2001:db8::66 port 22 ssh2"}));
        assert_eq!(
            extract_ip(&e),
            Extracted::Ip("2001:db8::66".parse().unwrap())
        );
        let e = rec(json!({"message": "login failed", "actor_ip_address": "198.51.100.1"}));
        assert_eq!(
            extract_ip(&e),
            Extracted::Ip("198.51.100.1".parse().unwrap())
        );
        let e = rec(json!({"message": "Failed password for root from 999.1.1.1 port 22"}));
        assert_eq!(extract_ip(&e), Extracted::Invalid("999.1.1.1".into()));
        let e = rec(
            json!({"message": "change on web-1 (54.1.2.3) by 198.51.100.9 at 12:30:45", "server_ip_address": "54.1.2.3"}),
        );
        assert_eq!(
            extract_ip(&e),
            Extracted::Ip("198.51.100.9".parse().unwrap())
        );
        let e = rec(json!({"message": "nothing here at 12:30:45"}));
        assert_eq!(extract_ip(&e), Extracted::None);
    }
}
