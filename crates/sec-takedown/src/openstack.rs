//! Raw authenticated OpenStack calls over octo-core's HTTP client: a Keystone v3 token and
//! catalog, then Nova, Keystone, Glance and Neutron requests.
//!
//! The Nova microversion is negotiated once per run from the compute endpoint's version
//! document (`GET <compute>` → `{"version": {"min_version", "version"}}`): 2.73 (lock reason,
//! `locked_reason` in show) when the cloud has it, else the cloud's maximum — then a lock
//! carries no reason and the reason goes into the instance metadata key
//! [`KEY_LOCK_REASON`] instead.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use bytes::Bytes;
use octo_core::exit::usage;
use octo_core::http::{Http, Method, Req, StatusCode, display_target};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use url::Url;

use crate::config::{OsAuth, OsMethod};
use crate::wait::{Poll, poll_until};

mod keystone;
use keystone::*;

/// The Nova microversion sec-takedown wants (lock reason, `locked_reason` in show).
pub const NOVA_MICROVERSION: (u32, u32) = (2, 73);
/// Where the lock reason is recorded when the cloud's Nova is older than 2.73.
pub const KEY_LOCK_REASON: &str = "security_lock_reason";

/// An OpenStack API answered with an error status.
#[derive(Debug)]
pub struct ApiError {
    pub service: &'static str,
    pub method: Method,
    pub target: String,
    pub status: StatusCode,
    pub message: String,
    pub request_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}: HTTP {}: {}",
            self.service,
            self.method,
            self.target,
            self.status.as_u16(),
            self.message
        )?;
        if let Some(r) = &self.request_id {
            write!(f, " (request id {r})")?;
        }
        Ok(())
    }
}
impl std::error::Error for ApiError {}

/// A successful response: status, JSON body (Null when empty) and the request id.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub request_id: Option<String>,
}

/// The message of an OpenStack error body: Nova `{"conflictingRequest": {"message"}}`,
/// Keystone `{"error": {"message"}}`, Neutron `{"NeutronError": {"message"}}`, Glance
/// `{"message"}`; otherwise the raw text, shortened.
pub fn error_message(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if let Some(m) = v.get("message").and_then(Value::as_str) {
        return m.to_string();
    }
    if let Some(obj) = v.as_object() {
        for (k, inner) in obj {
            if let Some(m) = inner.get("message").and_then(Value::as_str) {
                return format!("{k}: {m}");
            }
        }
    }
    let t = String::from_utf8_lossy(body);
    let t = t.trim();
    if t.is_empty() {
        "(empty body)".into()
    } else {
        t.chars().take(300).collect()
    }
}

/// The current Keystone token and when to ask for the next one.
struct TokenState {
    secret: SecretString,
    /// `None`: Keystone said nothing usable about the expiry; renewed only after a 401.
    renew_at: Option<Instant>,
}

/// An authenticated session. The Keystone token is renewed before it expires (when half its
/// lifetime, at most ten minutes, is left) and once after a 401, so a long run outlives it.
pub struct Os {
    http: Http,
    auth: OsAuth,
    token: std::sync::Mutex<TokenState>,
    /// Held while a new token is requested (one renewal at a time).
    renewing: tokio::sync::Mutex<()>,
    pub user_id: String,
    pub user_name: String,
    pub project_name: String,
    pub roles: Vec<String>,
    pub compute: Url,
    pub image: Url,
    pub network: Url,
    pub identity: Url,
    /// The microversion every Nova call sends (negotiated by [`Os::connect`]).
    pub nova_mv: (u32, u32),
    /// The cloud's highest Nova microversion, when its version document says.
    pub nova_max: Option<(u32, u32)>,
}

impl fmt::Debug for Os {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Os")
            .field("user", &self.user_name)
            .field("token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// `X.Y` → `(X, Y)`.
fn parse_mv(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.trim().split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Append path segments to a base URL (each segment percent-encoded).
pub fn join(base: &Url, segments: &[&str]) -> Url {
    let mut u = base.clone();
    if let Ok(mut s) = u.path_segments_mut() {
        s.pop_if_empty();
        for seg in segments {
            s.push(seg);
        }
    }
    u
}

fn versioned(base: &Url, version: &str) -> Url {
    if base.path().trim_end_matches('/').ends_with(version) {
        base.clone()
    } else {
        join(base, &[version])
    }
}

impl Os {
    /// Authenticate (POST /v3/auth/tokens) and pick endpoints from the catalog.
    pub async fn connect(http: Http, auth: &OsAuth) -> anyhow::Result<Os> {
        let Issued {
            secret,
            doc: t,
            renew_at,
        } = issue(&http, auth).await?;
        let catalog = &t["catalog"];
        let roles = t["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["name"].as_str().map(String::from))
            .collect();
        let mut os = Os {
            compute: endpoint(catalog, "compute", auth)?,
            image: versioned(&endpoint(catalog, "image", auth)?, "v2"),
            network: versioned(&endpoint(catalog, "network", auth)?, "v2.0"),
            identity: versioned(&endpoint(catalog, "identity", auth)?, "v3"),
            http,
            auth: auth.clone(),
            token: std::sync::Mutex::new(TokenState { secret, renew_at }),
            renewing: tokio::sync::Mutex::new(()),
            user_id: t["user"]["id"].as_str().unwrap_or_default().to_string(),
            user_name: t["user"]["name"].as_str().unwrap_or_default().to_string(),
            project_name: t["project"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            roles,
            nova_mv: NOVA_MICROVERSION,
            nova_max: None,
        };
        os.negotiate_nova().await?;
        Ok(os)
    }

    /// Read the compute endpoint's version document once and pick the microversion: 2.73 when
    /// the cloud's range includes it, else the cloud's maximum. A cloud that serves no version
    /// document keeps 2.73 (with a warning); one whose minimum is above 2.73 is an error.
    async fn negotiate_nova(&mut self) -> anyhow::Result<()> {
        let url = self.compute.clone();
        let doc = match self
            .call("Nova", Method::GET, url.clone(), None, true)
            .await?
        {
            Ok(r) => r.body,
            Err(e) => {
                tracing::warn!(
                    "no Nova version document ({e}); assuming microversion {}.{} is supported",
                    NOVA_MICROVERSION.0,
                    NOVA_MICROVERSION.1
                );
                return Ok(());
            }
        };
        let v = &doc["version"];
        let (min, max) = (
            v["min_version"].as_str().and_then(parse_mv),
            v["version"].as_str().and_then(parse_mv),
        );
        let Some(max) = max else {
            return Err(anyhow!(
                "Nova {}: the version document names no microversion range (a v2.0-only cloud?): {}",
                display_target(&url),
                v
            ));
        };
        if min.is_some_and(|m| m > NOVA_MICROVERSION) {
            return Err(anyhow!(
                "Nova {}: the lowest microversion served is {}, above the {}.{} sec-takedown speaks",
                display_target(&url),
                v["min_version"].as_str().unwrap_or_default(),
                NOVA_MICROVERSION.0,
                NOVA_MICROVERSION.1
            ));
        }
        self.nova_max = Some(max);
        self.nova_mv = NOVA_MICROVERSION.min(max);
        tracing::debug!(max = ?max, using = ?self.nova_mv, "Nova microversion negotiated");
        Ok(())
    }

    /// Whether a lock can carry a reason (the negotiated microversion is 2.73 or above).
    pub fn lock_has_reason(&self) -> bool {
        self.nova_mv >= NOVA_MICROVERSION
    }

    /// The lock request body for `reason` at the negotiated microversion.
    pub fn lock_body(&self, reason: &str) -> Value {
        if self.lock_has_reason() {
            json!({"lock": {"locked_reason": reason}})
        } else {
            json!({"lock": null})
        }
    }

    /// The lock reason of a server as shown: `locked_reason` at 2.73+, else the metadata key
    /// [`KEY_LOCK_REASON`].
    pub fn lock_reason_of(&self, srv: &Value) -> Option<String> {
        let v = if self.lock_has_reason() {
            &srv["locked_reason"]
        } else {
            &srv["metadata"][KEY_LOCK_REASON]
        };
        v.as_str().map(String::from)
    }

    /// Metadata that records `reason` when the lock itself cannot (empty at 2.73+).
    pub fn lock_reason_metadata(&self, reason: &str) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        if !self.lock_has_reason() {
            m.insert(KEY_LOCK_REASON.into(), json!(reason));
        }
        m
    }

    /// The lock call as a plan line.
    pub fn lock_call(&self, server_id: &str, reason: &str) -> String {
        format!(
            "Nova POST /servers/{server_id}/action {} (microversion {}.{}){}",
            self.lock_body(reason),
            self.nova_mv.0,
            self.nova_mv.1,
            if self.lock_has_reason() {
                String::new()
            } else {
                format!(" + metadata {KEY_LOCK_REASON}={}", json!(reason))
            }
        )
    }

    /// Said on stderr before a lock on a cloud older than 2.73.
    pub fn lock_without_reason_notice(&self, reason: &str) -> Option<String> {
        (!self.lock_has_reason()).then(|| {
            let max = self.nova_max.unwrap_or(self.nova_mv);
            format!(
                "this cloud's Nova supports microversions up to {}.{} (a lock reason needs 2.73): \
                 locking without a reason and recording reason {} in the instance metadata key \
                 `{KEY_LOCK_REASON}`",
                max.0,
                max.1,
                json!(reason)
            )
        })
    }

    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "admin")
    }

    /// An explanation appended to permission-like failures of a non-admin token.
    pub fn admin_hint(&self) -> String {
        if self.is_admin() {
            String::new()
        } else {
            format!(
                " — the token of user `{}` in project `{}` has no `admin` role (roles: {}); \
                 sec-takedown needs a cloud-admin token to act on other projects' servers \
                 (a project member gets 409 `is locked` / 403 on a security lock)",
                self.user_name,
                self.project_name,
                if self.roles.is_empty() {
                    "none".to_string()
                } else {
                    self.roles.join(", ")
                }
            )
        }
    }

    /// One call. `Ok(Err(ApiError))` for an HTTP error status, so callers can branch on it.
    pub async fn call(
        &self,
        service: &'static str,
        method: Method,
        url: Url,
        body: Option<&Value>,
        idempotent: bool,
    ) -> anyhow::Result<Result<Reply, ApiError>> {
        let (token, fresh) = self.current_token(false).await?;
        let resp = self
            .send_once(service, &method, &url, body, idempotent, &token)
            .await?;
        // a token Keystone no longer honours (revoked, or a clock we misjudged): one new token
        let resp = if resp.status == StatusCode::UNAUTHORIZED && !fresh {
            let (token, _) = self.current_token(true).await?;
            self.send_once(service, &method, &url, body, idempotent, &token)
                .await?
        } else {
            resp
        };
        let request_id = resp
            .headers
            .get("x-openstack-request-id")
            .or_else(|| resp.headers.get("x-compute-request-id"))
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        if !resp.status.is_success() {
            return Ok(Err(ApiError {
                service,
                method,
                target: display_target(&url),
                status: resp.status,
                message: error_message(&resp.body),
                request_id,
            }));
        }
        let body = if resp.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&resp.body)
                .with_context(|| format!("{service} {}: invalid JSON", display_target(&url)))?
        };
        Ok(Ok(Reply {
            status: resp.status,
            body,
            request_id,
        }))
    }

    /// The token to send and whether it was issued just now; a new one when it is due for
    /// renewal or `force`.
    async fn current_token(&self, force: bool) -> anyhow::Result<(SecretString, bool)> {
        let due = |t: &TokenState| force || t.renew_at.is_some_and(|r| Instant::now() >= r);
        {
            let t = self.token.lock().unwrap_or_else(|e| e.into_inner());
            if !due(&t) {
                return Ok((t.secret.clone(), false));
            }
        }
        let before = self
            .token
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .secret
            .expose_secret()
            .to_string();
        let _one = self.renewing.lock().await;
        {
            // another call renewed it while this one waited
            let t = self.token.lock().unwrap_or_else(|e| e.into_inner());
            if t.secret.expose_secret() != before {
                return Ok((t.secret.clone(), true));
            }
        }
        let new = issue(&self.http, &self.auth)
            .await
            .context("renewing the Keystone token")?;
        tracing::debug!("Keystone token renewed");
        let mut t = self.token.lock().unwrap_or_else(|e| e.into_inner());
        *t = TokenState {
            secret: new.secret.clone(),
            renew_at: new.renew_at,
        };
        Ok((new.secret, true))
    }

    async fn send_once(
        &self,
        service: &'static str,
        method: &Method,
        url: &Url,
        body: Option<&Value>,
        idempotent: bool,
        token: &SecretString,
    ) -> anyhow::Result<octo_core::http::Response> {
        let mut req = Req::new(method.clone(), url.clone());
        req.headers
            .push(("x-auth-token", token.expose_secret().to_string()));
        req.headers.push(("accept", "application/json".into()));
        if service == "Nova" {
            let mv = format!("{}.{}", self.nova_mv.0, self.nova_mv.1);
            req.headers
                .push(("openstack-api-version", format!("compute {mv}")));
            req.headers.push(("x-openstack-nova-api-version", mv));
        }
        if let Some(b) = body {
            req.headers
                .push(("content-type", "application/json".into()));
            req.body = Some(Bytes::from(serde_json::to_vec(b)?));
        }
        req.idempotent = idempotent;
        self.http.send(&req).await.with_context(|| service)
    }

    /// GET returning the JSON body; an error status is an error.
    pub async fn get(&self, service: &'static str, url: Url) -> anyhow::Result<Value> {
        Ok(self
            .call(service, Method::GET, url, None, true)
            .await??
            .body)
    }

    // ---- Nova ----

    pub fn server_url(&self, id: &str, rest: &[&str]) -> Url {
        let mut segs = vec!["servers", id];
        segs.extend_from_slice(rest);
        join(&self.compute, &segs)
    }

    /// The server at 2.73, or `None` on 404.
    pub async fn server(&self, id: &str) -> anyhow::Result<Option<Value>> {
        match self
            .call("Nova", Method::GET, self.server_url(id, &[]), None, true)
            .await?
        {
            Ok(r) => Ok(Some(r.body["server"].clone())),
            Err(e) if e.status == StatusCode::NOT_FOUND => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Servers (any project) with the address `ip`: Nova's `ip` filter (a regex over fixed
    /// addresses: anchored and escaped here), then Neutron's floating IPs (port → device).
    pub async fn servers_by_ip(&self, ip: &str) -> anyhow::Result<Vec<Value>> {
        let fixed = self.servers_by_fixed_ip(ip).await?;
        if !fixed.is_empty() {
            return Ok(fixed);
        }
        let mut u = join(&self.network, &["floatingips"]);
        u.query_pairs_mut().append_pair("floating_ip_address", ip);
        let fips = self.get("Neutron", u).await?;
        let mut out: Vec<Value> = Vec::new();
        for f in fips["floatingips"].as_array().into_iter().flatten() {
            let Some(port) = f["port_id"].as_str() else {
                continue;
            };
            let mut pu = join(&self.network, &["ports"]);
            pu.query_pairs_mut().append_pair("id", port);
            let ports = self.get("Neutron", pu).await?;
            for p in ports["ports"].as_array().into_iter().flatten() {
                if let Some(dev) = p["device_id"].as_str().filter(|d| !d.is_empty())
                    && !out.iter().any(|s| s["id"] == dev)
                    && let Some(s) = self.server(dev).await?
                {
                    out.push(s);
                }
            }
        }
        Ok(out)
    }

    async fn servers_by_fixed_ip(&self, ip: &str) -> anyhow::Result<Vec<Value>> {
        let escaped: String = ip
            .chars()
            .flat_map(|c| {
                if c.is_ascii_alphanumeric() || c == ':' {
                    vec![c]
                } else {
                    vec!['\\', c]
                }
            })
            .collect();
        let mut u = join(&self.compute, &["servers", "detail"]);
        u.query_pairs_mut()
            .append_pair("all_tenants", "1")
            .append_pair("ip", &format!("^{escaped}$"));
        let v = self.get("Nova", u).await?;
        Ok(v["servers"].as_array().cloned().unwrap_or_default())
    }

    /// `POST /servers/{id}/action`.
    pub async fn action(
        &self,
        id: &str,
        body: &Value,
        idempotent: bool,
    ) -> anyhow::Result<Result<Reply, ApiError>> {
        self.call(
            "Nova",
            Method::POST,
            self.server_url(id, &["action"]),
            Some(body),
            idempotent,
        )
        .await
    }

    /// Merge metadata keys (`POST /servers/{id}/metadata`, never PUT).
    pub async fn set_metadata(
        &self,
        id: &str,
        md: &serde_json::Map<String, Value>,
    ) -> anyhow::Result<Result<Reply, ApiError>> {
        self.call(
            "Nova",
            Method::POST,
            self.server_url(id, &["metadata"]),
            Some(&json!({ "metadata": md })),
            true,
        )
        .await
    }

    /// Poll the server until `done` says so (or it is gone, when `gone_ok`). `what` completes
    /// "waiting for server ID …" ("to be PAUSED"); a spinner says so on a terminal.
    pub async fn wait(
        &self,
        id: &str,
        what: &str,
        timeout: Duration,
        interval: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<Option<Value>> {
        // on a terminal (from the second poll on): what is awaited, for how long at most, where
        // the server is now and the elapsed time; cleared when the wait ends
        let mut shown: Option<octo_core::progress::Progress> = None;
        let polled = poll_until(what, Instant::now() + timeout, interval, async || {
            Ok(match self.server(id).await? {
                None => Poll::Ready(None),
                Some(v) if done(&v) => Poll::Ready(Some(v)),
                Some(v) => {
                    let msg = format!(
                        "waiting for server {id} {what} (at most {}s; status {}, task_state {})",
                        timeout.as_secs(),
                        v["status"],
                        v["OS-EXT-STS:task_state"]
                    );
                    shown
                        .get_or_insert_with(|| octo_core::progress::Progress::spinner(&msg))
                        .set_message(&msg);
                    Poll::Pending(v)
                }
            })
        })
        .await?;
        polled.map_err(|v| {
            anyhow!(
                "server {id}: timed out after {}s waiting for it {what} (status {}, task_state {})",
                timeout.as_secs(),
                v["status"],
                v["OS-EXT-STS:task_state"]
            )
        })
    }
}
