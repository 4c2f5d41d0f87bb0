//! A part being written: records gathered into chunks of [`CHUNK`] bytes, each compressed as
//! soon as it is full and written to the part's object; finishing it yields the [`Part`] that
//! checkpoints and manifests list.
//!
//! Every slice of a day writes a part at once (24 in the hive layout), so what an open part
//! holds is the export's memory. A gzip stream of its own would hold a deflate state (~370 KB)
//! per part. Instead, a part is one gzip member whose deflate blocks are compressed a chunk at a
//! time by whichever compressor of a shared pool is free (one per core at work), primed with the
//! last 32 KiB of the part before the chunk — the way `pigz` does it. Back-references reach
//! across chunk boundaries as in one stream, so the part is within a fraction of a percent of
//! `gzip -6`'s size, it reads with any gzip reader (one member, one CRC), and an open part costs
//! only its chunk and that window. The bytes depend on the part's records alone, never on which
//! compressor or thread did the work.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use flate2::{Compress, Compression, Crc, FlushCompress};
use octo_core::time::format_api;

use crate::manifest::Part;
use crate::store::{ObjectWriter, Store};

/// Raw bytes gathered before they are compressed.
const CHUNK: usize = 64 * 1024;
/// Deflate's window: how much of the part before a chunk primes its compressor.
const WINDOW: usize = 32 * 1024;
/// The gzip header: deflate, no name or time (as `flate2`'s encoder writes it), OS unknown.
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/// An empty, final deflate block (fixed Huffman codes): what ends the part's deflate stream.
const LAST_BLOCK: [u8; 2] = [0x03, 0x00];

/// Raw deflate compressors not in use; one is taken for a chunk and given back after it.
static COMPRESSORS: Mutex<Vec<Compress>> = Mutex::new(Vec::new());

/// Deflate `input` as a run of non-final blocks ending on a byte boundary (a sync flush),
/// back-references allowed into `window` (the bytes just before it), appended to `out`.
fn deflate_chunk(window: &[u8], input: &[u8], out: &mut Vec<u8>) -> anyhow::Result<()> {
    let taken = COMPRESSORS.lock().ok().and_then(|mut pool| pool.pop());
    let mut c = taken.unwrap_or_else(|| Compress::new(Compression::default(), false));
    c.reset();
    if !window.is_empty() {
        c.set_dictionary(window)?;
    }
    let mut consumed = 0;
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(input.len() / 4 + 1024);
        }
        let before = c.total_in();
        c.compress_vec(&input[consumed..], out, FlushCompress::Sync)?;
        consumed += usize::try_from(c.total_in() - before)?;
        // done when all input is in and the flush did not fill the output
        if consumed == input.len() && out.len() < out.capacity() {
            break;
        }
    }
    if let Ok(mut pool) = COMPRESSORS.lock() {
        pool.push(c);
    }
    Ok(())
}

/// A part being written.
pub(crate) struct PartWriter {
    key: String,
    obj: ObjectWriter,
    /// The window (the last ≤ [`WINDOW`] bytes already compressed), then the pending bytes.
    raw: Vec<u8>,
    window: usize,
    /// Compressed bytes on their way to the object (reused).
    out: Vec<u8>,
    crc: Crc,
    pub(crate) records: u64,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

impl PartWriter {
    /// Start the part `key` (nothing is visible until [`finish`](Self::finish)).
    pub(crate) async fn create(store: &Store, key: String) -> anyhow::Result<PartWriter> {
        let mut obj = store.create(&key).await?;
        obj.write(&HEADER).await?;
        Ok(PartWriter {
            obj,
            key,
            raw: Vec::with_capacity(WINDOW + CHUNK + 4096),
            window: 0,
            out: Vec::new(),
            crc: Crc::new(),
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
        self.raw.extend_from_slice(line);
        self.crc.update(line);
        if self.records == 0 {
            self.first = Some(created_at);
        }
        self.last = Some(created_at);
        self.records += 1;
        if self.raw.len() - self.window >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    /// Compress the pending bytes into the object; their last [`WINDOW`] bytes stay as the
    /// next chunk's window.
    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.raw.len() == self.window {
            return Ok(());
        }
        self.out.clear();
        let (window, input) = self.raw.split_at(self.window);
        deflate_chunk(window, input, &mut self.out)?;
        self.obj.write(&self.out).await?;
        let keep = self.raw.len().min(WINDOW);
        self.raw.drain(..self.raw.len() - keep);
        self.window = keep;
        Ok(())
    }

    pub(crate) async fn finish(mut self) -> anyhow::Result<Part> {
        self.flush().await?;
        let mut tail = LAST_BLOCK.to_vec();
        tail.extend_from_slice(&self.crc.sum().to_le_bytes());
        tail.extend_from_slice(&self.crc.amount().to_le_bytes());
        let mut obj = self.obj;
        obj.write(&tail).await?;
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

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// JSON lines alike enough to compress like events, different enough to need the window.
    fn lines(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| {
                format!(
                    "{{\"id\":\"{:032x}\",\"type\":\"{}\",\"server_hostname\":\"host-{}\",\"message\":\"{}\"}}\n",
                    (i as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c),
                    ["lids_rule_failed", "fim_target_integrity_changed", "server_missing"][i % 3],
                    i % 97,
                    "x".repeat(i % 200)
                )
                .into_bytes()
            })
            .collect()
    }

    async fn write_part(store: &Store, key: &str, lines: &[Vec<u8>]) -> Part {
        let mut p = PartWriter::create(store, key.to_string()).await.unwrap();
        for l in lines {
            p.add(l, Utc::now()).await.unwrap();
        }
        p.finish().await.unwrap()
    }

    #[tokio::test]
    async fn a_part_is_one_gzip_member_as_small_as_one_stream() {
        let (dir, store) = crate::store::temp_local().await;
        let lines = lines(5_000);
        let raw: Vec<u8> = lines.concat();
        assert!(raw.len() > 10 * CHUNK, "several chunks: {}", raw.len());
        let part = write_part(&store, "p.jsonl.gz", &lines).await;
        let bytes = std::fs::read(dir.path().join("p.jsonl.gz")).unwrap();
        assert_eq!(part.records, 5_000);
        assert_eq!(part.bytes, bytes.len() as u64);

        // a single-member reader (which stops after the first member) reads every byte
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, raw);

        // within 1 % of one gzip stream of the same bytes
        let mut one = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        one.write_all(&raw).unwrap();
        let one = one.finish().unwrap();
        assert!(
            bytes.len() * 100 <= one.len() * 101,
            "{} bytes against {} for one stream",
            bytes.len(),
            one.len()
        );

        // the same records give the same bytes, whichever pooled compressor does the work
        let again = write_part(&store, "q.jsonl.gz", &lines).await;
        assert_eq!(again.sha256, part.sha256);
    }

    #[tokio::test]
    async fn a_one_record_part_reads_back() {
        let (dir, store) = crate::store::temp_local().await;
        write_part(&store, "one.gz", &[b"{}\n".to_vec()]).await;
        let bytes = std::fs::read(dir.path().join("one.gz")).unwrap();
        let mut back = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, "{}\n");
    }
}
