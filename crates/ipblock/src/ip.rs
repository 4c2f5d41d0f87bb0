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
            // an IPv6 block holds an IPv4 address as its IPv4-mapped form (`::ffff:10.0.0.0/104`
            // holds 10.0.0.1): extracted addresses are canonical, blocks may be written either way
            (IpAddr::V6(_), IpAddr::V4(a)) => self.contains(IpAddr::V6(a.to_ipv6_mapped())),
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

/// An address as written: brackets dropped; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is its
/// IPv4 address, so it is blocked, compared and guarded as that address.
fn parse_ip(s: &str) -> Option<IpAddr> {
    s.trim()
        .trim_matches(|c| c == '[' || c == ']')
        .parse::<IpAddr>()
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The words of a message that may be addresses: maximal runs of letters, digits, `_`, `.` and
/// `:` — so `1.2.3.4.5` stays one word and is never read as `1.2.3.4`, and `::ffff:1.2.3.4` is
/// never cut short.
fn words(message: &str) -> impl Iterator<Item = &str> {
    message
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':')))
        .filter(|w| !w.is_empty())
}

/// The address a word of a message is written as — a dotted quad (with a port, perhaps), or hex
/// digits with at least two colons — or `None` for any other word (a time `12:30`, a version
/// `1.2.3.4.5`, an OID).
fn address_text(word: &str) -> Option<&str> {
    // sentence punctuation after an address: `… 203.0.113.8.` or `… 2001:db8::1:`
    let mut w = word.trim_end_matches('.');
    if w.ends_with(':') && !w.ends_with("::") {
        w = &w[..w.len() - 1];
    }
    let dotted_quad = |t: &str| {
        let parts: Vec<&str> = t.split('.').collect();
        parts.len() == 4
            && parts
                .iter()
                .all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let colons = w.matches(':').count();
    if colons == 0 {
        return dotted_quad(w).then_some(w);
    }
    // `203.0.113.10:22`: an IPv4 address with a port
    if colons == 1 {
        return match w.split_once(':') {
            Some((a, p)) if dotted_quad(a) && p.bytes().all(|b| b.is_ascii_digit()) => Some(a),
            _ => None,
        };
    }
    w.bytes()
        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        .then_some(w)
}

/// Fields besides the message that can carry the offending address, in order.
pub const IP_FIELDS: &[&str] = &["actor_ip_address", "source_ip_address", "remote_ip_address"];

/// The offending address of an event: the `from <ip> port` form of the message first (sshd),
/// then [`IP_FIELDS`], then the first valid address in the message that is not the event's own
/// server. Addresses are validated (IPv4 and IPv6; an IPv4-mapped address is its IPv4 address);
/// a word written like an address that does not parse is reported as [`Extracted::Invalid`] when
/// nothing valid was found. A longer dotted run (`1.2.3.4.5`) is not an address at all.
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
    for tok in words(message).filter_map(address_text) {
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

    fn from_message(m: &str) -> Extracted {
        extract_ip(&rec(json!({ "message": m })))
    }

    fn ip(s: &str) -> Extracted {
        Extracted::Ip(s.parse().unwrap())
    }

    #[test]
    fn ipv4_mapped_addresses_are_their_ipv4_address() {
        // in the free text of a message, after `from … port`, and in an address field
        assert_eq!(
            from_message("login for root by ::ffff:1.2.3.4 refused"),
            ip("1.2.3.4")
        );
        assert_eq!(
            from_message("Failed password for root from ::ffff:203.0.113.9 port 22 ssh2"),
            ip("203.0.113.9")
        );
        assert_eq!(
            extract_ip(&rec(
                json!({"message": "x", "actor_ip_address": "::FFFF:198.51.100.4"})
            )),
            ip("198.51.100.4")
        );
        assert_eq!(
            from_message("probe from [::ffff:198.51.100.5]:443 dropped"),
            ip("198.51.100.5")
        );
        // a mapped private address is the private address, which the guard refuses
        let mapped = from_message("connection from ::ffff:10.0.0.1 dropped");
        assert_eq!(mapped, ip("10.0.0.1"));
        let Extracted::Ip(a) = mapped else {
            unreachable!()
        };
        assert_eq!(reserved_reason(a), Some("private address"));
        // our own server, written mapped, is still our own server
        let e = rec(json!({
            "message": "web-1 (::ffff:54.1.2.3) contacted by 198.51.100.9",
            "server_ip_address": "54.1.2.3"
        }));
        assert_eq!(extract_ip(&e), ip("198.51.100.9"));
    }

    #[test]
    fn longer_dotted_runs_are_not_addresses() {
        assert_eq!(
            from_message("package foo 1.2.3.4.5 installed"),
            Extracted::None
        );
        assert_eq!(
            from_message("oid 1.3.6.1.4.1.2021 changed"),
            Extracted::None
        );
        assert_eq!(from_message("v1.2.3.4 and 4.3.2.1.0"), Extracted::None);
        // the address after them is still found; punctuation and ports around one are not part of it
        assert_eq!(
            from_message("pkg 1.2.3.4.5 then 203.0.113.8."),
            ip("203.0.113.8")
        );
        assert_eq!(
            from_message("peer 203.0.113.10:22 reset"),
            ip("203.0.113.10")
        );
        assert_eq!(
            from_message("peer [2001:db8::9]:22 reset"),
            ip("2001:db8::9")
        );
        assert_eq!(from_message("peer 2001:db8::a, reset"), ip("2001:db8::a"));
        assert_eq!(
            from_message("bad 999.1.1.1 seen"),
            Extracted::Invalid("999.1.1.1".into())
        );
    }
}
