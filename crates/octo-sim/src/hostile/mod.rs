//! Hostile mode: the Halo API answering the way a broken proxy, a buggy release or an attacker
//! might (issue 15). One knob per mutation; each can be scoped to an endpoint.
//!
//! Knobs are part of [`crate::Faults`] (`hostile`), so they are set the way every fault is: at
//! start (`octo-sim serve --hostile KNOB[@PATH][,KNOB[@PATH]…]`, [`crate::SimConfig::faults`]),
//! and at run time (`PUT /_sim/faults` `{"hostile": ["null-list@/v1/events"]}`,
//! [`crate::Sim::set_faults`]); `/_sim/reset` restores the start set. [`HELP`] describes every
//! knob (it is the `--hostile` help, hence the man page).
//!
//! Scope: `KNOB@/v1/events` mutates only answers to that path and the paths below it
//! (`@/v1/servers` also covers `/v1/servers/{id}/issues`). An unscoped knob mutates every Halo
//! route except the token endpoint; the two `expires-in` knobs only ever touch the token answer.
//! OpenStack, FreshDesk, Slack and `/_sim/*` are never touched.

mod decoy;
mod mutate;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use decoy::Decoy;

use crate::shared::Shared;
use crate::util::{ReqCtx, error};

/// The `--hostile` help: every knob, what it does to the answer.
pub const HELP: &str = "\
Mutate Halo API answers: KNOB or KNOB@PATH (only that path and below), comma-separated or repeated. \
Also settable at run time: PUT /_sim/faults {\"hostile\": [\"null-list@/v1/events\"]}.
Unscoped knobs touch every Halo route but the token endpoint; the expires-in knobs only the token answer.
  wrong-types            every item field changes type: string -> [string], number -> string, bool -> \"true\"/\"false\"
  null-list              the list is null while count stays (e.g. {\"count\": 420, \"events\": null})
  missing-wrapper        no wrapper: a single object is served bare (no \"firewall_policy\" key), a list answer has no list key
  pagination-not-object  pagination is a string (the next URL, or \"\" on the last page) instead of an object
  missing-next           pagination is {} on every page, also when count says more
  looping-next           pagination.next is the URL of the page itself
  backwards-created-at   the items of each page in reverse order (created_at goes backwards)
  bad-created-at         every item's created_at is \"2024-13-45T25:61:61Z\"
  cross-host-redirect    302 to the same path and query on another host (127.0.0.2, another port) serving a fake body
  stall                  no answer until the knob is turned off (then the normal answer) or the simulator stops
  huge-expires-in        the token answer's expires_in is 2^63 (9223372036854775808)
  negative-expires-in    the token answer's expires_in is the negated lifetime (-900 by default)
  html-200               status 200 with an HTML error page (Content-Type: text/html) instead of the answer
  truncated-body         the body cut after half its bytes (Content-Length matches: valid HTTP, broken JSON)
  bad-items              a null first and the number 42 last in every list";

/// One mutation of the Halo API's answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Knob {
    WrongTypes,
    NullList,
    MissingWrapper,
    PaginationNotObject,
    MissingNext,
    LoopingNext,
    BackwardsCreatedAt,
    BadCreatedAt,
    CrossHostRedirect,
    Stall,
    HugeExpiresIn,
    NegativeExpiresIn,
    Html200,
    TruncatedBody,
    BadItems,
}

impl Knob {
    /// Every knob, in the order of [`HELP`].
    pub const ALL: [Knob; 15] = [
        Knob::WrongTypes,
        Knob::NullList,
        Knob::MissingWrapper,
        Knob::PaginationNotObject,
        Knob::MissingNext,
        Knob::LoopingNext,
        Knob::BackwardsCreatedAt,
        Knob::BadCreatedAt,
        Knob::CrossHostRedirect,
        Knob::Stall,
        Knob::HugeExpiresIn,
        Knob::NegativeExpiresIn,
        Knob::Html200,
        Knob::TruncatedBody,
        Knob::BadItems,
    ];

    /// The knob's name on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Knob::WrongTypes => "wrong-types",
            Knob::NullList => "null-list",
            Knob::MissingWrapper => "missing-wrapper",
            Knob::PaginationNotObject => "pagination-not-object",
            Knob::MissingNext => "missing-next",
            Knob::LoopingNext => "looping-next",
            Knob::BackwardsCreatedAt => "backwards-created-at",
            Knob::BadCreatedAt => "bad-created-at",
            Knob::CrossHostRedirect => "cross-host-redirect",
            Knob::Stall => "stall",
            Knob::HugeExpiresIn => "huge-expires-in",
            Knob::NegativeExpiresIn => "negative-expires-in",
            Knob::Html200 => "html-200",
            Knob::TruncatedBody => "truncated-body",
            Knob::BadItems => "bad-items",
        }
    }

    /// Knobs that only touch the token answer.
    fn token_only(self) -> bool {
        matches!(self, Knob::HugeExpiresIn | Knob::NegativeExpiresIn)
    }
}

impl fmt::Display for Knob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Knob {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Knob::ALL
            .into_iter()
            .find(|k| k.name() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Knob::ALL.iter().map(|k| k.name()).collect();
                format!("unknown hostile knob {s:?}; known: {}", names.join(", "))
            })
    }
}

/// A knob and the endpoint it is limited to: `KNOB` or `KNOB@/PATH`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Hostile {
    pub knob: Knob,
    /// Only this path and the paths below it; `None` = the knob's default reach.
    pub scope: Option<String>,
}

impl Hostile {
    /// An unscoped knob.
    pub fn all(knob: Knob) -> Hostile {
        Hostile { knob, scope: None }
    }

    /// A knob for one path (and the paths below it).
    pub fn at(knob: Knob, path: &str) -> Hostile {
        Hostile {
            knob,
            scope: Some(path.to_string()),
        }
    }

    fn applies_to(&self, path: &str) -> bool {
        match &self.scope {
            Some(scope) => {
                let scope = scope.trim_end_matches('/');
                path == scope
                    || path
                        .strip_prefix(scope)
                        .is_some_and(|rest| rest.starts_with('/'))
            }
            None => (path == TOKEN_PATH) == self.knob.token_only(),
        }
    }
}

impl fmt::Display for Hostile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.scope {
            Some(p) => write!(f, "{}@{p}", self.knob),
            None => write!(f, "{}", self.knob),
        }
    }
}

impl FromStr for Hostile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (knob, scope) = match s.split_once('@') {
            Some((k, p)) => {
                let p = p.trim();
                if !p.starts_with('/') || p.contains(['?', '#', ' ']) {
                    return Err(format!(
                        "the scope of {s:?} must be a path like /v1/events (no query)"
                    ));
                }
                (k, Some(p.to_string()))
            }
            None => (s, None),
        };
        Ok(Hostile {
            knob: knob.parse()?,
            scope,
        })
    }
}

impl TryFrom<String> for Hostile {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Hostile> for String {
    fn from(h: Hostile) -> String {
        h.to_string()
    }
}

const TOKEN_PATH: &str = "/oauth/access_token";

/// What hostile mode keeps while the simulator runs.
pub(crate) struct HostileState {
    /// The other host of `cross-host-redirect`.
    pub decoy: Decoy,
    /// Requests held by `stall` right now.
    pub stalled: tokio::sync::watch::Sender<usize>,
}

impl HostileState {
    pub(crate) async fn start() -> anyhow::Result<HostileState> {
        Ok(HostileState {
            decoy: Decoy::start().await?,
            stalled: tokio::sync::watch::Sender::new(0),
        })
    }

    /// What `/_sim/state` shows under `hostile`.
    pub(crate) fn state_json(&self) -> serde_json::Value {
        let mut v = self.decoy.state_json();
        v["stalled"] = serde_json::json!(*self.stalled.borrow());
        v
    }

    /// Forget what the decoy was sent (`/_sim/reset`).
    pub(crate) fn reset(&self) {
        self.decoy.clear();
    }

    /// Stop the decoy (the simulator is dropped).
    pub(crate) fn stop(&self) {
        self.decoy.task.abort();
    }
}

/// Counts a request as stalled while it lives (also when the client gives up and the request
/// is dropped).
struct Held<'a>(&'a tokio::sync::watch::Sender<usize>);

impl<'a> Held<'a> {
    fn new(counter: &'a tokio::sync::watch::Sender<usize>) -> Self {
        counter.send_modify(|n| *n += 1);
        Held(counter)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

fn is_halo(path: &str) -> bool {
    path == TOKEN_PATH || path.starts_with("/v1/") || path.starts_with("/v3/")
}

/// The knobs that apply to `path` under the current faults, sorted and deduplicated.
fn active(sh: &Shared, path: &str) -> Vec<Knob> {
    let mut knobs: Vec<Knob> = sh
        .faults()
        .hostile
        .iter()
        .filter(|h| h.applies_to(path))
        .map(|h| h.knob)
        .collect();
    knobs.sort();
    knobs.dedup();
    knobs
}

/// The hostile layer in front of the Halo routes (inside the fault layer).
pub(crate) async fn layer(State(sh): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !is_halo(&path) {
        return next.run(req).await;
    }
    let mut knobs = active(&sh, &path);
    if knobs.is_empty() {
        return next.run(req).await;
    }
    if knobs.contains(&Knob::Stall) {
        if !stall(&sh, &path).await {
            return error(StatusCode::SERVICE_UNAVAILABLE, "octo-sim is shutting down");
        }
        knobs = active(&sh, &path);
    }
    if knobs.contains(&Knob::CrossHostRedirect) {
        let target = format!(
            "{}{}",
            sh.hostile.decoy.url,
            req.uri()
                .path_and_query()
                .map_or(path.as_str(), |pq| pq.as_str())
        );
        let mut r = StatusCode::FOUND.into_response();
        if let Ok(v) = HeaderValue::from_str(&target) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    let ctx = ReqCtx::new(&sh.base_url, sh.use_host_header, req.uri(), req.headers());
    let self_url = format!(
        "{}{}",
        ctx.base,
        req.uri()
            .path_and_query()
            .map_or(path.as_str(), |pq| pq.as_str())
    );
    let resp = next.run(req).await;
    mutate::answer(resp, &knobs, &self_url).await
}

/// Hold the request while `stall` applies to `path`: `true` once the knob is off, `false` when
/// the simulator stops first. Waits on the faults' change signal, never on a timer.
async fn stall(sh: &Shared, path: &str) -> bool {
    let mut changes = sh.faults_changed.subscribe();
    let mut held = None;
    loop {
        if *changes.borrow_and_update() {
            return false;
        }
        if !active(sh, path).contains(&Knob::Stall) {
            return true;
        }
        if held.is_none() {
            tracing::debug!(path, "hostile: stalling");
            held = Some(Held::new(&sh.hostile.stalled));
        }
        if changes.changed().await.is_err() {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_round_trip_and_help_names_each() {
        for k in Knob::ALL {
            assert_eq!(k.name().parse::<Knob>(), Ok(k));
            assert!(
                HELP.contains(&format!("\n  {:<22} ", k.name())),
                "{k} is not described in HELP"
            );
        }
        let h: Hostile = "null-list@/v1/events".parse().unwrap();
        assert_eq!(h, Hostile::at(Knob::NullList, "/v1/events"));
        assert_eq!(h.to_string(), "null-list@/v1/events");
        assert!(
            "nope"
                .parse::<Hostile>()
                .unwrap_err()
                .contains("wrong-types")
        );
        assert!("stall@v1/events".parse::<Hostile>().is_err());
        assert!("stall@/v1/events?page=2".parse::<Hostile>().is_err());
    }

    #[test]
    fn scope_is_the_path_and_below_and_default_spares_the_token() {
        let h = Hostile::at(Knob::Stall, "/v1/servers");
        assert!(h.applies_to("/v1/servers"));
        assert!(h.applies_to("/v1/servers/abc/issues"));
        assert!(!h.applies_to("/v1/servers_x"));
        assert!(!h.applies_to("/v1/groups"));
        assert!(Hostile::all(Knob::Html200).applies_to("/v1/events"));
        assert!(!Hostile::all(Knob::Html200).applies_to(TOKEN_PATH));
        assert!(Hostile::at(Knob::Html200, TOKEN_PATH).applies_to(TOKEN_PATH));
        assert!(Hostile::all(Knob::HugeExpiresIn).applies_to(TOKEN_PATH));
        assert!(!Hostile::all(Knob::HugeExpiresIn).applies_to("/v1/events"));
    }
}
