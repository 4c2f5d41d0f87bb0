//! The checkpoint of a unit being exported: per slice, the parts completed and the cursor after
//! the last of them, rewritten after every part so that a killed run resumes exactly there.

use std::collections::BTreeMap;

use octo_core::halo::cursor::Cursor;
use octo_core::time::format_api;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::job::{Layout, Unit};
use crate::manifest::{Part, WindowJson};
use crate::store::Store;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SliceState {
    pub(crate) parts: Vec<Part>,
    /// Cursor after the last completed part: `created_at` and the ids at exactly that time.
    pub(crate) cursor_since: Option<String>,
    pub(crate) cursor_seen: Vec<String>,
    pub(crate) done: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Checkpoint {
    pub(crate) tool: String,
    pub(crate) layout: Layout,
    pub(crate) part_records: usize,
    pub(crate) window: WindowJson,
    pub(crate) slices: BTreeMap<String, SliceState>,
}

/// Record a finished part (and the cursor after it) in the unit's checkpoint.
pub(crate) async fn save(
    store: &Store,
    unit: &Unit,
    shared: &Mutex<Checkpoint>,
    slice: &str,
    part: Option<Part>,
    cursor: &Cursor,
    done: bool,
) -> anyhow::Result<()> {
    let mut cp = shared.lock().await;
    let st = cp.slices.entry(slice.to_string()).or_default();
    if let Some(p) = part {
        st.parts.push(p);
    }
    st.cursor_since = Some(format_api(cursor.since));
    let mut seen: Vec<String> = cursor.seen_at_since.iter().cloned().collect();
    seen.sort();
    st.cursor_seen = seen;
    st.done = done;
    let text = serde_json::to_vec(&*cp)?;
    store.put(&unit.checkpoint_key, text).await?;
    Ok(())
}
