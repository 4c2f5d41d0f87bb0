//! One HTTP/1.1 request over a plain socket, for a test's own calls to the simulator (state
//! changes the tools under test must then see). Written here, not with the tools' HTTP client, so
//! a bug in that client cannot hide itself.

use std::io::{Read, Write};

use serde_json::Value;

/// `METHOD base+path` with `headers` and an optional JSON body; returns the status, the raw
/// response head and the body. `base` is `http://HOST:PORT` (the simulator's URL).
pub fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, String, String) {
    let addr = base
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("{base}: not an http:// URL"))
        .trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("{addr}: {e}"));
    let b = body
        .map(|b| serde_json::to_vec(b).expect("a JSON body"))
        .unwrap_or_default();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        b.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("sending the request");
    s.write_all(&b).expect("sending the body");
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).expect("reading the response");
    let resp = String::from_utf8_lossy(&resp).into_owned();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// Standard base64 (RFC 4648, padded), for a Basic `Authorization` header.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A Halo request to the simulator at `base` with a token of `key` (e.g. `octo_sim::WRITE_KEY`):
/// the status and the body as JSON (`null` when it is not JSON).
pub fn halo(
    base: &str,
    key: (&str, &str),
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let basic = format!(
        "Basic {}",
        base64(format!("{}:{}", key.0, key.1).as_bytes())
    );
    let (status, _, text) = http(
        base,
        "POST",
        "/oauth/access_token?grant_type=client_credentials",
        &[("Authorization", &basic)],
        None,
    );
    assert_eq!(status, 200, "token: {text}");
    let token: Value = serde_json::from_str(&text).expect("a token response");
    let bearer = format!(
        "Bearer {}",
        token["access_token"].as_str().expect("access_token")
    );
    let (status, _, text) = http(base, method, path, &[("Authorization", &bearer)], body);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_as_rfc_4648_shows_it() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
    }
}
