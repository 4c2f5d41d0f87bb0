//! AWS: one way to load the SDK configuration, assume a role per account, list regions and build
//! S3 clients, for every tool that talks to AWS (ec2-delta, event-export, scan-export).
//!
//! Credentials and region come from the standard chain (env, profile, SSO, process, IMDS unless
//! `AWS_EC2_METADATA_DISABLED`), `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_<SERVICE>`) is honoured
//! by the SDK itself. With an endpoint override S3 uses path-style addressing (moto, MinIO …).

use std::time::{Duration, SystemTime};

use anyhow::Context;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::{
    ProvideCredentials, SharedCredentialsProvider, error::CredentialsError, future,
};
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata};
use tokio::sync::Mutex;

/// Region used when neither `AWS_REGION` nor a profile names one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Load the SDK configuration from the standard chain; `region` overrides it.
pub async fn load(region: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(r) = region {
        loader = loader.region(Region::new(r.to_string()));
    }
    let cfg = loader.load().await;
    if cfg.region().is_none() {
        return cfg
            .into_builder()
            .region(Region::new(DEFAULT_REGION))
            .build();
    }
    cfg
}

/// The same configuration in another region (credentials and their cache are shared).
pub fn in_region(cfg: &SdkConfig, region: &str) -> SdkConfig {
    cfg.to_builder()
        .region(Region::new(region.to_string()))
        .build()
}

/// An SDK error with its code and message (`AccessDenied: User … is not authorized …`), never
/// the request's credentials. When the SDK could not parse the error body (some S3/STS-compatible
/// services wrap it differently) the code and message are read from the raw XML.
pub fn describe<E>(
    err: &aws_sdk_sts::error::SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match (err.code(), err.message()) {
        (Some(code), Some(msg)) => return format!("{code}: {msg}"),
        (Some(code), None) => return code.to_string(),
        _ => {}
    }
    if let Some(raw) = err.raw_response() {
        let body = raw
            .body()
            .bytes()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let tag = |t: &str| {
            let open = format!("<{t}>");
            let start = body.find(&open)? + open.len();
            let end = body[start..].find(&format!("</{t}>"))? + start;
            Some(body[start..end].trim().to_string())
        };
        return match (tag("Code"), tag("Message")) {
            (Some(c), Some(m)) => format!("{c}: {m}"),
            (Some(c), None) => c,
            _ => format!("HTTP {}", raw.status().as_u16()),
        };
    }
    format!("{}", DisplayErrorContext(err))
}

/// The account id of the caller (`sts:GetCallerIdentity`).
pub async fn caller_account(cfg: &SdkConfig) -> anyhow::Result<String> {
    let sts = aws_sdk_sts::Client::new(cfg);
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("sts:GetCallerIdentity: {}", describe(&e)))?;
    out.account()
        .map(str::to_string)
        .context("sts:GetCallerIdentity returned no account")
}

/// Regions enabled for the account of `cfg` (`ec2:DescribeRegions`), sorted.
pub async fn regions(cfg: &SdkConfig) -> anyhow::Result<Vec<String>> {
    let ec2 = aws_sdk_ec2::Client::new(cfg);
    let out = ec2
        .describe_regions()
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("ec2:DescribeRegions: {}", describe(&e)))?;
    let mut names: Vec<String> = out
        .regions()
        .iter()
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Credentials of a role assumed once and re-assumed only shortly before they expire, shared by
/// every client (every region) built from the returned configuration.
#[derive(Debug)]
struct AssumedRole {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    session_name: String,
    current: Mutex<Option<Credentials>>,
}

/// Re-assume when fewer than this many seconds of validity are left.
const REFRESH_BEFORE: Duration = Duration::from_secs(300);

impl AssumedRole {
    async fn credentials(&self) -> anyhow::Result<Credentials> {
        let mut cur = self.current.lock().await;
        if let Some(c) = cur.as_ref() {
            let fresh = c
                .expiry()
                .is_none_or(|exp| exp > SystemTime::now() + REFRESH_BEFORE);
            if fresh {
                return Ok(c.clone());
            }
        }
        let out = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name(&self.session_name)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("sts:AssumeRole {}: {}", self.role_arn, describe(&e)))?;
        let c = out.credentials().ok_or_else(|| {
            anyhow::anyhow!("sts:AssumeRole {} returned no credentials", self.role_arn)
        })?;
        let expiry = SystemTime::try_from(*c.expiration()).ok();
        let creds = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expiry,
            "octobox-assume-role",
        );
        *cur = Some(creds.clone());
        Ok(creds)
    }
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async {
            self.credentials()
                .await
                .map_err(|e| CredentialsError::provider_error(format!("{e:#}")))
        })
    }
}

/// `arn:aws:iam::<account>:role/<role>`.
pub fn role_arn(account: &str, role: &str) -> String {
    format!("arn:aws:iam::{account}:role/{role}")
}

/// Assume `role` in `account` (one `sts:AssumeRole`, checked now so a failure names the account
/// before any other call) and return a configuration that uses its credentials.
pub async fn assume_role(
    base: &SdkConfig,
    account: &str,
    role: &str,
    session_name: &str,
) -> anyhow::Result<SdkConfig> {
    let provider = AssumedRole {
        sts: aws_sdk_sts::Client::new(base),
        role_arn: role_arn(account, role),
        session_name: session_name.to_string(),
        current: Mutex::new(None),
    };
    provider.credentials().await?;
    Ok(base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build())
}

/// True when an endpoint override is configured for S3 (then path-style addressing is used).
fn s3_endpoint_overridden() -> bool {
    [
        crate::env::AWS_ENDPOINT_URL_S3,
        crate::env::AWS_ENDPOINT_URL,
    ]
    .iter()
    .any(|k| crate::env::var_nonempty(k).is_some())
}

/// An S3 client for `cfg`: path-style addressing when an endpoint override is set.
pub fn s3_client(cfg: &SdkConfig) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(cfg)
        .force_path_style(s3_endpoint_overridden())
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        assert_eq!(
            role_arn("111111111111", "inventory-reader"),
            "arn:aws:iam::111111111111:role/inventory-reader"
        );
    }
}
