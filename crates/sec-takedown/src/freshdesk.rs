//! FreshDesk API v2 over octo-core's HTTP client (Basic auth: API key, password `X`).
//!
//! POSTs (ticket, note, reply) are never blindly repeated: after an ambiguous failure (5xx,
//! dropped connection) the caller looks for its idempotency marker first (a ticket tag, a marker
//! string in the conversation) and posts again only when it is absent.

use std::fmt;

use anyhow::{Context, anyhow};
use bytes::Bytes;
use octo_core::http::{Http, HttpError, Method, Req, StatusCode, display_target};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use url::Url;

use crate::config::FdConfig;
use crate::openstack::join;
use crate::wait::{Attempt, create_checked};

/// FreshDesk answered with an error status.
#[derive(Debug)]
pub struct FdError {
    pub method: Method,
    pub target: String,
    pub status: StatusCode,
    pub message: String,
}

impl fmt::Display for FdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "FreshDesk {} {}: HTTP {}: {}",
            self.method,
            self.target,
            self.status.as_u16(),
            self.message
        )?;
        if self.status == StatusCode::UNAUTHORIZED {
            f.write_str(" — check FRESHDESK_API_KEY")?;
        }
        Ok(())
    }
}
impl std::error::Error for FdError {}

/// `"{description}: {field}: {message} ({code}), …"` like python-freshdesk.
fn fd_message(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let mut s = v["description"]
        .as_str()
        .or_else(|| v["message"].as_str())
        .unwrap_or("")
        .to_string();
    if let Some(errs) = v["errors"].as_array()
        && !errs.is_empty()
    {
        let list: Vec<String> = errs
            .iter()
            .map(|e| {
                format!(
                    "{}: {} ({})",
                    e["field"].as_str().unwrap_or(""),
                    e["message"].as_str().unwrap_or(""),
                    e["code"].as_str().unwrap_or("")
                )
            })
            .collect();
        s = format!("{s}: {}", list.join(", "));
    }
    if s.is_empty() {
        String::from_utf8_lossy(body).chars().take(300).collect()
    } else {
        s
    }
}

/// An outcome of a non-idempotent POST.
pub enum Posted {
    Created(Value),
    /// The request may or may not have been acted on (5xx, connection dropped).
    Ambiguous(String),
}

/// Every marker sec-takedown puts into a note or reply starts with this.
pub const MARKER_PREFIX: &str = "[sec-takedown:";
/// Items a FreshDesk list page holds at most (`per_page`).
pub const PER_PAGE: usize = 100;
/// Pages of a list FreshDesk serves at most (page 301 is refused).
pub const MAX_PAGES: u32 = 300;

pub struct Fd {
    http: Http,
    cfg: FdConfig,
}

impl Fd {
    pub fn new(http: Http, cfg: FdConfig) -> Fd {
        Fd { http, cfg }
    }

    pub fn base(&self) -> &Url {
        &self.cfg.base
    }

    fn url(&self, segs: &[&str]) -> Url {
        let mut s = vec!["api", "v2"];
        s.extend_from_slice(segs);
        join(&self.cfg.base, &s)
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<octo_core::http::Response, HttpError> {
        let key = self.cfg.api_key.expose_secret().to_string();
        let mut req = Req::new(method, url);
        req.basic = Some((&key, "X"));
        req.headers.push(("accept", "application/json".into()));
        if let Some(b) = body {
            req.headers
                .push(("content-type", "application/json".into()));
            req.body = Some(Bytes::from(serde_json::to_vec(b).unwrap_or_default()));
        }
        req.idempotent = idempotent;
        self.http.send(&req).await
    }

    /// An idempotent call (GET, PUT): error statuses are errors.
    pub async fn call(
        &self,
        method: Method,
        segs: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let mut url = self.url(segs);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let resp = self
            .send(method.clone(), url.clone(), body, true)
            .await
            .context("FreshDesk")?;
        if !resp.status.is_success() {
            return Err(FdError {
                method,
                target: display_target(&url),
                status: resp.status,
                message: fd_message(&resp.body),
            }
            .into());
        }
        if resp.body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&resp.body)
            .with_context(|| format!("FreshDesk {}: invalid JSON", display_target(&url)))
    }

    /// A POST that must not be repeated blindly.
    pub async fn post_once(&self, segs: &[&str], body: &Value) -> anyhow::Result<Posted> {
        let url = self.url(segs);
        match self
            .send(Method::POST, url.clone(), Some(body), false)
            .await
        {
            Ok(resp) if resp.status.is_success() => Ok(Posted::Created(
                serde_json::from_slice(&resp.body).unwrap_or(Value::Null),
            )),
            Ok(resp) if resp.status.is_server_error() => {
                Ok(Posted::Ambiguous(format!("HTTP {}", resp.status.as_u16())))
            }
            Ok(resp) => Err(FdError {
                method: Method::POST,
                target: display_target(&url),
                status: resp.status,
                message: fd_message(&resp.body),
            }
            .into()),
            Err(e @ (HttpError::Transport { .. } | HttpError::Deadline { .. })) => {
                Ok(Posted::Ambiguous(e.to_string()))
            }
            Err(e @ HttpError::GaveUp { .. }) => Err(anyhow!(e)),
        }
    }

    pub async fn ticket(&self, id: u64) -> anyhow::Result<Value> {
        self.call(Method::GET, &["tickets", &id.to_string()], &[], None)
            .await
    }

    pub async fn update(&self, id: u64, body: &Value) -> anyhow::Result<Value> {
        self.call(Method::PUT, &["tickets", &id.to_string()], &[], Some(body))
            .await
    }

    /// Every item of a FreshDesk list: pages of [`PER_PAGE`] (`page=1, 2, …`) until a short one.
    /// Fails, naming the list, when a page is not a JSON list or when `max_pages` full pages
    /// still leave more unread (FreshDesk itself stops at page 300): never a silent short read.
    pub async fn list_pages(
        &self,
        segs: &[&str],
        query: &[(&str, &str)],
        max_pages: u32,
    ) -> anyhow::Result<Vec<Value>> {
        let per_page = PER_PAGE.to_string();
        let mut out = Vec::new();
        for page in 1..=max_pages {
            let p = page.to_string();
            let mut q = query.to_vec();
            q.extend([("per_page", per_page.as_str()), ("page", p.as_str())]);
            let Value::Array(items) = self.call(Method::GET, segs, &q, None).await? else {
                anyhow::bail!(
                    "FreshDesk {}: page {page} is not a JSON list",
                    display_target(&self.url(segs))
                );
            };
            let n = items.len();
            out.extend(items);
            if n < PER_PAGE {
                return Ok(out);
            }
        }
        anyhow::bail!(
            "FreshDesk {}: {max_pages} full pages of {PER_PAGE} read and more remain; not all were read",
            display_target(&self.url(segs))
        )
    }

    /// Every conversation of a ticket, oldest first.
    pub async fn conversations(&self, id: u64) -> anyhow::Result<Vec<Value>> {
        let id = id.to_string();
        self.list_pages(&["tickets", &id, "conversations"], &[], MAX_PAGES)
            .await
    }

    /// Tickets carrying `tag`: search (index lags minutes) plus the newest tickets by listing
    /// (`updated_since` a week ago), so a ticket created a moment ago is found too.
    pub async fn find_by_tag(
        &self,
        tag: &str,
        requester_email: Option<&str>,
    ) -> anyhow::Result<Vec<Value>> {
        let mut found: Vec<Value> = Vec::new();
        let q = format!("\"tag:'{tag}'\"");
        match self
            .call(Method::GET, &["search", "tickets"], &[("query", &q)], None)
            .await
        {
            Ok(v) => found.extend(v["results"].as_array().cloned().unwrap_or_default()),
            // a plan without search, or a query it rejects: listing below still finds recent ones
            Err(e)
                if e.downcast_ref::<FdError>()
                    .is_some_and(|f| matches!(f.status.as_u16(), 400 | 403 | 404)) =>
            {
                tracing::warn!("FreshDesk search failed, relying on the ticket list: {e:#}");
            }
            Err(e) => return Err(e),
        }
        let since = (chrono::Utc::now() - chrono::Duration::days(7))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let query: Vec<(&str, &str)> = vec![
            ("updated_since", &since),
            ("per_page", "100"),
            ("order_by", "created_at"),
            ("order_type", "desc"),
        ];
        let listed = match requester_email {
            Some(e) => {
                let mut q = query.clone();
                q.push(("email", e));
                match self.call(Method::GET, &["tickets"], &q, None).await {
                    Ok(v) => v,
                    // an address FreshDesk has no contact for yet: list without the filter
                    Err(err)
                        if err
                            .downcast_ref::<FdError>()
                            .is_some_and(|f| matches!(f.status.as_u16(), 400 | 404)) =>
                    {
                        self.call(Method::GET, &["tickets"], &query, None).await?
                    }
                    Err(err) => return Err(err),
                }
            }
            None => self.call(Method::GET, &["tickets"], &query, None).await?,
        };
        for t in listed.as_array().cloned().unwrap_or_default() {
            let tagged = t["tags"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == tag));
            if tagged && !found.iter().any(|f| f["id"] == t["id"]) {
                found.push(t);
            }
        }
        found.sort_by_key(|t| t["id"].as_u64().unwrap_or(u64::MAX));
        Ok(found)
    }

    /// Post a note (`private`) or a reply carrying `marker`, unless a conversation with the
    /// marker exists already. Returns (conversation, created now?).
    pub async fn post_conversation(
        &self,
        ticket: u64,
        reply: bool,
        body: &str,
        marker: &str,
    ) -> anyhow::Result<(Value, bool)> {
        let kind = if reply { "reply" } else { "notes" };
        let mut payload = json!({ "body": body });
        if !reply {
            payload["private"] = json!(true);
        }
        let has = |c: &Value, m: &str| {
            c["body"].as_str().is_some_and(|b| b.contains(m))
                || c["body_text"].as_str().is_some_and(|b| b.contains(m))
        };
        let target = ["tickets", &ticket.to_string(), kind];
        let mut created = false;
        let posted = create_checked(
            // never busy: a refused post is an error of its own
            std::time::Duration::ZERO,
            async || {
                // Only the newest marked conversation counts: each post is recorded on the
                // instance right after it, so the only post that can be unrecorded is the newest.
                let convs = self.conversations(ticket).await?;
                Ok(convs
                    .into_iter()
                    .rev()
                    .find(|c| has(c, MARKER_PREFIX))
                    .filter(|c| has(c, marker)))
            },
            async || {
                Ok(match self.post_once(&target, &payload).await? {
                    Posted::Created(c) => {
                        created = true;
                        Attempt::Created(c)
                    }
                    Posted::Ambiguous(why) => Attempt::Unknown(why),
                })
            },
        )
        .await?;
        match posted {
            Ok(c) => Ok((c, created)),
            Err(last) => Err(anyhow!(
                "FreshDesk: could not add a {kind} to ticket {ticket}: {last}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use octo_core::config::Source;

    use super::*;

    #[tokio::test]
    async fn lists_read_to_the_short_page_and_fail_when_the_cap_leaves_more() {
        let sim = octo_sim::Sim::spawn(octo_sim::SimConfig::default()).unwrap();
        let fd = Fd::new(
            crate::http().unwrap(),
            FdConfig {
                base: Url::parse(&sim.url()).unwrap(),
                api_key: octo_sim::FRESHDESK_KEY.to_string().into(),
                base_source: Source::Env("FRESHDESK_URL"),
                key_source: Source::Env("FRESHDESK_API_KEY"),
            },
        );
        let ticket = fd
            .call(
                Method::POST,
                &["tickets"],
                &[],
                Some(&json!({"email": "owner@example.org", "subject": "paging",
                    "description": "101 notes", "status": 2, "priority": 1})),
            )
            .await
            .unwrap();
        let id = ticket["id"].as_u64().unwrap().to_string();
        for n in 0..=PER_PAGE {
            fd.call(
                Method::POST,
                &["tickets", &id, "notes"],
                &[],
                Some(&json!({"body": format!("note {n}"), "private": true})),
            )
            .await
            .unwrap();
        }
        let segs = ["tickets", id.as_str(), "conversations"];
        let all = fd.list_pages(&segs, &[], 2).await.unwrap();
        assert_eq!(all.len(), PER_PAGE + 1);
        assert_eq!(all[0]["body"], "note 0");
        assert_eq!(all[PER_PAGE]["body"], "note 100");
        assert_eq!(fd.conversations(id.parse().unwrap()).await.unwrap(), all);
        let e = fd.list_pages(&segs, &[], 1).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "FreshDesk /api/v2/tickets/{id}/conversations: 1 full pages of 100 read and more remain; not all were read"
            )
        );
    }
}
