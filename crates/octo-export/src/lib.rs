//! octo-export: the archive engine behind event-export and scan-export — every item of a time
//! window, exactly once, streamed through gzip into a [`Store`], resumable and idempotent.
//!
//! A window is cut into UTC days (one *unit* each, with its own manifest) and each day into fixed
//! hourly *slices*. Slices are fetched concurrently, each with its own time cursor, and each
//! writes its own numbered parts (`part-HHNNN.jsonl.gz`: hour, then part within the hour), so
//! the objects written do not depend on `--concurrency` and their names sort in `created_at`
//! order. A part is made visible only when complete; after each part the unit's checkpoint
//! (completed parts and the cursor after them, per slice) is rewritten. A run killed at any point
//! resumes from the checkpoint and produces byte-identical parts; a finished unit has a manifest
//! (records, first/last `created_at`, each part's size and sha256) and is not exported again.
//!
//! `--layout legacy` writes the original archivers' names instead: `Halo-Events_<date>_<n>.gz`
//! (10,000 events) / `Halo-Scans_<date>_<n>.gz` (100 scans) at the prefix root, one slice a day.
//!
//! One file per job:
//! - [`job`]: what is exported ([`Kind`], [`Layout`]), the window cut into units (days) and
//!   slices (hours), object names, [`shard`]s
//! - [`engine`]: one unit exported — every slice at once, their requests sharing the client's
//!   in-flight limit, the manifest written
//! - [`concurrency`]: `--concurrency N|auto`
//! - `failures`: the failures of a unit's slices said once per cause, naming the slices
//! - [`part`]: a part being gzipped into its object
//! - [`checkpoint`]: the per-unit checkpoint (parts done and the cursor after them, per slice)
//! - [`manifest`]: the manifest of a finished unit, its verification and `--check`
//! - [`progress`]: records, pages and rates on the stderr spinner
//! - `alloc`: glibc's malloc told to map big buffers of their own (peak RSS)
//! - [`store`]: where objects go — a directory or S3 (through octo-aws), written atomically
//! - [`args`]: the flags both exporters share ([`ToolArgs`], the `--help` tail [`after_help!`]),
//!   their Halo settings, and [`run`] (one tool run:
//!   window, shards, destination, then each unit, or the records to stdout). The environment
//!   (default bucket, `JOB_COMPLETION_INDEX`) is read by the binaries and handed in as [`FromEnv`].

mod alloc;
pub mod args;
pub mod checkpoint;
pub mod concurrency;
pub mod engine;
mod failures;
pub mod job;
pub mod manifest;
pub mod part;
pub mod progress;
pub mod store;

pub use args::{
    DEFAULT_CONCURRENCY, ExportArgs, FromEnv, ToolArgs, exporter_halo_config, main, run,
};
pub use concurrency::Concurrency;
pub use engine::{Outcome, export_unit};
pub use job::{EVENTS, Enrich, Job, Kind, Layout, SCANS, Unit, shard};
pub use manifest::{Manifest, Part, WindowJson};
pub use progress::Progress;
pub use store::{Dest, Store};
