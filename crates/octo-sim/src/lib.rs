//! octo-sim — a local simulator of the remote APIs octobox speaks, for tests and demos.
//!
//! Today it serves the CloudPassage Halo API exactly as `shared/reference/halo-api.md` describes
//! it (paths, wrapping keys, field names, pagination, status codes, rate-limit behaviour), from a
//! deterministic seeded world. It depends on no octobox crate, so it can never hide a client bug
//! by sharing the client's code.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let sim = octo_sim::Sim::start(octo_sim::SimConfig::default()).await?;
//! println!("{}", sim.url()); // http://127.0.0.1:PORT — set HALO_API_URL to it
//! # Ok(()) }
//! ```
//!
//! Slack (`slack` module): `POST /api/chat.postMessage` and incoming webhooks; accepted messages
//! are listed in `/_sim/state` under `slack.messages`. Socket Mode ([`slack_socket`]:
//! `apps.connections.open`, the WebSocket, envelopes, acks, redelivery, `disconnect`) and
//! `slack_files` (`conversations.members`, `files.getUploadURLExternal` /
//! `files.completeUploadExternal`), with hooks under `/_sim/slack/`; state in `/_sim/state` →
//! `slack_socket`.
//!
//! Test-only routes (never faulted, never authenticated): `GET /_sim/state`, `POST /_sim/reset`,
//! `GET|PUT /_sim/faults`, `POST /_sim/events`, `POST /_sim/servers`, `POST /_sim/tokens/revoke`,
//! `POST /_sim/clock` (`{"advance_ms": N}`: move the simulator clock ahead).
//!
//! Hostile mode ([`hostile`]): knobs of [`Faults`] that mutate Halo answers (wrong types, `null`
//! lists, missing wrappers, broken or looping pagination, bad `created_at`, cross-host
//! redirects, stalls, huge or negative `expires_in`, HTML with status 200, truncated bodies,
//! `null`/number items), set like every fault: at start or through `PUT /_sim/faults`.
//!
//! # Where things are
//! - `lib.rs`: [`SimConfig`], [`Sim`] (start, spawn, ground truth) and [`SimHandle`];
//!   `shared.rs`: the state every handler shares and `/_sim/state`; `router.rs`: the routes, the
//!   fault layer and the `/_sim` hooks; [`faults`], [`hostile`] (`mutate.rs`, `decoy.rs`),
//!   [`inflight`] (429 above N requests in flight).
//! - `halo/`: `auth.rs` (tokens), `world/` (the seeded world: `catalog`, `servers`, `issues`,
//!   `scans`), `events/` (storage and generation, `render`, `query`), `firewall/` (zones and
//!   policies, `catalog`), `handlers/` (HTTP: `servers`, `issues`, `scans`, `firewall`).
//! - `openstack/` (`seed.rs`, `keystone.rs`, `nova/` with `actions.rs`, `net.rs`,
//!   `discovery.rs`), `freshdesk/` (`tickets`, `conversations`, `search`), [`slack`], [`slack_socket`],
//!   `slack_files`;
//!   `util.rs` (ids, PRNG, query parsing, list envelopes), [`cli`], [`docs`].
//!
//! # The seeded world (any seed)
//! - Groups (ids are hashes of the seed; look them up by `group_path`): `Root`, `Root/Prod`,
//!   `Root/Prod/Web`, `Root/Prod/App`, `Root/Prod/DB`, `Root/Dev`, `Root/Dev/Web` (duplicate name
//!   "Web"), `Root/Dev/Build`, `Root/Corp` (Windows), `Root/Quarantine` (empty, lockdown firewall
//!   policy), `Root/q-test` (the first three servers, all active).
//! - Servers (`servers`, default 60): mostly active, some missing/deactivated/retired; about half
//!   carry `aws_ec2` (accounts `123456789012` us-east-1/us-west-2 and `210987654321`
//!   us-east-1/eu-west-1/us-west-2); the last two share hostnames with servers 3 and 5 (the
//!   second-to-last is retired). ~75% have SVM results (`/v1/servers/{id}/svm`, `cve` filter).
//! - Firewall zones: `any`, `Office`, `Bastion`, `Monitoring`, `halo-ipblocker`
//!   (`203.0.113.250`), `Partners`; policies `Web FW (Linux)`, `DB FW (Linux)`,
//!   `Quarantine Lockdown (Linux)`, `Windows Base FW`.
//! - Events: `events_per_day` per UTC day for `days` days up to `now` (nothing in the future);
//!   each day has one event at 00:00:00.000Z and one at 23:59:59.999Z; `burst_fraction` of them
//!   in bursts of 20–400 sharing a `created_at`; ~15% critical.
//! - `/v1/events` and `/v1/scans` treat both `since` and `until` as INCLUSIVE;
//!   [`Sim::events`]/[`Sim::scans`] ground truth is half-open `[since, until)`.

// Validation helpers return a ready error `Response` (an early-return path once per request);
// boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod cli;
pub mod docs;
pub mod faults;
pub(crate) mod freshdesk;
pub(crate) mod halo;
pub mod hostile;
pub mod inflight;
pub(crate) mod openstack;
mod router;
mod shared;
pub(crate) mod util;

/// Slack: `chat.postMessage` and incoming webhooks.
pub mod slack;
/// Slack: `conversations.members` and file uploads.
pub(crate) mod slack_files;
/// Slack Socket Mode: `apps.connections.open`, the WebSocket, envelopes and acks.
pub mod slack_socket;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

pub use faults::Faults;
pub use freshdesk::FRESHDESK_KEY;
use halo::HaloState;
pub use openstack::{OS_ADMIN, OS_APP_CRED, OS_OWNER};
use router::router;
pub(crate) use shared::{Shared, Stats};

pub use halo::firewall::ZoneRace;

/// The read-only demo key pair (token scope `"read"`): key id, secret.
pub const READ_KEY: (&str, &str) = ("sim-read-key", "sim-read-secret-0000");
/// The full-access demo key pair (token scope `"write"`): key id, secret.
pub const WRITE_KEY: (&str, &str) = ("sim-rw-key", "sim-rw-secret-0000");

/// The Nova microversion range's top by default (a current release's).
pub const DEFAULT_NOVA_MAX_MICROVERSION: (u32, u32) = (2, 96);

/// Parse a Nova microversion `X.Y` (2.1 or above), as `--nova-max-microversion` takes it.
pub fn parse_microversion(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("expected a microversion like 2.96, got {s:?}");
    let (a, b) = s.trim().split_once('.').ok_or_else(bad)?;
    let v = (
        a.parse::<u32>().map_err(|_| bad())?,
        b.parse::<u32>().map_err(|_| bad())?,
    );
    if v < (2, 1) || v.0 != 2 {
        return Err(format!(
            "the Nova v2.1 API's microversions are 2.1 and above, got {s}"
        ));
    }
    Ok(v)
}

/// How the simulated world is generated and how the server behaves.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Seed of the world; same seed + same `now` day → same ids and content.
    pub seed: u64,
    /// Number of seeded servers (default 60).
    pub servers: usize,
    /// Generated events per UTC day (default 2000; benchmarks use 1,000,000).
    pub events_per_day: usize,
    /// Generated scans per UTC day (default 100).
    pub scans_per_day: usize,
    /// History days including today (default 3). Nothing is generated after `now`.
    pub days: u32,
    /// World anchor; `None` = real now. The simulator clock starts here and runs in real time.
    pub now: Option<DateTime<Utc>>,
    /// Lifetime of access tokens (`expires_in`), default 900 s.
    pub token_ttl_secs: u64,
    /// Highest `page` served; beyond it → 422 (default 100).
    pub max_page_depth: u32,
    /// Initial fault knobs (also restored by `/_sim/reset`).
    pub faults: Faults,
    /// Share of events that come in bursts of 20–400 sharing one `created_at` (default 0.1).
    pub burst_fraction: f64,
    /// How long a Nova state transition (pause, unpause, snapshot, delete …) takes (default 300 ms).
    pub openstack_transition_ms: u64,
    /// Lifetime of Keystone tokens (`expires_at`), default one hour; an expired token is a 401.
    pub keystone_token_ttl_ms: u64,
    /// Highest Nova microversion accepted and advertised in `GET /compute/v2.1` (default 2.96,
    /// a current release's; below 2.73 a lock carries no reason).
    pub nova_max_microversion: (u32, u32),
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            servers: 60,
            events_per_day: 2000,
            scans_per_day: 100,
            days: 3,
            now: None,
            token_ttl_secs: 900,
            max_page_depth: 100,
            faults: Faults::default(),
            burst_fraction: 0.1,
            openstack_transition_ms: 300,
            keystone_token_ttl_ms: 3_600_000,
            nova_max_microversion: DEFAULT_NOVA_MAX_MICROVERSION,
        }
    }
}

/// A running simulator. Dropping it stops accepting connections.
pub struct Sim {
    shared: Arc<Shared>,
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.shared.shut_down();
        self.shared.hostile.stop();
        self.task.abort();
    }
}

impl Sim {
    /// Generate the world and serve it on `127.0.0.1:0` in the current tokio runtime.
    pub async fn start(cfg: SimConfig) -> anyhow::Result<Sim> {
        Sim::start_on(cfg, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Like [`Sim::start`] on a given address (the binary's `--host`/`--port`).
    pub async fn start_on(cfg: SimConfig, addr: SocketAddr) -> anyhow::Result<Sim> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        let local = listener.local_addr()?;
        let use_host_header = local.ip().is_unspecified();
        let url = if use_host_header {
            let host = if local.is_ipv4() {
                "127.0.0.1"
            } else {
                "[::1]"
            };
            format!("http://{host}:{}", local.port())
        } else {
            format!("http://{local}")
        };
        let anchor = cfg.now.unwrap_or_else(Utc::now);
        let anchor = Utc
            .timestamp_millis_opt(anchor.timestamp_millis())
            .single()
            .unwrap_or(anchor);
        let params = halo::world::GenParams {
            seed: cfg.seed,
            servers: cfg.servers,
            events_per_day: cfg.events_per_day,
            scans_per_day: cfg.scans_per_day,
            days: cfg.days,
            now: anchor,
            burst_fraction: cfg.burst_fraction,
            base_url: url.clone(),
        };
        let t0 = Instant::now();
        let base = tokio::task::spawn_blocking(move || halo::world::generate(&params))
            .await
            .context("world generation panicked")?;
        tracing::debug!(
            events = base.events.len(),
            servers = base.pristine_servers.len(),
            elapsed_ms = t0.elapsed().as_millis() as u64,
            "world generated"
        );
        let openstack = openstack::OsState::new(
            cfg.seed,
            anchor.timestamp_millis(),
            cfg.openstack_transition_ms,
        );
        let hostile = hostile::HostileState::start().await?;
        let shared = Arc::new(Shared {
            faults_changed: tokio::sync::watch::Sender::new(false),
            hostile,
            openstack: Mutex::new(openstack),
            freshdesk: Mutex::new(freshdesk::FdState::new()),
            faults: RwLock::new(cfg.faults.clone()),
            fault_streaks: Mutex::new(faults::FaultDraws::new(cfg.seed)),
            cfg,
            base_url: url.clone(),
            use_host_header,
            started: Instant::now(),
            clock_offset_ms: std::sync::atomic::AtomicI64::new(0),
            anchor_ms: anchor.timestamp_millis(),
            halo: RwLock::new(HaloState::new(base)),
            tokens: Mutex::new(HashMap::new()),
            stats: Mutex::new(Stats::default()),
            slack: Mutex::new(slack::SlackState::default()),
            slack_socket: Mutex::new(slack_socket::SocketState::default()),
            in_flight: Default::default(),
        });
        let app = router(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("octo-sim server stopped: {e}");
            }
        });
        tracing::info!(%url, "octo-sim listening");
        Ok(Sim { shared, url, task })
    }

    /// Start on its own thread with its own tokio runtime — for synchronous tests. The server
    /// stops when the handle is dropped.
    pub fn spawn(cfg: SimConfig) -> anyhow::Result<SimHandle> {
        let (tx, rx) = std::sync::mpsc::channel::<anyhow::Result<Sim>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("octo-sim".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = tx.send(Err(e.into()));
                        return;
                    }
                };
                rt.block_on(async move {
                    match Sim::start(cfg).await {
                        Ok(sim) => {
                            let _ = tx.send(Ok(sim));
                            let _ = stop_rx.await;
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                        }
                    }
                });
                rt.shutdown_timeout(Duration::from_secs(1));
            })
            .context("spawning the octo-sim thread")?;
        let sim = rx.recv().context("octo-sim thread died")??;
        Ok(SimHandle {
            sim: Some(sim),
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Replace the fault knobs (takes effect for the next request).
    pub fn set_faults(&self, f: Faults) {
        self.shared.set_faults(f);
    }

    /// Base URL of the other host `cross-host-redirect` sends clients to (`http://127.0.0.2:PORT`);
    /// what it was sent is in `/_sim/state` → `hostile.decoy_requests`.
    pub fn decoy_url(&self) -> String {
        self.shared.hostile.decoy.url.clone()
    }

    /// Wait until `stall` holds at least `n` requests (a condition, not a timer).
    pub async fn until_stalled(&self, n: usize) {
        let mut rx = self.shared.hostile.stalled.subscribe();
        let _ = rx.wait_for(|held| *held >= n).await;
    }

    /// Current fault knobs.
    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Same JSON as `GET /_sim/state`.
    pub fn state(&self) -> Value {
        self.shared.state()
    }

    /// Back to the seeded world (same as `POST /_sim/reset`): servers, zones, added events,
    /// mutation log, request counters and faults are restored; issued tokens stay valid.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Invalidate every issued token (as `POST /_sim/tokens/revoke`): the next API call with an
    /// old token gets 401 and the client must authenticate again. Returns how many were revoked.
    pub fn revoke_tokens(&self) -> usize {
        self.shared.revoke_tokens()
    }

    /// The simulator clock (anchor + real time elapsed since start + every advance).
    pub fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.shared.now_ms())
            .single()
            .unwrap_or_else(Utc::now)
    }

    /// Move the simulator clock ahead by `by` (as `POST /_sim/clock`), so a test sees what
    /// would happen later (a Nova transition ending) without waiting for it. Returns the new clock.
    pub fn advance_clock(&self, by: std::time::Duration) -> DateTime<Utc> {
        let ms = self
            .shared
            .advance_clock(u64::try_from(by.as_millis()).unwrap_or(u64::MAX));
        Utc.timestamp_millis_opt(ms)
            .single()
            .unwrap_or_else(Utc::now)
    }

    /// Ground truth: every event with `since <= created_at < until` (half-open, unlike the
    /// API's inclusive `until`), ascending `created_at`, in the exact JSON the API serves.
    pub fn events(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Vec<Value> {
        let st = self.shared.halo();
        let q = halo::events::EvQuery {
            since_us: Some(since.timestamp_micros()),
            until_us: Some(until.timestamp_micros() - 1),
            ..Default::default()
        };
        halo::events::query(&st.base, &st.live.extras, &q, 0, usize::MAX).1
    }

    /// Ground truth for scans: `since <= created_at < until`, ascending, list form (no findings).
    pub fn scans(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Vec<Value> {
        let (a, b) = (since.timestamp_millis(), until.timestamp_millis());
        let st = self.shared.halo();
        st.base
            .scans
            .iter()
            .filter(|s| s.ts >= a && s.ts < b)
            .map(|s| {
                let mut v = s.full.clone();
                if let Some(m) = v.as_object_mut() {
                    m.remove("findings");
                }
                v
            })
            .collect()
    }

    /// Append an event (fills `id`, `created_at` = simulator now, `name`, `critical` and the
    /// `server_*` fields of a known `server_id` when missing); visible to the API at once.
    /// Returns the event as the API serves it. A non-object argument is returned unchanged.
    pub fn add_event(&self, ev: Value) -> Value {
        match ev {
            Value::Object(m) => {
                let now = self.shared.now_ms();
                self.shared.halo_mut().add_event(m, now)
            }
            other => other,
        }
    }

    /// Ground truth for `GET /v1/servers?cve=`: server id → the CVE ids (upper-case, sorted,
    /// deduplicated) of the vulnerable (`bad`) findings of its last SVA scan. Servers never
    /// scanned or without a vulnerable package are absent.
    pub fn server_cves(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        let st = self.shared.halo();
        let mut out = std::collections::BTreeMap::new();
        for (id, scan) in &st.base.svm {
            let mut cves: Vec<String> = scan["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["status"] == "bad")
                .flat_map(|f| f["cve_entries"].as_array().into_iter().flatten())
                .filter_map(|e| e["cve_entry"].as_str().map(str::to_uppercase))
                .collect();
            cves.sort();
            cves.dedup();
            if !cves.is_empty() {
                out.insert(id.clone(), cves);
            }
        }
        out
    }

    /// Ground truth for `/v3/issues`: every issue as the API serves it (with the live
    /// `group_id` of its server), ungrouped and unfiltered.
    pub fn issues(&self) -> Vec<Value> {
        let st = self.shared.halo();
        st.base
            .issues
            .iter()
            .map(|i| halo::handlers::render_issue(&st, i))
            .collect()
    }

    /// Ground truth: one group as `GET /v1/groups/{id}` serves it (every policy field).
    pub fn group(&self, id: &str) -> Option<Value> {
        let st = self.shared.halo();
        st.group_index(id).map(|i| st.render_group(i))
    }

    /// Ground truth: the name of the policy with this id, whatever its kind (firewall, CSM, FIM,
    /// LIDS, special events).
    pub fn policy_name(&self, id: &str) -> Option<String> {
        let st = self.shared.halo();
        let b = &st.base;
        [
            &b.fw_policies,
            &b.csm_policies,
            &b.fim_policies,
            &b.lids_policies,
            &b.se_policies,
        ]
        .into_iter()
        .flatten()
        .find(|p| p["id"] == id)
        .and_then(|p| p["name"].as_str().map(str::to_string))
    }

    /// Arm a simulated concurrent writer of a firewall zone (see [`ZoneRace`]); cleared by reset.
    pub fn race_zone(&self, race: ZoneRace) {
        self.shared.halo_mut().live.zone_race = Some(race);
    }

    /// Plant a server (same as `POST /_sim/servers`); returns it as the API serves it.
    pub fn add_server(&self, server: Value) -> Value {
        match server {
            Value::Object(m) => {
                let now = self.shared.now_ms();
                self.shared.halo_mut().add_server(m, now)
            }
            other => other,
        }
    }
}

/// A [`Sim`] running on its own thread and runtime ([`Sim::spawn`]); derefs to `Sim` and shuts
/// the server down when dropped.
pub struct SimHandle {
    sim: Option<Sim>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::ops::Deref for SimHandle {
    type Target = Sim;
    fn deref(&self) -> &Sim {
        self.sim
            .as_ref()
            .expect("SimHandle holds a Sim until dropped")
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        drop(self.sim.take());
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
