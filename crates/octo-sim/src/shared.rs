//! The state every handler shares: configuration, the simulator clock, each service's world,
//! fault knobs, issued tokens and request counters (what `/_sim/state` shows).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use serde_json::{Value, json};

use crate::faults::FaultDraws;
use crate::halo::HaloState;
use crate::hostile::HostileState;
use crate::{Faults, SimConfig, freshdesk, halo, openstack, slack, slack_socket, util};

#[derive(Default)]
pub(crate) struct Stats {
    pub total: u64,
    pub by_status: BTreeMap<String, u64>,
    pub dropped: u64,
    pub tokens_issued: u64,
    pub mutations: Vec<Value>,
}

/// State shared by every handler.
pub(crate) struct Shared {
    pub cfg: SimConfig,
    pub base_url: String,
    /// Bound to an unspecified address: build absolute links from the request's Host header.
    pub use_host_header: bool,
    pub started: Instant,
    /// How far `POST /_sim/clock` has moved the clock ahead of real time, ms.
    pub clock_offset_ms: AtomicI64,
    pub anchor_ms: i64,
    pub faults: RwLock<Faults>,
    pub halo: RwLock<HaloState>,
    pub tokens: Mutex<HashMap<String, halo::auth::Token>>,
    pub stats: Mutex<Stats>,
    /// Messages posted to the simulated Slack (`slack` module).
    pub slack: Mutex<slack::SlackState>,
    /// Slack Socket Mode, channel members and file uploads (`slack_socket`, `slack_files`).
    pub slack_socket: Mutex<slack_socket::SocketState>,
    /// Faults served in a row per request (method + URL), for `Faults::max_in_a_row`, and the
    /// seeded draws that decide them.
    pub fault_streaks: Mutex<FaultDraws>,
    pub openstack: Mutex<openstack::OsState>,
    pub freshdesk: Mutex<freshdesk::FdState>,
    /// Signalled on every change of the faults; the value turns `true` when the simulator stops
    /// (a stalled request waits on it).
    pub faults_changed: tokio::sync::watch::Sender<bool>,
    /// Hostile mode's decoy host and stalled requests.
    pub hostile: HostileState,
    /// API requests being served, for `Faults::max_in_flight`.
    pub in_flight: crate::inflight::InFlight,
}

impl Shared {
    pub(crate) fn halo(&self) -> RwLockReadGuard<'_, HaloState> {
        self.halo.read().unwrap_or_else(|e| e.into_inner())
    }
    pub(crate) fn halo_mut(&self) -> RwLockWriteGuard<'_, HaloState> {
        self.halo.write().unwrap_or_else(|e| e.into_inner())
    }
    pub(crate) fn tokens(&self) -> MutexGuard<'_, HashMap<String, halo::auth::Token>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub(crate) fn stats(&self) -> MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub(crate) fn openstack(&self) -> MutexGuard<'_, openstack::OsState> {
        self.openstack.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub(crate) fn openstack_mut(&self) -> MutexGuard<'_, openstack::OsState> {
        self.openstack()
    }
    pub(crate) fn freshdesk(&self) -> MutexGuard<'_, freshdesk::FdState> {
        self.freshdesk.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub(crate) fn freshdesk_mut(&self) -> MutexGuard<'_, freshdesk::FdState> {
        self.freshdesk()
    }
    pub(crate) fn faults(&self) -> Faults {
        self.faults
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    pub(crate) fn set_faults(&self, f: Faults) {
        *self.faults.write().unwrap_or_else(|e| e.into_inner()) = f;
        // Each new set of faults starts the same seeded sequence of draws.
        *self.fault_streaks.lock().unwrap_or_else(|e| e.into_inner()) =
            FaultDraws::new(self.cfg.seed);
        self.faults_changed.send_modify(|_| {});
    }
    /// Release every stalled request and refuse to stall again (the simulator stops).
    pub(crate) fn shut_down(&self) {
        self.faults_changed.send_replace(true);
    }
    /// Simulator clock: the anchor plus real time elapsed since start plus every advance, epoch ms.
    pub(crate) fn now_ms(&self) -> i64 {
        self.anchor_ms
            + self.started.elapsed().as_millis() as i64
            + self.clock_offset_ms.load(Ordering::SeqCst)
    }
    /// Move the simulator clock ahead (never back): what would happen in `ms` — Nova transitions
    /// ending, new events' `created_at` — happens now. Returns the new clock.
    pub(crate) fn advance_clock(&self, ms: u64) -> i64 {
        let ms = i64::try_from(ms).unwrap_or(i64::MAX / 4).min(i64::MAX / 4);
        self.clock_offset_ms.fetch_add(ms, Ordering::SeqCst);
        self.now_ms()
    }
    /// Log a successful API write for `/_sim/state` `mutations`.
    pub(crate) fn record_mutation(&self, method: &str, path: &str, body: &[u8]) {
        let body: Value = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
        };
        tracing::info!(method, path, "mutation");
        self.stats()
            .mutations
            .push(json!({"method": method, "path": path, "body": body}));
    }
    pub(crate) fn state(&self) -> Value {
        let mut m = self.halo().state_json();
        let st = self.stats();
        m.insert("mutations".into(), Value::Array(st.mutations.clone()));
        m.insert(
            "requests".into(),
            json!({"total": st.total, "by_status": st.by_status, "dropped": st.dropped}),
        );
        m.insert("tokens_issued".into(), json!(st.tokens_issued));
        m.insert("in_flight".into(), self.in_flight.json());
        drop(st);
        let now = self.now_ms();
        self.openstack().settle(now);
        m.insert("openstack".into(), self.openstack().state_json());
        m.insert("freshdesk".into(), self.freshdesk().state_json());
        m.insert("now".into(), json!(util::fmt_ms(self.now_ms())));
        m.insert(
            "faults".into(),
            serde_json::to_value(self.faults()).unwrap_or(Value::Null),
        );
        m.insert("hostile".into(), self.hostile.state_json());
        m.insert(
            "slack".into(),
            self.slack.lock().unwrap_or_else(|e| e.into_inner()).json(),
        );
        m.insert("slack_socket".into(), self.socket().json());
        Value::Object(m)
    }
    pub(crate) fn revoke_tokens(&self) -> usize {
        let mut t = self.tokens();
        let n = t.len();
        t.clear();
        n
    }
    pub(crate) fn reset(&self) {
        self.halo_mut().reset();
        *self.openstack() = openstack::OsState::new(
            self.cfg.seed,
            self.now_ms(),
            self.cfg.openstack_transition_ms,
        );
        *self.freshdesk() = freshdesk::FdState::new();
        *self.stats() = Stats::default();
        *self.slack.lock().unwrap_or_else(|e| e.into_inner()) = slack::SlackState::default();
        slack_socket::reset(&self.slack_socket);
        self.hostile.reset();
        self.in_flight.reset();
        self.set_faults(self.cfg.faults.clone());
    }
    pub(crate) fn add_events(&self, v: Value) -> Result<Value, String> {
        let now = self.now_ms();
        let mut st = self.halo_mut();
        match v {
            Value::Object(m) => Ok(st.add_event(m, now)),
            Value::Array(items) => {
                if items.iter().any(|i| !i.is_object()) {
                    return Err("every array item must be an event object".into());
                }
                Ok(Value::Array(
                    items
                        .into_iter()
                        .filter_map(|i| match i {
                            Value::Object(m) => Some(st.add_event(m, now)),
                            _ => None,
                        })
                        .collect(),
                ))
            }
            _ => Err("body must be an event object or an array of them".into()),
        }
    }
}
