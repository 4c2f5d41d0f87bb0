//! Event types, rule matching and where events come from (JSON Lines or the Halo API).

use std::collections::HashSet;
use std::fmt;
use std::io::BufRead;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::BoxStream;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use octo_core::exit::InputError;
use octo_core::halo::cursor::PAGES_AHEAD;
use octo_core::halo::{Cursor, HaloClient};
use octo_core::records::{JsonlReader, Record};

/// Event types octobox knows (reference §6). Config files naming any other type are refused, so a
/// typo cannot leave a rule silently inert.
pub const KNOWN_EVENT_TYPES: &[&str] = &[
    "lids_rule_failed",
    "fim_target_integrity_changed",
    "sca_rule_failed",
    "vulnerable_software_package_found",
    "server_firewall_modified_locally",
    "daemon_compromised",
    "multiple_root_accounts",
    "duplicate_uid_accounts",
    "server_account_created",
    "server_account_deleted",
    "ip_address_changed",
    "new_server",
    "server_missing",
    "server_moved",
    "server_retired",
    "server_deactivated",
    "fim_object_added",
    "fim_object_missing",
    "halo_login_failure",
    "api_login_failure",
    "api_login_success",
    "firewall_policy_modified",
    "issue_resolved",
    "cloud_asset_configuration_rule_failed",
    "server_group_added",
    "server_group_moved",
    "server_group_deleted",
];

/// Whether `t` (case-insensitive) is a known event type.
pub fn is_known_event_type(t: &str) -> bool {
    KNOWN_EVENT_TYPES.iter().any(|k| k.eq_ignore_ascii_case(t))
}

/// An event type named in the config; checked against the known types when read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventType(pub String);

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t = s.trim();
        if !is_known_event_type(t) {
            return Err(serde::de::Error::custom(format!(
                "unknown event type `{t}` (see `halo-api.md` §6 / the manual for the list)"
            )));
        }
        Ok(EventType(t.to_ascii_lowercase()))
    }
}

/// A trigger rule: event type in `types`, critical if required, and (for quarantine) the
/// event's `server_group_name` in `groups`.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub types: HashSet<String>,
    pub only_critical: bool,
    /// `None`: any group.
    pub groups: Option<HashSet<String>>,
}

impl Trigger {
    pub fn new(types: &[EventType], only_critical: bool, groups: Option<&[String]>) -> Trigger {
        Trigger {
            types: types.iter().map(|t| t.0.clone()).collect(),
            only_critical,
            groups: groups.map(|g| g.iter().cloned().collect()),
        }
    }

    /// Whether an event matches; `etype` is its (lower-cased) `type`.
    pub fn matches(&self, etype: &str, ev: &Record) -> bool {
        self.matches_fields(
            etype,
            ev.get_path("critical").and_then(Value::as_bool),
            ev.get_str("server_group_name"),
        )
    }

    /// The rule on the three fields it looks at.
    pub fn matches_fields(&self, etype: &str, critical: Option<bool>, group: Option<&str>) -> bool {
        if !self.types.contains(etype) {
            return false;
        }
        if self.only_critical && critical != Some(true) {
            return false;
        }
        match &self.groups {
            None => true,
            Some(gs) => group.is_some_and(|g| gs.contains(g)),
        }
    }
}

/// The `type` of an event record, lower-cased; a missing `type` is bad input naming the line.
pub fn event_type<'a>(
    source: &str,
    ev: &'a Record,
) -> Result<std::borrow::Cow<'a, str>, InputError> {
    let t = ev.require_str(source, "type")?;
    Ok(if t.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(t.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(t)
    })
}

/// Where events come from: JSON Lines (stdin or a file), or the Halo API's `/v1/events`.
pub enum EventSource {
    Jsonl(JsonlReader<Box<dyn BufRead>>),
    Halo {
        halo: HaloClient,
        params: Vec<(String, String)>,
        cursor: Cursor,
        stream: Option<BoxStream<'static, anyhow::Result<octo_core::halo::cursor::RawItem>>>,
        follow: Option<std::time::Duration>,
        count: u64,
        /// Where progress is recorded (`--cursor-file`).
        cursor_file: Option<std::path::PathBuf>,
    },
}

impl EventSource {
    /// Events of `types` (and critical only if asked) from `since`; with `follow` keep polling
    /// every interval for new events, never repeating one.
    pub fn halo(
        halo: HaloClient,
        types: &[EventType],
        only_critical: bool,
        since: DateTime<Utc>,
        follow: Option<std::time::Duration>,
    ) -> EventSource {
        let mut params = Vec::new();
        if !types.is_empty() {
            let t: Vec<&str> = types.iter().map(|t| t.0.as_str()).collect();
            params.push(("type".to_string(), t.join(",")));
        }
        if only_critical {
            params.push(("critical".to_string(), "true".to_string()));
        }
        EventSource::Halo {
            halo,
            params,
            cursor: Cursor::new(since),
            stream: None,
            follow,
            count: 0,
            cursor_file: None,
        }
    }

    /// Resume from `cursor` (as loaded by [`load_cursor`]) and record progress in `file`.
    pub fn with_cursor_file(mut self, file: std::path::PathBuf, resume: Option<Cursor>) -> Self {
        if let EventSource::Halo {
            cursor,
            cursor_file,
            ..
        } = &mut self
        {
            if let Some(c) = resume {
                *cursor = c;
            }
            *cursor_file = Some(file);
        }
        self
    }

    /// The name errors use for this source.
    pub fn source_name(&self) -> &str {
        match self {
            EventSource::Jsonl(r) => r.source_name(),
            EventSource::Halo { .. } => "halo /v1/events",
        }
    }

    /// The next event that matches `trigger`, with its lower-cased type; `None` at the end.
    ///
    /// JSON Lines take a fast path: only the fields the rule looks at are decoded (the line is
    /// still validated completely), and a full [`Record`] is built only for a match. Any line
    /// the fast path does not understand goes the full way, so errors are the same.
    pub async fn next_match(
        &mut self,
        trigger: &Trigger,
    ) -> Option<anyhow::Result<(Record, String)>> {
        if let EventSource::Jsonl(r) = self {
            let source = r.source_name().to_string();
            loop {
                let (line, text) = match r.next_text()? {
                    Ok(x) => x,
                    Err(e) => return Some(Err(e.into())),
                };
                if let Some(skip) = peek_skips(trigger, text)
                    && skip
                {
                    continue;
                }
                let ev = match octo_core::records::parse_record(&source, line, text) {
                    Ok(ev) => ev,
                    Err(e) => return Some(Err(e.into())),
                };
                let etype = match event_type(&source, &ev) {
                    Ok(t) => t.into_owned(),
                    Err(e) => return Some(Err(e.into())),
                };
                if trigger.matches(&etype, &ev) {
                    return Some(Ok((ev, etype)));
                }
            }
        }
        let source = self.source_name().to_string();
        loop {
            let ev = match self.next().await? {
                Ok(ev) => ev,
                Err(e) => return Some(Err(e)),
            };
            let etype = match event_type(&source, &ev) {
                Ok(t) => t.into_owned(),
                Err(e) => return Some(Err(e.into())),
            };
            if trigger.matches(&etype, &ev) {
                return Some(Ok((ev, etype)));
            }
        }
    }

    /// The next event; `None` at the end (never, when following).
    pub async fn next(&mut self) -> Option<anyhow::Result<Record>> {
        match self {
            EventSource::Jsonl(r) => r.next().map(|x| x.map_err(anyhow::Error::from)),
            EventSource::Halo {
                halo,
                params,
                cursor,
                stream,
                follow,
                count,
                cursor_file,
            } => loop {
                // every event returned so far has been handled by the caller: record progress
                // every 500 events and at the end of each poll
                if let Some(f) = cursor_file.as_deref()
                    && *count > 0
                    && *count % 500 == 0
                    && let Err(e) = save_cursor(f, cursor)
                {
                    return Some(Err(e));
                }
                if stream.is_none() {
                    let p: Vec<(&str, String)> = params
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.clone()))
                        .collect();
                    *stream = Some(halo.time_series(
                        "/v1/events",
                        "events",
                        &p,
                        cursor.clone(),
                        None,
                        PAGES_AHEAD,
                    ));
                }
                let s = stream.as_mut().expect("set above");
                match s.next().await {
                    Some(Ok(item)) => {
                        cursor.observe(item.created_at, &item.id);
                        *count += 1;
                        let ev = match item.value() {
                            Ok(v) => v,
                            Err(e) => return Some(Err(e)),
                        };
                        return Some(Record::from_value(*count, ev).ok_or_else(|| {
                            anyhow::anyhow!("/v1/events: an event is not an object")
                        }));
                    }
                    Some(Err(e)) => {
                        *stream = None;
                        match follow {
                            Some(poll) if octo_core::halo::is_transient(&e) => {
                                tracing::warn!(
                                    "polling events failed, retrying in {poll:?}: {e:#}"
                                );
                                tokio::time::sleep(*poll).await;
                            }
                            _ => return Some(Err(e)),
                        }
                    }
                    None => {
                        *stream = None;
                        if let Some(f) = cursor_file.as_deref()
                            && let Err(e) = save_cursor(f, cursor)
                        {
                            return Some(Err(e));
                        }
                        match follow {
                            Some(poll) => tokio::time::sleep(*poll).await,
                            None => return None,
                        }
                    }
                }
            },
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CursorFile {
    since: String,
    seen_at_since: Vec<String>,
}

/// Read a `--cursor-file`: `None` when it does not exist yet; a bad file is a usage error.
pub fn load_cursor(path: &std::path::Path) -> anyhow::Result<Option<Cursor>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(octo_core::exit::usage(format!(
                "reading {}: {e}",
                path.display()
            )));
        }
    };
    let bad = |why: String| {
        octo_core::exit::usage(format!("{}: not a cursor file: {why}", path.display()))
    };
    let f: CursorFile = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let since = octo_core::time::parse_api(&f.since)
        .ok_or_else(|| bad(format!("bad time `{}`", f.since)))?;
    Ok(Some(Cursor {
        since,
        seen_at_since: f.seen_at_since.into_iter().collect(),
    }))
}

/// Write a cursor file atomically (temp file in the same directory, then rename).
pub fn save_cursor(path: &std::path::Path, c: &Cursor) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut seen: Vec<String> = c.seen_at_since.iter().cloned().collect();
    seen.sort();
    let body = serde_json::to_string(&CursorFile {
        since: octo_core::time::format_api(c.since),
        seen_at_since: seen,
    })?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, body + "\n").with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

/// The fields a rule looks at, borrowed from the line. Every other value is read through
/// [`Checked`], so a line the full path refuses (a number out of range) is refused here too.
#[derive(Default)]
struct Peek<'a> {
    etype: Option<std::borrow::Cow<'a, str>>,
    critical: Option<bool>,
    server_group_name: Option<std::borrow::Cow<'a, str>>,
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Peek<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Fields<'a> {
            type Value = Peek<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an event object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Peek<'a>, M::Error> {
                use serde::de::Error;
                let mut p = Peek::default();
                let mut seen = [false; 3];
                while let Some(Key(slot)) = map.next_key::<Key>()? {
                    if slot == Key::OTHER {
                        map.next_value::<Checked>()?;
                        continue;
                    }
                    // a repeated field: the full path decides (its last value counts)
                    if std::mem::replace(&mut seen[slot], true) {
                        return Err(M::Error::custom("duplicate field"));
                    }
                    match slot {
                        0 => p.etype = map.next_value::<Option<Text<'de>>>()?.map(|t| t.0),
                        1 => p.critical = map.next_value()?,
                        _ => {
                            p.server_group_name =
                                map.next_value::<Option<Text<'de>>>()?.map(|t| t.0)
                        }
                    }
                }
                Ok(p)
            }
        }
        d.deserialize_map(Fields(std::marker::PhantomData))
    }
}

/// A key of an event object as the slot of [`Peek`] it fills (read without allocating).
struct Key(usize);

impl Key {
    const OTHER: usize = 3;
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E>(self, key: &str) -> Result<Key, E> {
                Ok(Key(match key {
                    "type" => 0,
                    "critical" => 1,
                    "server_group_name" => 2,
                    _ => Key::OTHER,
                }))
            }
        }
        d.deserialize_str(V)
    }
}

/// A string borrowed from the line where it has no escapes.
struct Text<'a>(std::borrow::Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON value, read and dropped as `serde_json::Value` would read it: unlike serde's
/// `IgnoredAny`, a number out of range is an error, as it is on the full path.
struct Checked;

impl<'de> serde::Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Checked;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_unit<E>(self) -> Result<Checked, E> {
                Ok(Checked)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Checked, A::Error> {
                while seq.next_element::<Checked>()?.is_some() {}
                Ok(Checked)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Checked, A::Error> {
                while map.next_entry::<Checked, Checked>()?.is_some() {}
                Ok(Checked)
            }
        }
        d.deserialize_any(V)
    }
}

/// `Some(true)`: a valid JSON object with a `type` that `trigger` does not match (skip it
/// without building a record); `Some(false)`: it matches; `None`: take the full path.
fn peek_skips(trigger: &Trigger, text: &str) -> Option<bool> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let p: Peek<'_> = serde_json::from_str(text).ok()?;
    let t = p.etype?;
    if t.is_empty() {
        return None;
    }
    let t = if t.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(t.to_ascii_lowercase())
    } else {
        t
    };
    Some(!trigger.matches_fields(&t, p.critical, p.server_group_name.as_deref()))
}

/// Where a response tool reads events: stdin / `--input FILE`, or `--from-halo`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct EventInputArgs {
    /// Read events from this JSON Lines file instead of stdin (`-` = stdin)
    #[arg(
        long = "input",
        short = 'i',
        value_name = "FILE",
        conflicts_with = "from_halo"
    )]
    pub input: Option<std::path::PathBuf>,
    /// Read matching events from the Halo API (`/v1/events`) instead of stdin
    #[arg(long = "from-halo")]
    pub from_halo: bool,
    /// With --from-halo: first event time (RFC 3339, YYYY-MM-DD, yesterday, -2h …; default -1h)
    #[arg(long, value_name = "TIME", requires = "from_halo")]
    pub since: Option<String>,
    /// With --from-halo: keep polling for new events until interrupted
    #[arg(long, requires = "from_halo")]
    pub follow: bool,
    /// With --from-halo: resume after the last event handled by an earlier run, and record
    /// progress here (JSON, written atomically); if the file does not exist, start at --since
    #[arg(long = "cursor-file", value_name = "FILE", requires = "from_halo")]
    pub cursor_file: Option<std::path::PathBuf>,
    /// Seconds between polls with --follow
    #[arg(
        long = "poll-interval",
        default_value_t = 5.0,
        value_name = "SECS",
        value_parser = octo_core::validate::poll_seconds,
        requires = "follow"
    )]
    pub poll_interval: f64,
    #[command(flatten)]
    pub bad_records: octo_core::records::BadRecordArgs,
}

impl EventInputArgs {
    /// Open the event source. `halo` is only used with `--from-halo`.
    pub fn open(
        &self,
        halo: &HaloClient,
        types: &[EventType],
        only_critical: bool,
        now: DateTime<Utc>,
    ) -> anyhow::Result<EventSource> {
        if !self.from_halo {
            return Ok(EventSource::Jsonl(octo_core::records::open(
                self.input.as_deref(),
            )?));
        }
        let poll = octo_core::validate::poll_duration(self.poll_interval)
            .map_err(|e| octo_core::exit::usage(format!("--poll-interval: {e}")))?;
        let since = match &self.since {
            Some(s) => octo_core::time::parse_time(s, now)
                .map_err(|e| octo_core::exit::usage(format!("--since: {e:#}")))?,
            None => now - chrono::Duration::hours(1),
        };
        let follow = self.follow.then_some(poll);
        let src = EventSource::halo(halo.clone(), types, only_critical, since, follow);
        Ok(match &self.cursor_file {
            Some(f) => {
                let resume = load_cursor(f)?;
                src.with_cursor_file(f.clone(), resume)
            }
            None => src,
        })
    }
}

#[cfg(test)]
mod tests;
