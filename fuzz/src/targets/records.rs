//! JSON Lines: octo-core's reader (every stream consumer reads through it) and the response
//! tools' event source (quarantine, ipblock), whose fast path must agree with the full one.

use arbitrary::{Result, Unstructured};
use octo_core::records::JsonlReader;
use octo_response::events::{EventSource, EventType, KNOWN_EVENT_TYPES, Trigger, event_type};
use serde_json::{Map, Value};

use crate::input::{self, Shape};

/// What error messages call the input.
pub const SOURCE: &str = "fuzz-input";

/// Keys of Halo events and octobox records.
pub const EVENT_KEYS: &[&str] = &[
    "id",
    "type",
    "name",
    "critical",
    "created_at",
    "message",
    "server_id",
    "server_hostname",
    "server_group_name",
    "server_ip_address",
    "actor_ip_address",
    "actor_username",
    "source_ip_address",
    "record",
    "status",
    "aws_ec2",
    "ec2_instance_id",
];

/// Words for event fields.
pub const EVENT_WORDS: &[&str] = &[
    "lids_rule_failed",
    "LIDS_RULE_FAILED",
    "sca_rule_failed",
    "halo_login_failure",
    "q-test",
    "web",
    "2024-06-01T12:00:00.000Z",
    "from 203.0.113.8 port 22",
    "srv-1",
    "quarantine.action/v1",
    "planned",
];

/// Lines of JSON Lines input: generated objects, other JSON values, blank lines, CRLF, a BOM.
#[derive(Debug, Clone)]
pub struct Jsonl {
    pub bytes: Vec<u8>,
    /// The objects written, in order, when `bytes` was not mutated afterwards.
    pub objects: Option<Vec<Map<String, Value>>>,
}

pub fn gen_jsonl(u: &mut Unstructured<'_>) -> Result<Jsonl> {
    let shape = Shape {
        keys: EVENT_KEYS,
        words: EVENT_WORDS,
    };
    let mut bytes = Vec::new();
    let mut objects = Vec::new();
    if u.ratio(1, 8)? {
        bytes.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut pure = true;
    for _ in 0..u.int_in_range(0..=8)? {
        match u.int_in_range(0..=9)? {
            0 => bytes.extend_from_slice(b"   "),
            1 => {
                pure = false;
                bytes.extend_from_slice(input::json(u, shape, 2)?.to_string().as_bytes());
            }
            _ => {
                let o = input::object(u, shape, 2)?;
                bytes.extend_from_slice(Value::Object(o.clone()).to_string().as_bytes());
                objects.push(o);
            }
        }
        bytes.extend_from_slice(if u.ratio(1, 4)? { b"\r\n" } else { b"\n" });
    }
    if u.ratio(1, 2)? {
        pure = false;
        input::mutate(u, &mut bytes, &["{", "}", "\"type\":", "\n", "\r"])?;
    }
    Ok(Jsonl {
        objects: pure.then_some(objects),
        bytes,
    })
}

/// Every line is a record or an error naming the source and a real line, in line order; input
/// made of objects only reads back exactly those objects.
pub fn check_jsonl(input: &Jsonl) {
    let lines = input.bytes.split(|&b| b == b'\n').count() as u64;
    let mut last = 0;
    let mut records = Vec::new();
    for item in JsonlReader::new(SOURCE, &input.bytes[..]) {
        let line = match item {
            Ok(r) => {
                let line = r.line;
                records.push(r.value);
                line
            }
            Err(e) => {
                assert_eq!(e.source_name, SOURCE);
                assert!(!e.message.is_empty());
                let text = e.to_string();
                assert!(
                    text.starts_with(&format!("{SOURCE}:{}: ", e.line)),
                    "the error does not start with source and line: {text}"
                );
                e.line
            }
        };
        assert!(
            line > last && line <= lines,
            "line {line} after {last} (of {lines})"
        );
        last = line;
    }
    if let Some(objects) = &input.objects {
        assert_eq!(records.len(), objects.len());
        for (got, want) in records.iter().zip(objects) {
            assert!(
                same_json(&Value::Object(got.clone()), &Value::Object(want.clone())),
                "read back {got:?}, wrote {want:?}"
            );
        }
    }
}

/// Equal JSON, floats compared to the last bit or two (serde_json parses floats fast, not always
/// to the nearest bit).
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= x.abs().max(y.abs()) * 4.0 * f64::EPSILON
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Event lines and the rule they are matched against.
#[derive(Debug, Clone)]
pub struct Events {
    pub jsonl: Jsonl,
    pub types: Vec<String>,
    pub only_critical: bool,
    pub groups: Option<Vec<String>>,
}

pub fn gen_events(u: &mut Unstructured<'_>) -> Result<Events> {
    let mut types = Vec::new();
    for _ in 0..u.int_in_range(0..=3)? {
        types.push(input::pick(u, KNOWN_EVENT_TYPES)?.to_string());
    }
    let groups = if u.arbitrary()? {
        Some(vec![input::pick(u, &["q-test", "web", ""])?.to_string()])
    } else {
        None
    };
    Ok(Events {
        jsonl: gen_jsonl(u)?,
        types,
        only_critical: u.arbitrary()?,
        groups,
    })
}

/// What a reader saw on one line: a match (line, type) or an error message.
type Seen = std::result::Result<(u64, String), String>;

/// The event source's matches (its fast path decodes only the rule's fields) are exactly those
/// of reading every record in full and applying the rule, errors included.
pub fn check_events(input: &Events) {
    let types: Vec<EventType> = input.types.iter().map(|t| EventType(t.clone())).collect();
    let trigger = Trigger::new(&types, input.only_critical, input.groups.as_deref());
    let reader = JsonlReader::new(
        SOURCE,
        Box::new(std::io::Cursor::new(input.jsonl.bytes.clone())) as Box<dyn std::io::BufRead>,
    );
    let mut source = EventSource::Jsonl(reader);
    let mut fast: Vec<Seen> = Vec::new();
    octo_core::block_on(async {
        while let Some(m) = source.next_match(&trigger).await {
            fast.push(m.map(|(ev, t)| (ev.line, t)).map_err(|e| format!("{e:#}")));
        }
    });
    let mut full: Vec<Seen> = Vec::new();
    for item in JsonlReader::new(SOURCE, &input.jsonl.bytes[..]) {
        match item {
            Err(e) => full.push(Err(format!("{:#}", anyhow::Error::from(e)))),
            Ok(ev) => match event_type(SOURCE, &ev) {
                Err(e) => full.push(Err(format!("{:#}", anyhow::Error::from(e)))),
                Ok(t) if trigger.matches(&t, &ev) => full.push(Ok((ev.line, t.into_owned()))),
                Ok(_) => {}
            },
        }
    }
    assert_eq!(fast, full, "next_match (left) differs from the full path");
}
