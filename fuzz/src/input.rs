//! Generators of hostile-but-plausible input: texts built from a target's own vocabulary plus
//! [`NASTY`] pieces, JSON values shaped by the keys a parser looks at, YAML documents, and byte
//! mutations (flip, insert, cut, repeat — repetition is what makes deep nesting and long runs).

use arbitrary::{Result, Unstructured};
use serde_json::{Map, Number, Value};

use crate::harness::MAX_INPUT;

/// Pieces that broke parsers before: control, escape and bidi characters, a BOM, quotes and
/// brackets, YAML 1.1 words, numbers at and past the edges of i64/u64/f64.
pub const NASTY: &[&str] = &[
    "\u{feff}",
    "\u{1b}[31m",
    "\u{9b}",
    "\u{202e}",
    "\u{0}",
    "\u{7f}",
    "\r\n",
    "\n",
    "\r",
    "\t",
    " ",
    "\"",
    "\\",
    "'",
    "{",
    "}",
    "[",
    "]",
    ":",
    ": ",
    ",",
    "- ",
    "#",
    "&",
    "*",
    "!",
    "|",
    "<",
    ">",
    "%",
    "@",
    "/",
    "?",
    "=",
    ".",
    "é",
    "𝄞",
    "null",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "~",
    "0",
    "-1",
    "-0",
    "1e308",
    "1e-300",
    "NaN",
    "inf",
    "18446744073709551616",
    "9223372036854775807",
    "-9223372036854775809",
    "4294967296",
    "65536",
    "2305843009213693952",
];

/// One of `list`.
pub fn pick<'a>(u: &mut Unstructured<'_>, list: &[&'a str]) -> Result<&'a str> {
    u.choose(list).copied()
}

/// A short text: pieces of `words` (the vocabulary of the parser under test), [`NASTY`] pieces,
/// numbers, letters and arbitrary characters.
pub fn text(u: &mut Unstructured<'_>, words: &[&str]) -> Result<String> {
    let n = u.int_in_range(0..=5)?;
    let mut s = String::new();
    for _ in 0..n {
        match u.int_in_range(0..=9)? {
            0..=4 if !words.is_empty() => s.push_str(pick(u, words)?),
            5 | 6 => s.push_str(pick(u, NASTY)?),
            7 => s.push(u.arbitrary::<char>()?),
            8 => s.push_str(&u.arbitrary::<u32>()?.to_string()),
            _ => {
                for _ in 0..u.int_in_range(1..=8)? {
                    s.push(char::from(u.int_in_range(b'a'..=b'z')?));
                }
            }
        }
    }
    Ok(s)
}

/// A JSON number: small, at the integer edges, or any finite float.
pub fn number(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=4)? {
        0 => Value::from(u.arbitrary::<i64>()?),
        1 => Value::from(u.arbitrary::<u64>()?),
        2 => Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
        3 => Value::from(*u.choose(&[i64::MIN, i64::MAX, -1, 0, u32::MAX as i64 + 1])?),
        _ => Value::from(u.int_in_range(0..=100)?),
    })
}

/// What a JSON document should look like: the keys the parser reads and words for its strings.
#[derive(Clone, Copy)]
pub struct Shape<'a> {
    pub keys: &'a [&'a str],
    pub words: &'a [&'a str],
}

/// A JSON value at most `depth` levels deep, objects keyed mostly by `shape.keys`.
pub fn json(u: &mut Unstructured<'_>, shape: Shape<'_>, depth: u32) -> Result<Value> {
    let top = if depth == 0 { 5 } else { 7 };
    Ok(match u.int_in_range(0..=top)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => number(u)?,
        3..=5 => Value::String(text(u, shape.words)?),
        6 => {
            let n = u.int_in_range(0..=4)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(json(u, shape, depth - 1)?);
            }
            Value::Array(items)
        }
        _ => Value::Object(object(u, shape, depth - 1)?),
    })
}

/// A JSON object whose values are at most `depth` levels deep.
pub fn object(
    u: &mut Unstructured<'_>,
    shape: Shape<'_>,
    depth: u32,
) -> Result<Map<String, Value>> {
    let n = u.int_in_range(0..=6)?;
    let mut m = Map::new();
    for _ in 0..n {
        let key = if shape.keys.is_empty() || u.ratio(1, 8)? {
            text(u, &[])?
        } else {
            pick(u, shape.keys)?.to_string()
        };
        m.insert(key, json(u, shape, depth)?);
    }
    Ok(m)
}

/// A few byte-level mutations of `bytes`, kept under [`MAX_INPUT`]: change a byte, insert a
/// piece of `tokens` or [`NASTY`], cut a range, truncate, or repeat a range many times.
pub fn mutate(u: &mut Unstructured<'_>, bytes: &mut Vec<u8>, tokens: &[&str]) -> Result<()> {
    for _ in 0..u.int_in_range(0..=3)? {
        let len = bytes.len();
        match u.int_in_range(0..=5)? {
            0 if len > 0 => {
                let i = u.choose_index(len)?;
                bytes[i] = u.arbitrary()?;
            }
            1 | 2 => {
                let i = u.int_in_range(0..=len)?;
                let t = if tokens.is_empty() || u.arbitrary()? {
                    pick(u, NASTY)?
                } else {
                    pick(u, tokens)?
                };
                bytes.splice(i..i, t.bytes());
            }
            3 if len > 0 => {
                let a = u.choose_index(len)?;
                let b = u.int_in_range(a..=len.min(a + 32))?;
                bytes.drain(a..b);
            }
            4 if len > 0 => {
                let at = u.int_in_range(0..=len)?;
                bytes.truncate(at);
            }
            5 if len > 0 => {
                let a = u.choose_index(len)?;
                let b = u.int_in_range(a..=len.min(a + 16))?;
                let times = *u.choose(&[2, 10, 100, 1000, 20_000])?;
                let piece = bytes[a..b].to_vec();
                let mut rep = Vec::with_capacity(piece.len() * times);
                for _ in 0..times {
                    rep.extend_from_slice(&piece);
                }
                bytes.splice(a..a, rep);
            }
            _ => {}
        }
    }
    bytes.truncate(MAX_INPUT);
    Ok(())
}

/// `text` mutated as bytes, back as UTF-8 (invalid sequences replaced).
pub fn mutate_text(u: &mut Unstructured<'_>, text: &str, tokens: &[&str]) -> Result<String> {
    let mut b = text.as_bytes().to_vec();
    mutate(u, &mut b, tokens)?;
    Ok(String::from_utf8_lossy(&b).into_owned())
}

/// A YAML text: a generated value written as YAML (block or flow style), then perhaps mutated.
pub fn yaml(u: &mut Unstructured<'_>, value: &Value, tokens: &[&str]) -> Result<String> {
    let text = if u.ratio(1, 4)? {
        // flow style is JSON, which is YAML too
        value.to_string()
    } else {
        serde_yaml_ng::to_string(value).unwrap_or_default()
    };
    if u.ratio(1, 2)? {
        mutate_text(u, &text, tokens)
    } else {
        Ok(text)
    }
}

/// An IP address as text, of the shapes messages carry: IPv4, IPv6, IPv4-mapped, bracketed, with a
/// port, or almost an address (a fifth octet, 999, leading zeros).
pub fn ip_text(u: &mut Unstructured<'_>) -> Result<String> {
    let o = |u: &mut Unstructured<'_>| -> Result<String> {
        Ok(match u.int_in_range(0..=9)? {
            0 => "999".into(),
            1 => "01".into(),
            _ => u.arbitrary::<u8>()?.to_string(),
        })
    };
    let v4 = |u: &mut Unstructured<'_>| -> Result<String> {
        Ok(format!("{}.{}.{}.{}", o(u)?, o(u)?, o(u)?, o(u)?))
    };
    Ok(match u.int_in_range(0..=7)? {
        0 | 1 => v4(u)?,
        2 => std::net::Ipv6Addr::from(u.arbitrary::<u128>()?).to_string(),
        3 => format!("::ffff:{}", v4(u)?),
        4 => format!("[{}]", std::net::Ipv6Addr::from(u.arbitrary::<u128>()?)),
        5 => format!("{}:{}", v4(u)?, u.arbitrary::<u16>()?),
        6 => format!("{}.{}", v4(u)?, o(u)?),
        _ => format!(
            "{}::{:x}",
            pick(
                u,
                &["fe80", "2001:db8", "fc00", "ff02", "::ffff", "64:ff9b"]
            )?,
            u.arbitrary::<u16>()?
        ),
    })
}
