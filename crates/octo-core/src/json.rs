//! JSON values in and out through serde_json's non-generic entry points (`Value: FromStr`,
//! `Value: Display`). Those are compiled inside serde_json, which the dev profile optimises,
//! whereas `serde_json::from_slice::<Value>` / `to_writer(.., &Value)` are generic and would be
//! compiled unoptimised into the calling crate: for the hot paths (every page of every list,
//! every exported record) this is several times faster in a debug build and the same in release.

use std::str::FromStr;

use serde_json::Value;

/// Parse a JSON document.
pub fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Value::from_str(text),
        // serde_json's own error for invalid UTF-8 (with its position).
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// `bytes` without a leading UTF-8 byte-order mark (editors on Windows write one; it is not JSON
/// or YAML content).
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// Append `value` as compact JSON (serde_json's `to_writer` output, byte for byte).
pub fn write_compact(out: &mut Vec<u8>, value: &Value) {
    // Through a `String` (whose `fmt::Write` is std's compiled code), not `write!` on the Vec
    // (whose io adapter would be instantiated here, unoptimised).
    out.extend_from_slice(value.to_string().as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_as_serde_json() {
        let text = br#"{"b":1,"a":[true,null,"x\"\n\u0001\u00e9"],"c":{"d":-1.5e-7,"e":18446744073709551615}}"#;
        let v = parse(text).unwrap();
        assert_eq!(v, serde_json::from_slice::<Value>(text).unwrap());
        let mut out = Vec::new();
        write_compact(&mut out, &v);
        assert_eq!(out, serde_json::to_vec(&v).unwrap());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"b":1,"a":[true,null,"x\"\n\u0001é"],"c":{"d":-1.5e-7,"e":18446744073709551615}}"#
        );
    }

    #[test]
    fn errors_say_where() {
        let e = parse(b"{\"a\": }").unwrap_err();
        assert_eq!(e.to_string(), "expected value at line 1 column 7");
        let e = parse(b"{\"a\": \"\xff\"}").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }
}
