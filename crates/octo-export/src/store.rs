//! Where exports go: a local directory or `s3://bucket/prefix`, behind one small interface.
//!
//! Objects are never visible half-written: a local object is written to a hidden temp file in the
//! same directory and renamed into place; an S3 object ([`octo_aws::s3`]) is one `PutObject`, or
//! a multipart upload (parts of at least [`MIN_PART`]) that only becomes visible when it is
//! completed. Every written object reports its size and sha256.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use octo_aws::s3::{Bucket, Upload};
use octo_core::exit::usage;
use sha2::{Digest, Sha256};

pub use octo_aws::s3::MIN_PART;

/// Default multipart part size.
pub const DEFAULT_PART: usize = 8 * 1024 * 1024;

/// A destination as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    Local(PathBuf),
    S3 { bucket: String, prefix: String },
    Stdout,
}

impl Dest {
    /// `-`, `s3://bucket[/prefix]`, or a directory path.
    pub fn parse(raw: &str) -> anyhow::Result<Dest> {
        let raw = raw.trim();
        if raw == "-" {
            return Ok(Dest::Stdout);
        }
        if let Some(rest) = raw.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let ok = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            if !ok {
                return Err(usage(format!(
                    "invalid S3 bucket name `{bucket}` in `{raw}`: 3-63 lowercase letters, digits, '-' or '.'"
                )));
            }
            return Ok(Dest::S3 {
                bucket: bucket.to_string(),
                prefix: prefix.trim_matches('/').to_string(),
            });
        }
        if raw.is_empty() {
            return Err(usage(
                "empty destination: give a directory, s3://bucket/prefix or -",
            ));
        }
        if raw.contains("://") {
            return Err(usage(format!(
                "unsupported destination `{raw}`: give a directory, s3://bucket/prefix or -"
            )));
        }
        Ok(Dest::Local(PathBuf::from(raw)))
    }
}

impl std::fmt::Display for Dest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dest::Local(p) => write!(f, "{}", p.display()),
            Dest::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            Dest::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
            Dest::Stdout => f.write_str("-"),
        }
    }
}

/// Size and sha256 of a written object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug)]
enum Backend {
    Local(PathBuf),
    S3(Bucket),
}

/// An opened destination; cheap to clone. Keys are `/`-separated paths below it.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Arc<Backend>,
}

impl Store {
    /// Open `dest` (not `-`). A local directory is created; for S3 the bucket must exist.
    pub async fn open(dest: &Dest, part_size: usize) -> anyhow::Result<Store> {
        let backend = match dest {
            Dest::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                Backend::Local(dir.clone())
            }
            Dest::S3 { bucket, prefix } => {
                let cfg = octo_aws::load(None).await;
                return Store::s3(octo_aws::s3::client(&cfg), bucket, prefix, part_size).await;
            }
            Dest::Stdout => anyhow::bail!("stdout is not a store"),
        };
        Ok(Store {
            backend: Arc::new(backend),
        })
    }

    /// An S3 destination with a client of the caller's making; the bucket must exist.
    pub async fn s3(
        client: octo_aws::s3::Client,
        bucket: &str,
        prefix: &str,
        part_size: usize,
    ) -> anyhow::Result<Store> {
        let bucket = Bucket::open(client, bucket, prefix, part_size).await?;
        Ok(Store {
            backend: Arc::new(Backend::S3(bucket)),
        })
    }

    /// Where `key` is, for messages: a path or an `s3://` URL.
    pub fn locate(&self, key: &str) -> String {
        match &*self.backend {
            Backend::Local(dir) => dir.join(key).display().to_string(),
            Backend::S3(bucket) => bucket.locate(key),
        }
    }

    /// The object's bytes, or `None` when it does not exist.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match &*self.backend {
            Backend::Local(dir) => match std::fs::read(dir.join(key)) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e).with_context(|| format!("reading {}", self.locate(key))),
            },
            Backend::S3(bucket) => bucket.get(key).await,
        }
    }

    /// The object's size, or `None` when it does not exist.
    pub async fn size(&self, key: &str) -> anyhow::Result<Option<u64>> {
        match &*self.backend {
            Backend::Local(dir) => match std::fs::metadata(dir.join(key)) {
                Ok(m) => Ok(Some(m.len())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e).with_context(|| format!("reading {}", self.locate(key))),
            },
            Backend::S3(bucket) => bucket.size(key).await,
        }
    }

    /// Write a whole object atomically.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<Written> {
        let mut w = self.create(key).await?;
        w.write(&bytes).await?;
        w.finish().await
    }

    /// Delete an object (absent is fine).
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match &*self.backend {
            Backend::Local(dir) => match std::fs::remove_file(dir.join(key)) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e).with_context(|| format!("deleting {}", self.locate(key))),
            },
            Backend::S3(bucket) => bucket.delete(key).await,
        }
    }

    /// Start writing `key`; nothing is visible until [`ObjectWriter::finish`].
    pub async fn create(&self, key: &str) -> anyhow::Result<ObjectWriter> {
        let target = self.locate(key);
        let sink = match &*self.backend {
            Backend::Local(dir) => {
                let path = dir.join(key);
                let parent = path.parent().unwrap_or(Path::new(".")).to_path_buf();
                std::fs::create_dir_all(&parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let tmp = parent.join(format!(".{name}.tmp"));
                let file = std::fs::File::create(&tmp)
                    .with_context(|| format!("creating {}", tmp.display()))?;
                Sink::Local {
                    // unbuffered: a part writes its gzip output a compressed 64 KiB chunk at a time
                    file,
                    tmp,
                    path,
                }
            }
            Backend::S3(bucket) => Sink::S3(bucket.create(key)),
        };
        Ok(ObjectWriter {
            target,
            sink,
            hash: Sha256::new(),
            bytes: 0,
        })
    }
}

enum Sink {
    Local {
        file: std::fs::File,
        tmp: PathBuf,
        path: PathBuf,
    },
    S3(Upload),
}

/// One object being written: [`write`](Self::write) any number of times, then
/// [`finish`](Self::finish) to make it visible (or [`abort`](Self::abort)).
pub struct ObjectWriter {
    target: String,
    sink: Sink,
    hash: Sha256,
    bytes: u64,
}

impl ObjectWriter {
    pub async fn write(&mut self, data: &[u8]) -> anyhow::Result<()> {
        self.hash.update(data);
        self.bytes += data.len() as u64;
        match &mut self.sink {
            Sink::Local { file, tmp, .. } => file
                .write_all(data)
                .with_context(|| format!("writing {}", tmp.display())),
            Sink::S3(up) => up.write(data).await,
        }
    }

    /// Make the object visible under its key; returns its size and sha256.
    pub async fn finish(self) -> anyhow::Result<Written> {
        let written = Written {
            bytes: self.bytes,
            sha256: hex::encode(self.hash.finalize()),
        };
        match self.sink {
            Sink::Local { file, tmp, path } => {
                file.sync_all()
                    .with_context(|| format!("writing {}", tmp.display()))?;
                drop(file);
                std::fs::rename(&tmp, &path)
                    .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
            }
            Sink::S3(up) => up.finish().await?,
        }
        tracing::debug!(target = %self.target, bytes = written.bytes, "object written");
        Ok(written)
    }

    /// Give up: remove the temp file or abort the multipart upload.
    pub async fn abort(self) {
        match self.sink {
            Sink::Local { file, tmp, .. } => {
                drop(file);
                let _ = std::fs::remove_file(tmp);
            }
            Sink::S3(mut up) => up.abort().await,
        }
    }
}

/// A store in a new temporary directory (removed when the guard is dropped), for tests.
#[cfg(test)]
pub(crate) async fn temp_local() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Dest::Local(dir.path().into()), DEFAULT_PART)
        .await
        .unwrap();
    (dir, store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations() {
        assert_eq!(Dest::parse("-").unwrap(), Dest::Stdout);
        assert_eq!(
            Dest::parse("s3://my-bucket/halo/exports/").unwrap(),
            Dest::S3 {
                bucket: "my-bucket".into(),
                prefix: "halo/exports".into()
            }
        );
        assert_eq!(
            Dest::parse("s3://my-bucket").unwrap(),
            Dest::S3 {
                bucket: "my-bucket".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            Dest::parse("/var/events").unwrap(),
            Dest::Local("/var/events".into())
        );
        let e = Dest::parse("s3://B_ad/x").unwrap_err();
        assert!(format!("{e}").contains("`B_ad`"), "{e}");
        assert!(Dest::parse("gs://x/y").is_err());
        assert_eq!(
            Dest::parse("s3://my-bucket/a").unwrap().to_string(),
            "s3://my-bucket/a"
        );
    }

    #[tokio::test]
    async fn local_objects_appear_only_when_finished() {
        let (dir, store) = temp_local().await;
        let mut w = store.create("a/b/part.gz").await.unwrap();
        w.write(b"hello ").await.unwrap();
        w.write(b"world").await.unwrap();
        assert_eq!(store.size("a/b/part.gz").await.unwrap(), None);
        let written = w.finish().await.unwrap();
        assert_eq!(written.bytes, 11);
        assert_eq!(
            written.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(
            store.get("a/b/part.gz").await.unwrap().unwrap(),
            b"hello world"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["part.gz"], "no temp file left");
        let w = store.create("a/b/other").await.unwrap();
        w.abort().await;
        assert_eq!(store.size("a/b/other").await.unwrap(), None);
        store.delete("a/b/part.gz").await.unwrap();
        store.delete("a/b/part.gz").await.unwrap();
        assert_eq!(store.get("a/b/part.gz").await.unwrap(), None);
    }
}
