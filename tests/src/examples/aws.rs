//! The AWS side of the examples (moto): instances in three accounts, the export bucket, and the
//! checks of what an export left in S3.

use std::io::Read;

use aws_config::SdkConfig;
use chrono::NaiveDate;
use octo_testkit::Moto;
use serde_json::{Value, json};

use super::{BASE, ROLE};

pub struct Aws<'a> {
    moto: &'a Moto,
    rt: tokio::runtime::Runtime,
}

impl<'a> Aws<'a> {
    pub fn new(moto: &'a Moto) -> Aws<'a> {
        Aws {
            moto,
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    /// Credentials of `account`: moto's own, or the role the examples assume there.
    pub async fn cfg(&self, account: &str, region: &str) -> SdkConfig {
        let base = self.moto.sdk_config(region).await;
        if account == BASE {
            return base;
        }
        self.moto.assumed_config(account, ROLE, region).await
    }

    /// Launch one running instance; its id.
    pub fn launch(&self, account: &str, region: &str) -> String {
        self.rt.block_on(async {
            let cfg = self.cfg(account, region).await;
            octo_testkit::launch_instances(&cfg, octo_testkit::Launch::default())
                .await
                .remove(0)
        })
    }

    pub fn create_bucket(&self, bucket: &str) {
        self.rt.block_on(async {
            self.moto
                .s3_client()
                .await
                .create_bucket()
                .bucket(bucket)
                .send()
                .await
                .unwrap();
        });
    }

    /// (key, etag) of every object under `prefix`, by key.
    pub fn objects(&self, bucket: &str, prefix: &str) -> Vec<(String, String)> {
        self.rt.block_on(async {
            let out = self
                .moto
                .s3_client()
                .await
                .list_objects_v2()
                .bucket(bucket)
                .prefix(prefix)
                .send()
                .await
                .unwrap();
            let mut v: Vec<(String, String)> = out
                .contents()
                .iter()
                .map(|o| {
                    (
                        o.key().unwrap().to_string(),
                        o.e_tag().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            v.sort();
            v
        })
    }

    pub fn get(&self, bucket: &str, key: &str) -> Vec<u8> {
        self.rt.block_on(async {
            let out = self
                .moto
                .s3_client()
                .await
                .get_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .unwrap_or_else(|e| panic!("s3://{bucket}/{key}: {e}"));
            out.body.collect().await.unwrap().into_bytes().to_vec()
        })
    }
}

/// A Halo server protecting `instance`.
pub fn protect(sim: &octo_sim::Sim, instance: &str, account: &str, region: &str) {
    sim.add_server(json!({
        "hostname": format!("host-{instance}"),
        "state": "active",
        "platform": "ubuntu",
        "aws_ec2": {"ec2_instance_id": instance, "ec2_account_id": account, "ec2_region": region}
    }));
}

/// The CSV ec2-delta writes for these (account, region, instance) rows: the header, then the
/// rows sorted by account, region, id; only the first three columns are compared.
pub fn csv_keys(csv: &str) -> (String, Vec<(String, String, String)>) {
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or_default().to_string();
    let rows = lines
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, ',').collect();
            (f[1].to_string(), f[2].to_string(), f[0].to_string())
        })
        .collect();
    (header, rows)
}

pub fn sorted(mut v: Vec<(String, String, String)>) -> Vec<(String, String, String)> {
    v.sort();
    v
}

pub fn row(account: &str, region: &str, id: &str) -> (String, String, String) {
    (account.to_string(), region.to_string(), id.to_string())
}

/// The export of `kind` (`events`/`scans`) for `day` under s3://BUCKET/PREFIX: checks every part
/// against the manifest (size, records) and that nothing else is in the partition; returns the
/// manifest, the record ids in order and the objects (key, etag).
pub fn s3_export(
    aws: &Aws,
    bucket: &str,
    prefix: &str,
    kind: &str,
    day: NaiveDate,
) -> (Value, Vec<String>, Vec<(String, String)>) {
    let dir = format!("{prefix}/{kind}/dt={day}/");
    let objects = aws.objects(bucket, &dir);
    let manifest: Value =
        serde_json::from_slice(&aws.get(bucket, &format!("{dir}_manifest.json"))).unwrap();
    let mut ids = Vec::new();
    let mut keys = vec![format!("{dir}_manifest.json")];
    for p in manifest["parts"].as_array().unwrap() {
        let key = format!("{prefix}/{}", p["key"].as_str().unwrap());
        let bytes = aws.get(bucket, &key);
        assert_eq!(bytes.len() as u64, p["bytes"].as_u64().unwrap(), "{key}");
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_string(&mut s)
            .unwrap();
        let n = s.lines().count();
        assert_eq!(n as u64, p["records"].as_u64().unwrap(), "{key}");
        ids.extend(s.lines().map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        }));
        keys.push(key);
    }
    keys.sort();
    let listed: Vec<String> = objects.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(
        listed, keys,
        "the partition holds the parts and the manifest, nothing else"
    );
    assert_eq!(manifest["records"].as_u64().unwrap(), ids.len() as u64);
    (manifest, ids, objects)
}

pub fn ids_of(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}
