//! What ec2-delta's test files share: the two moto accounts and the role between them.

use aws_config::SdkConfig;
use octo_testkit::Moto;

/// moto's default account, the caller's own.
pub const BASE: &str = "123456789012";
/// The other account, reached through AssumeRole.
pub const OTHER: &str = "111111111111";
/// The role in OTHER that ec2-delta (and the seeding) assumes.
pub const ROLE: &str = "inventory-reader";

/// us-east-1 against no Halo server, as JSON Lines.
pub const US_EAST_1_NO_HALO: [&str; 6] = [
    "--regions",
    "us-east-1",
    "--halo-servers",
    "-",
    "-o",
    "jsonl",
];

/// An SDK configuration on moto in `region` with the credentials of ROLE in OTHER, assumed with
/// the keys of BASE: what the tests seed OTHER's instances with.
pub async fn other_account_cfg(moto: &Moto, region: &str) -> SdkConfig {
    moto.assumed_config(OTHER, ROLE, region).await
}
