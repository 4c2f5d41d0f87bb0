//! S3 objects below a bucket and prefix: read, size, delete, and written either in one
//! `PutObject` or as a multipart upload (parts of at least [`MIN_PART`], several in flight while
//! the caller keeps writing) that only becomes visible when it is completed. octo-export's store
//! puts a local directory beside it behind one interface.
//!
//! An object being written holds at most [`IN_MEMORY`] bytes in memory; beyond that its bytes
//! spool to a temporary file (in `TMPDIR`, deleted when done) that the upload streams from, so
//! an export writing 24 parts at once does not hold 24 parts in memory.

use anyhow::Context;
use aws_config::SdkConfig;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use tokio::task::JoinSet;

pub use aws_sdk_s3::Client;

/// S3's smallest part (all but the last).
pub const MIN_PART: usize = 5 * 1024 * 1024;
/// Parts of one object uploading at once.
const PARTS_IN_FLIGHT: usize = 2;
/// Bytes of an object kept in memory before it spools to a temporary file: manifests and
/// checkpoints never touch the disk; a part costs this much memory, whatever its size.
pub const IN_MEMORY: usize = 64 * 1024;

fn s3_err<E>(what: &str, target: &str, e: &aws_sdk_s3::error::SdkError<E>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    anyhow::anyhow!("s3:{what} {target}: {}", crate::describe(e))
}

/// True when an endpoint override is configured for S3 (then path-style addressing is used).
fn endpoint_overridden() -> bool {
    [
        octo_core::env::AWS_ENDPOINT_URL_S3,
        octo_core::env::AWS_ENDPOINT_URL,
    ]
    .iter()
    .any(|k| octo_core::env::var_nonempty(k).is_some())
}

/// An S3 client for `cfg`: path-style addressing when an endpoint override is set (moto, MinIO …).
pub fn client(cfg: &SdkConfig) -> Client {
    let conf = aws_sdk_s3::config::Builder::from(cfg)
        .force_path_style(endpoint_overridden())
        .build();
    Client::from_conf(conf)
}

/// A bucket and a key prefix; keys are `/`-separated paths below the prefix.
#[derive(Debug, Clone)]
pub struct Bucket {
    client: Client,
    bucket: String,
    prefix: String,
    part_size: usize,
}

impl Bucket {
    /// `s3://bucket/prefix` with `client`, multipart parts of `part_size` (at least [`MIN_PART`]);
    /// fails, naming the bucket, when it does not exist or cannot be read.
    pub async fn open(
        client: Client,
        bucket: &str,
        prefix: &str,
        part_size: usize,
    ) -> anyhow::Result<Bucket> {
        client
            .head_bucket()
            .bucket(bucket)
            .send()
            .await
            .map_err(|e| s3_err("HeadBucket", &format!("s3://{bucket}"), &e))?;
        Ok(Bucket {
            client,
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            part_size: part_size.max(MIN_PART),
        })
    }

    fn key(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}/{key}", self.prefix)
        }
    }

    /// `s3://bucket/prefix/key`, for messages.
    pub fn locate(&self, key: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.key(key))
    }

    /// The object's bytes, or `None` when it does not exist.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let r = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.key(key))
            .send()
            .await;
        match r {
            Ok(out) => {
                let body = out
                    .body
                    .collect()
                    .await
                    .with_context(|| format!("reading {}", self.locate(key)))?;
                Ok(Some(body.into_bytes().to_vec()))
            }
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
            Err(e) => Err(s3_err("GetObject", &self.locate(key), &e)),
        }
    }

    /// The object's size, or `None` when it does not exist.
    pub async fn size(&self, key: &str) -> anyhow::Result<Option<u64>> {
        let r = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(self.key(key))
            .send()
            .await;
        match r {
            Ok(out) => Ok(Some(out.content_length().unwrap_or(0).max(0) as u64)),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) => Err(s3_err("HeadObject", &self.locate(key), &e)),
        }
    }

    /// Delete an object (absent is fine).
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(self.key(key))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| s3_err("DeleteObject", &self.locate(key), &e))
    }

    /// Start writing `key`; nothing is visible until [`Upload::finish`].
    pub fn create(&self, key: &str) -> Upload {
        Upload {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            key: self.key(key),
            part_size: self.part_size,
            body: Body::Memory(Vec::new()),
            upload_id: None,
            next_part: 1,
            in_flight: JoinSet::new(),
            done: Vec::new(),
        }
    }
}

/// One object being written: one `PutObject` when it stays below the part size, else a
/// multipart upload.
pub struct Upload {
    client: Client,
    bucket: String,
    key: String,
    part_size: usize,
    /// The bytes not yet handed to an upload request.
    body: Body,
    upload_id: Option<String>,
    next_part: i32,
    in_flight: JoinSet<anyhow::Result<CompletedPart>>,
    done: Vec<CompletedPart>,
}

impl Upload {
    fn target(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }

    async fn start_part(&mut self, body: Body) -> anyhow::Result<()> {
        if self.upload_id.is_none() {
            let out = self
                .client
                .create_multipart_upload()
                .bucket(&self.bucket)
                .key(&self.key)
                .send()
                .await
                .map_err(|e| s3_err("CreateMultipartUpload", &self.target(), &e))?;
            self.upload_id = Some(
                out.upload_id()
                    .context("CreateMultipartUpload returned no upload id")?
                    .to_string(),
            );
        }
        while self.in_flight.len() >= PARTS_IN_FLIGHT {
            self.join_one().await?;
        }
        let n = self.next_part;
        self.next_part += 1;
        let client = self.client.clone();
        let (bucket, key) = (self.bucket.clone(), self.key.clone());
        let upload_id = self.upload_id.clone().unwrap_or_default();
        let target = self.target();
        self.in_flight.spawn(async move {
            // `body` (and its temporary file) lives until the request is done
            let out = client
                .upload_part()
                .bucket(bucket)
                .key(key)
                .upload_id(upload_id)
                .part_number(n)
                .body(body.stream(&target).await?)
                .send()
                .await
                .map_err(|e| s3_err("UploadPart", &target, &e))?;
            Ok(CompletedPart::builder()
                .part_number(n)
                .set_e_tag(out.e_tag().map(str::to_string))
                .build())
        });
        Ok(())
    }

    async fn join_one(&mut self) -> anyhow::Result<()> {
        if let Some(r) = self.in_flight.join_next().await {
            self.done.push(r.context("upload task failed")??);
        }
        Ok(())
    }

    /// Append `data`; a full part starts uploading while the caller goes on.
    pub async fn write(&mut self, data: &[u8]) -> anyhow::Result<()> {
        let target = self.target();
        self.body.append(data, &target)?;
        if self.body.len() >= self.part_size as u64 {
            let body = std::mem::take(&mut self.body);
            self.start_part(body).await?;
        }
        Ok(())
    }

    /// Make the object visible (an upload that fails here is aborted).
    pub async fn finish(mut self) -> anyhow::Result<()> {
        if self.upload_id.is_none() {
            let target = self.target();
            let body = std::mem::take(&mut self.body);
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(&self.key)
                .body(body.stream(&target).await?)
                .send()
                .await
                .map_err(|e| s3_err("PutObject", &target, &e))?;
            return Ok(());
        }
        let result = async {
            if self.body.len() > 0 {
                let body = std::mem::take(&mut self.body);
                self.start_part(body).await?;
            }
            while !self.in_flight.is_empty() {
                self.join_one().await?;
            }
            let mut parts = std::mem::take(&mut self.done);
            parts.sort_by_key(|p| p.part_number());
            self.client
                .complete_multipart_upload()
                .bucket(&self.bucket)
                .key(&self.key)
                .upload_id(self.upload_id.clone().unwrap_or_default())
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .send()
                .await
                .map_err(|e| s3_err("CompleteMultipartUpload", &self.target(), &e))?;
            anyhow::Ok(())
        }
        .await;
        if result.is_err() {
            self.abort().await;
        }
        result
    }

    /// Give up: stop the parts in flight and abort the multipart upload (nothing becomes visible).
    pub async fn abort(&mut self) {
        self.in_flight.abort_all();
        if let Some(id) = self.upload_id.take() {
            let _ = self
                .client
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(&self.key)
                .upload_id(id)
                .send()
                .await;
        }
    }
}

/// Bytes waiting for an upload request: in memory up to [`IN_MEMORY`], then in a temporary file
/// (removed when the body is dropped).
#[derive(Default)]
enum Body {
    #[default]
    Empty,
    Memory(Vec<u8>),
    Spooled {
        file: tempfile::NamedTempFile,
        len: u64,
    },
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Memory(b) => b.len() as u64,
            Body::Spooled { len, .. } => *len,
        }
    }

    fn append(&mut self, data: &[u8], target: &str) -> anyhow::Result<()> {
        use std::io::Write;
        let spool_err = |e: std::io::Error| {
            anyhow::anyhow!("spooling {target} to a temporary file (TMPDIR): {e}")
        };
        match self {
            Body::Empty => *self = Body::Memory(Vec::new()),
            Body::Memory(b) if b.len() + data.len() > IN_MEMORY => {
                let mut file = tempfile::Builder::new()
                    .prefix(".octo-upload-")
                    .tempfile()
                    .map_err(spool_err)?;
                file.write_all(b).map_err(spool_err)?;
                *self = Body::Spooled {
                    len: b.len() as u64,
                    file,
                };
            }
            _ => {}
        }
        match self {
            Body::Memory(b) => b.extend_from_slice(data),
            Body::Spooled { file, len } => {
                file.write_all(data).map_err(spool_err)?;
                *len += data.len() as u64;
            }
            Body::Empty => unreachable!("set above"),
        }
        Ok(())
    }

    /// The request body; a spooled one streams from its file (and can be sent again on a
    /// retry). The file stays until `self` is dropped.
    async fn stream(&self, target: &str) -> anyhow::Result<ByteStream> {
        Ok(match self {
            Body::Empty => ByteStream::from_static(b""),
            Body::Memory(b) => ByteStream::from(b.clone()),
            Body::Spooled { file, len } => ByteStream::read_from()
                .path(file.path())
                .length(aws_sdk_s3::primitives::Length::Exact(*len))
                .build()
                .await
                .with_context(|| format!("reading back the spooled {target}"))?,
        })
    }
}
