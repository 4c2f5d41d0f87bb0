//! ipblock: the offending address of an event, CIDR blocks, `block_for` durations and the
//! firewall zone it edits.

use std::net::IpAddr;

use arbitrary::{Result, Unstructured};
use ipblock::ip::{Cidr, Extracted, IP_FIELDS, extract_ip, reserved_reason};
use ipblock::rules::BlockFor;
use ipblock::zone::Zone;
use octo_core::records::Record;
use serde_json::{Map, Value, json};

use crate::input;

/// An event with addresses (or almost-addresses) in its message and fields.
#[derive(Debug, Clone)]
pub struct IpEvent {
    pub record: Map<String, Value>,
}

const MESSAGE_WORDS: &[&str] = &[
    "Failed password for root from ",
    " port 22 ssh2",
    "from ",
    " port ",
    "Accepted publickey from [",
    "] port 1",
    " at 12:30:45",
    " version 1.2.3.4.5",
    "OID 1.3.6.1.4.1",
    ". ",
    ": ",
    ", ",
    "host-",
];

pub fn gen_ip_event(u: &mut Unstructured<'_>) -> Result<IpEvent> {
    let mut message = String::new();
    for _ in 0..u.int_in_range(0..=6)? {
        if u.ratio(1, 2)? {
            message.push_str(&input::ip_text(u)?);
        } else {
            message.push_str(&input::text(u, MESSAGE_WORDS)?);
        }
    }
    let mut record = Map::new();
    record.insert("type".into(), json!("halo_login_failure"));
    record.insert("message".into(), json!(message));
    for f in IP_FIELDS
        .iter()
        .chain(&["server_ip_address", "server_primary_ip_address"])
    {
        if u.ratio(1, 4)? {
            let v = match u.int_in_range(0..=5)? {
                0 => Value::Null,
                1 => json!(7),
                2 => json!(input::text(u, &[" ", "[", "]"])?),
                _ => json!(format!(" {} ", input::ip_text(u)?)),
            };
            record.insert(f.to_string(), v);
        }
    }
    Ok(IpEvent { record })
}

/// Maximal runs of the characters an address is written with, as a reader splits a message:
/// hex digits, `:` and `.`.
fn runs(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_ascii_hexdigit() || c == ':' || c == '.'))
        .filter(|w| !w.is_empty())
}

/// The addresses a run can stand for: itself without trailing sentence punctuation, or the
/// address before a `:port`.
fn run_addresses(run: &str) -> Vec<IpAddr> {
    let w = run.trim_end_matches('.');
    let w = w
        .strip_suffix(':')
        .filter(|_| !w.ends_with("::"))
        .unwrap_or(w);
    let mut out: Vec<IpAddr> = w.parse::<IpAddr>().into_iter().collect();
    if let Some((a, p)) = w.split_once(':')
        && !p.contains(':')
        && let Ok(ip) = a.parse::<IpAddr>()
    {
        out.push(ip);
    }
    out.into_iter().map(|ip| ip.to_canonical()).collect()
}

/// An extracted address is written, whole, in the event: a field's whole value, or a whole
/// run of address characters of the message (so `1.2.3.4.5` never yields `1.2.3.4`, nor
/// `::ffff:1.2.3.4` `::ffff:1`); an IPv4-mapped address is its IPv4 address. Text reported as
/// an invalid address is text of the event.
pub fn check_ip_event(input: &IpEvent) {
    let ev = Record {
        line: 1,
        value: input.record.clone(),
    };
    let message = ev.get_str("message").unwrap_or("");
    let fields: Vec<&str> = IP_FIELDS.iter().filter_map(|f| ev.get_str(f)).collect();
    match extract_ip(&ev) {
        Extracted::Ip(ip) => {
            assert_eq!(
                ip,
                ip.to_canonical(),
                "an IPv4-mapped address is not canonical"
            );
            let in_field = fields.iter().any(|f| {
                f.trim()
                    .trim_matches(|c| c == '[' || c == ']')
                    .parse::<IpAddr>()
                    .is_ok_and(|a| a.to_canonical() == ip)
            });
            let in_message = runs(message).any(|r| run_addresses(r).contains(&ip));
            assert!(
                in_field || in_message,
                "{ip} is neither a field's value nor a whole address of the message"
            );
            // the guard sees the canonical address: a mapped private address is private
            if let IpAddr::V4(v4) = ip {
                assert_eq!(
                    reserved_reason(ip),
                    reserved_reason(IpAddr::V6(v4.to_ipv6_mapped()))
                );
            }
        }
        Extracted::Invalid(s) => {
            assert!(
                message.contains(&s) || fields.iter().any(|f| f.contains(&s)),
                "invalid text `{s}` is not in the event"
            );
        }
        Extracted::None => {}
    }
}

/// A CIDR as written in `never_block` or a zone, and an address to test against it.
#[derive(Debug, Clone)]
pub struct CidrCase {
    pub text: String,
    pub ip: IpAddr,
}

pub fn gen_cidr(u: &mut Unstructured<'_>) -> Result<CidrCase> {
    let mut text = input::ip_text(u)?;
    if u.ratio(2, 3)? {
        text.push('/');
        text.push_str(input::pick(
            u,
            &[
                "0", "8", "24", "32", "33", "64", "96", "104", "128", "129", "-1", "", "x",
            ],
        )?);
    }
    if u.ratio(1, 4)? {
        text = input::mutate_text(u, &text, &["/", ":", "."])?;
    }
    let ip = if u.arbitrary()? {
        IpAddr::from(u.arbitrary::<[u8; 4]>()?)
    } else {
        IpAddr::from(u.arbitrary::<[u8; 16]>()?)
    };
    Ok(CidrCase { text, ip })
}

/// A parsed CIDR prints as it parses back, contains its own address, and an IPv4 address and
/// its IPv4-mapped IPv6 spelling are inside the same blocks.
pub fn check_cidr(input: &CidrCase) {
    let Ok(c) = input.text.parse::<Cidr>() else {
        return;
    };
    let max = if c.addr.is_ipv4() { 32 } else { 128 };
    assert!(c.prefix <= max);
    assert_eq!(
        c.to_string().parse::<Cidr>(),
        Ok(c),
        "{c} does not parse back"
    );
    assert!(c.contains(c.addr));
    let v4 = match input.ip {
        IpAddr::V4(a) => Some(a),
        IpAddr::V6(a) => a.to_ipv4_mapped(),
    };
    if let Some(a) = v4 {
        assert_eq!(
            c.contains(IpAddr::V4(a)),
            c.contains(IpAddr::V6(a.to_ipv6_mapped())),
            "{c} treats {a} and ::ffff:{a} differently"
        );
    }
}

/// A `block_for:` value.
#[derive(Debug, Clone)]
pub struct Duration {
    pub text: String,
}

pub fn gen_block_for(u: &mut Unstructured<'_>) -> Result<Duration> {
    let mut text = String::new();
    for _ in 0..u.int_in_range(0..=4)? {
        text.push_str(&match u.int_in_range(0..=3)? {
            0 => u.arbitrary::<u64>()?.to_string(),
            1 => u.int_in_range(0..=1000u32)?.to_string(),
            _ => input::pick(u, &["1", "100000000", "99999999999999999999"])?.to_string(),
        });
        text.push_str(input::pick(
            u,
            &["s", "m", "h", "d", "w", "", " ", "x", "never", "0"],
        )?);
    }
    if u.ratio(1, 4)? {
        text = input::mutate_text(u, &text, &["d", "w"])?;
    }
    Ok(Duration { text })
}

/// A duration either parses or is refused naming the value; the expiry time it gives is added
/// with checked arithmetic (an error, never a panic, for `100000000d`).
pub fn check_block_for(input: &Duration) {
    match BlockFor::parse(&input.text) {
        Ok(BlockFor(Some(d))) => {
            assert!(d.as_secs() > 0);
            let now = chrono::Utc::now();
            match octo_core::time::checked_after(now, d, "ipblocker.block_for") {
                Ok(t) => assert!(t > now),
                Err(e) => assert!(format!("{e:#}").contains("ipblocker.block_for")),
            }
        }
        Ok(BlockFor(None)) => {}
        Err(e) => assert!(e.contains(&input.text), "{e}"),
    }
}

/// A `firewall_zone` as the API returns it (or something near it), and an address to add.
#[derive(Debug, Clone)]
pub struct ZoneCase {
    pub zone: Value,
    pub ip: IpAddr,
    pub until: Option<i64>,
}

pub fn gen_zone(u: &mut Unstructured<'_>) -> Result<ZoneCase> {
    let mut entries = Vec::new();
    for _ in 0..u.int_in_range(0..=4)? {
        let mut e = input::ip_text(u)?;
        if u.ratio(1, 3)? {
            e.push_str(input::pick(u, &["/24", "/16", "/0", "/128", "/96"])?);
        }
        entries.push(e);
    }
    let sep = input::pick(u, &[",", ", ", " , ", ",,"])?;
    let mut desc = Vec::new();
    for _ in 0..u.int_in_range(0..=3)? {
        desc.push(if u.arbitrary()? {
            format!(
                "octobox-ipblock: {} until {}",
                input::ip_text(u)?,
                input::pick(
                    u,
                    &[
                        "never",
                        "2026-11-20T13:00:00Z",
                        "2026-11-20T13:00:00.5+02:00",
                        "soon",
                        ""
                    ]
                )?
            )
        } else {
            input::text(u, &["note", " ", "octobox-ipblock:", " until "])?
        });
    }
    let description = match u.int_in_range(0..=3)? {
        0 => Value::Null,
        1 => json!(7),
        _ => json!(desc.join(input::pick(u, &["\n", "\r\n"])?)),
    };
    let ip = if u.arbitrary()? {
        IpAddr::from(u.arbitrary::<[u8; 4]>()?)
    } else {
        IpAddr::from(u.arbitrary::<[u8; 16]>()?).to_canonical()
    };
    let until = if u.arbitrary()? {
        Some(u.int_in_range(0..=4_102_444_800i64)?)
    } else {
        None
    };
    Ok(ZoneCase {
        zone: json!({"id": "z1", "name": input::text(u, &["blocklist"])?,
            "ip_address": entries.join(sep), "description": description}),
        ip,
        until,
    })
}

/// What ipblock writes reads back the same (the re-read check that detects a concurrent writer
/// must not see its own write as a change), a block added covers its address, with its expiry,
/// and a block removed is gone.
pub fn check_zone(input: &ZoneCase) {
    let z = Zone::parse(&input.zone);
    let written = Zone::parse(&z.put_body()["firewall_zone"]);
    let again = Zone::parse(&written.put_body()["firewall_zone"]);
    assert!(
        written.same_content(&again),
        "reading back what was written changes the zone: {written:?} vs {again:?}"
    );
    let mut added = z.clone();
    let until = input
        .until
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0));
    if added.add(input.ip, until) {
        let back = Zone::parse(&added.put_body()["firewall_zone"]);
        assert!(
            back.covering(input.ip).is_some(),
            "{} is not covered after add",
            input.ip
        );
        assert_eq!(
            back.ours.get(&input.ip),
            Some(&until),
            "expiry of {} lost",
            input.ip
        );
        let mut removed = back.clone();
        assert!(removed.remove(input.ip));
        assert!(!removed.ours.contains_key(&input.ip));
        assert!(
            removed.covering(input.ip).is_none(),
            "{} still covered after removing the block just added",
            input.ip
        );
    } else {
        assert!(z.covering(input.ip).is_some());
    }
}
