//! `POST /oauth/access_token` (client credentials via HTTP Basic) and the bearer check applied to
//! every `/v1` and `/v3` route: unknown or expired token → 401, read-scope token on a write → 403.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;
use serde_json::json;

use crate::util::{Query, error, ok_json};
use crate::{READ_KEY, Shared, WRITE_KEY};

/// Who a bearer token belongs to; inserted as a request extension for handlers.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub key_id: String,
    pub scope: &'static str,
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub caller: Caller,
    pub expires: Instant,
}

/// Decode standard base64 (with or without padding).
pub(crate) fn b64decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0u32;
    for c in s.trim().bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let h = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = h.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = String::from_utf8(b64decode(rest)?).ok()?;
    let (k, s) = raw.split_once(':')?;
    Some((k.to_string(), s.to_string()))
}

pub(crate) async fn access_token(
    State(sh): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let q = Query::parse(uri.query());
    if q.get("grant_type") != Some("client_credentials") {
        return error(
            StatusCode::BAD_REQUEST,
            "grant_type=client_credentials is required in the query string",
        );
    }
    let Some((key, secret)) = basic_credentials(&headers) else {
        return error(
            StatusCode::UNAUTHORIZED,
            "Invalid credentials: HTTP Basic key id and secret required",
        );
    };
    let scope = if (key.as_str(), secret.as_str()) == READ_KEY {
        "read"
    } else if (key.as_str(), secret.as_str()) == WRITE_KEY {
        "write"
    } else {
        return error(StatusCode::UNAUTHORIZED, "Invalid credentials");
    };
    let token: String = {
        let mut rng = rand::rng();
        (0..32)
            .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
            .collect()
    };
    let ttl = sh.cfg.token_ttl_secs;
    sh.tokens().insert(
        token.clone(),
        Token {
            caller: Caller { key_id: key, scope },
            expires: Instant::now() + Duration::from_secs(ttl),
        },
    );
    sh.stats().tokens_issued += 1;
    ok_json(json!({"access_token": token, "expires_in": ttl, "scope": scope}))
}

/// Bearer check for API routes.
pub(crate) async fn require_token(
    State(sh): State<Arc<Shared>>,
    mut req: Request,
    next: Next,
) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string());
    let Some(bearer) = bearer else {
        return error(
            StatusCode::UNAUTHORIZED,
            "Authorization: Bearer <token> required",
        );
    };
    let caller = {
        let mut tokens = sh.tokens();
        match tokens.get(&bearer) {
            Some(t) if t.expires > Instant::now() => t.caller.clone(),
            Some(_) => {
                tokens.remove(&bearer);
                return error(StatusCode::UNAUTHORIZED, "access token expired");
            }
            None => return error(StatusCode::UNAUTHORIZED, "invalid access token"),
        }
    };
    if req.method() != Method::GET && req.method() != Method::HEAD && caller.scope != "write" {
        return error(
            StatusCode::FORBIDDEN,
            "this API key is read-only and cannot modify resources",
        );
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(
            b64decode("c2ltLXJlYWQta2V5OnNlY3JldA==").unwrap(),
            b"sim-read-key:secret"
        );
        assert_eq!(b64decode("YQ").unwrap(), b"a");
        assert!(b64decode("a*b").is_none());
    }
}
