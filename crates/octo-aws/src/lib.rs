//! octo-aws: one way to load the AWS SDK configuration, assume a role per account, list regions
//! and read and write S3 objects, for the tools that talk to AWS (ec2-delta directly, event-export
//! and scan-export through octo-export's store). No other tool links it (a test in `tests/`
//! checks), so they do not carry the AWS SDK.
//!
//! - this file: [`load`] the configuration (a named profile: [`load_profile`]), [`assume_role`] (aws-config's `AssumeRoleProvider`,
//!   ARNs for the partition of the region: [`role_arn`]), [`regions`], [`caller_account`],
//!   [`describe`] an SDK error without its credentials
//! - [`s3`]: a bucket and prefix, objects read, deleted and written in one `PutObject` or a
//!   multipart upload that is invisible until complete
//!
//! Credentials and region come from the standard chain (env, profile, SSO, process, IMDS unless
//! `AWS_EC2_METADATA_DISABLED`), `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_<SERVICE>`) is honoured
//! by the SDK itself. With an endpoint override S3 uses path-style addressing (moto, MinIO …).

pub mod s3;

use anyhow::Context;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata};

/// Region used when neither `AWS_REGION` nor a profile names one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Load the SDK configuration from the standard chain; `region` overrides it.
pub async fn load(region: Option<&str>) -> SdkConfig {
    load_profile(region, None).await
}

/// [`load`] with a named profile of `~/.aws/config` (`--profile`; else `AWS_PROFILE`, else
/// `default`), as the AWS CLI takes it: static keys, `credential_process`, SSO, or `role_arn` with
/// `source_profile` / `credential_source` (aws-config's profile provider assumes the role chain,
/// with the profile's `external_id`, `role_session_name` and `duration_seconds`). The files are
/// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` when set.
pub async fn load_profile(region: Option<&str>, profile: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
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

/// Regions enabled for the account of `cfg` (`ec2:DescribeRegions`), sorted (feature `ec2`).
#[cfg(feature = "ec2")]
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

/// The partition of `region`: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, else `aws`.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// `arn:<partition>:iam::<account>:role/<role>`, the partition being that of `region`.
pub fn role_arn(region: &str, account: &str, role: &str) -> String {
    format!("arn:{}:iam::{account}:role/{role}", partition(region))
}

/// A role to assume in an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role<'a> {
    /// The account id (12 digits).
    pub account: &'a str,
    /// The role's name (`role/<name>` in the ARN).
    pub name: &'a str,
    /// `RoleSessionName`, shown in the account's CloudTrail (`octobox-ec2-delta` …).
    pub session_name: &'a str,
    /// `ExternalId`, when the role's trust policy asks for one.
    pub external_id: Option<&'a str>,
    /// Session length (the role's maximum at most); STS's default (1 hour) when `None`.
    pub duration: Option<std::time::Duration>,
}

/// The first [`SdkError`](aws_sdk_sts::error::SdkError) of `AssumeRole` in `err`'s chain,
/// described; else the chain itself.
fn describe_assume_role(err: &(dyn std::error::Error + 'static)) -> String {
    type AssumeRoleSdkError = aws_sdk_sts::error::SdkError<
        aws_sdk_sts::operation::assume_role::AssumeRoleError,
        aws_sdk_sts::config::http::HttpResponse,
    >;
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(sdk) = e.downcast_ref::<AssumeRoleSdkError>() {
            return describe(sdk);
        }
        cur = e.source();
    }
    format!("{}", DisplayErrorContext(err))
}

/// Assume `role` with aws-config's own [`AssumeRoleProvider`] (ExternalId, session name and
/// length as given) and return a configuration that uses it: every client built from it (every
/// region) shares the configuration's identity cache, which keeps the credentials and assumes the
/// role again shortly before they expire. The role is assumed once now, so that a role that
/// cannot be assumed is named (`sts:AssumeRole <arn>: AccessDenied: …`) before any other call.
pub async fn assume_role(base: &SdkConfig, role: &Role<'_>) -> anyhow::Result<SdkConfig> {
    let region = base.region().map_or(DEFAULT_REGION, |r| r.as_ref());
    let arn = role_arn(region, role.account, role.name);
    let mut builder = AssumeRoleProvider::builder(arn.clone())
        .session_name(role.session_name)
        .configure(base);
    if let Some(id) = role.external_id {
        builder = builder.external_id(id);
    }
    if let Some(d) = role.duration {
        builder = builder.session_length(d);
    }
    let provider = builder.build().await;
    provider
        .provide_credentials()
        .await
        .map_err(|e| anyhow::anyhow!("sts:AssumeRole {arn}: {}", describe_assume_role(&e)))?;
    Ok(base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_are_in_the_partition_of_the_region() {
        assert_eq!(
            role_arn("us-east-1", "111111111111", "inventory-reader"),
            "arn:aws:iam::111111111111:role/inventory-reader"
        );
        assert_eq!(
            role_arn("eu-central-2", "111111111111", "r"),
            "arn:aws:iam::111111111111:role/r"
        );
        assert_eq!(
            role_arn("cn-north-1", "222222222222", "reader"),
            "arn:aws-cn:iam::222222222222:role/reader"
        );
        assert_eq!(
            role_arn("cn-northwest-1", "222222222222", "reader"),
            "arn:aws-cn:iam::222222222222:role/reader"
        );
        assert_eq!(
            role_arn("us-gov-west-1", "333333333333", "reader"),
            "arn:aws-us-gov:iam::333333333333:role/reader"
        );
        assert_eq!(
            role_arn("us-gov-east-1", "333333333333", "reader"),
            "arn:aws-us-gov:iam::333333333333:role/reader"
        );
        // a commercial region whose name merely contains the letters
        assert_eq!(partition("ap-southeast-1"), "aws");
        assert_eq!(partition("us-east-2"), "aws");
    }
}
