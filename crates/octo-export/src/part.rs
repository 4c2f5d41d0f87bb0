//! A part being written: records gzipped into a small buffer that is drained into the part's
//! object as it fills; finishing it yields the [`Part`] that checkpoints and manifests list.

use std::io::Write;

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use octo_core::time::format_api;

use crate::manifest::Part;
use crate::store::{ObjectWriter, Store};

/// Compressed bytes a part holds before they go to its object. Every slice of a day writes a
/// part at once (24 in the hive layout), so this, the gzip state (~270 KB) and the page
/// read-ahead are the export's memory.
const CHUNK: usize = 32 * 1024;

/// A part being written: gzip into a small buffer drained into the object.
pub(crate) struct PartWriter {
    key: String,
    gz: GzEncoder<Vec<u8>>,
    obj: ObjectWriter,
    pub(crate) records: u64,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

impl PartWriter {
    /// Start the part `key` (nothing is visible until [`finish`](Self::finish)).
    pub(crate) async fn create(store: &Store, key: String) -> anyhow::Result<PartWriter> {
        Ok(PartWriter {
            obj: store.create(&key).await?,
            key,
            gz: GzEncoder::new(Vec::with_capacity(CHUNK + 8 * 1024), Compression::default()),
            records: 0,
            first: None,
            last: None,
        })
    }

    /// Give up the part: its object never appears.
    pub(crate) async fn abort(self) {
        self.obj.abort().await;
    }

    pub(crate) async fn add(
        &mut self,
        line: &[u8],
        created_at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.gz.write_all(line)?;
        if self.records == 0 {
            self.first = Some(created_at);
        }
        self.last = Some(created_at);
        self.records += 1;
        if self.gz.get_ref().len() >= CHUNK {
            // the same buffer again: a part holds one, however many chunks it writes
            self.obj.write(self.gz.get_ref()).await?;
            self.gz.get_mut().clear();
        }
        Ok(())
    }

    pub(crate) async fn finish(self) -> anyhow::Result<Part> {
        let rest = self.gz.finish()?;
        let mut obj = self.obj;
        obj.write(&rest).await?;
        let w = obj.finish().await?;
        Ok(Part {
            key: self.key,
            records: self.records,
            bytes: w.bytes,
            sha256: w.sha256,
            first_created_at: self.first.map(format_api).unwrap_or_default(),
            last_created_at: self.last.map(format_api).unwrap_or_default(),
        })
    }
}
