//! Every environment variable octobox reads, in one place. The README's configuration table is
//! generated from [`ALL`] (`make docs`), so a variable that is not listed here does not exist.

/// One documented environment variable.
#[derive(Debug, Clone, Copy)]
pub struct EnvVar {
    pub name: &'static str,
    pub used_by: &'static str,
    pub help: &'static str,
    pub secret: bool,
}

macro_rules! vars {
    ($( $(#[$doc:meta])* $id:ident = $name:literal, $used:literal, $secret:literal, $help:literal; )*) => {
        $( $(#[$doc])* pub const $id: &str = $name; )*
        /// All variables, in documentation order.
        pub const ALL: &[EnvVar] = &[ $( EnvVar { name: $name, used_by: $used, help: $help, secret: $secret }, )* ];
    };
}

vars! {
    HALO_API_KEY = "HALO_API_KEY", "all Halo tools", false, "Halo API key id (read-only key: every read)";
    HALO_API_SECRET_KEY = "HALO_API_SECRET_KEY", "all Halo tools", true, "Secret of HALO_API_KEY";
    HALO_API_KEY_RW = "HALO_API_KEY_RW", "quarantine, ipblock (--apply)", false, "Halo full-access key id, used only by tools that write";
    HALO_API_SECRET_KEY_RW = "HALO_API_SECRET_KEY_RW", "quarantine, ipblock (--apply)", true, "Secret of HALO_API_KEY_RW";
    HALO_API_HOSTNAME = "HALO_API_HOSTNAME", "all Halo tools", false, "Halo API host (default api.cloudpassage.com), always https";
    HALO_API_PORT = "HALO_API_PORT", "all Halo tools", false, "Halo API port (default 443)";
    HALO_API_URL = "HALO_API_URL", "all Halo tools", false, "Full Halo base URL (e.g. http://127.0.0.1:PORT for octo-sim or a proxy); overrides HOSTNAME/PORT";
    HALO_MAX_RPS = "HALO_MAX_RPS", "all Halo tools", false, "Client-side request rate limit (requests per second, 0 = off)";
    HALO_CONCURRENCY = "HALO_CONCURRENCY", "all Halo tools", false, "Requests in flight at once (1-256, default 4)";
    HALO_TIMEOUT = "HALO_TIMEOUT", "all Halo tools", false, "Deadline of each Halo request in seconds (as --timeout; default 60); all retries of one request get three times as long";
    HALO_PROFILE = "HALO_PROFILE", "all Halo tools", false, "Named Halo profile (as --profile): the settings of halo.profiles.NAME in octo.yml";
    HTTPS_PROXY = "HTTPS_PROXY", "all HTTP tools", false, "Proxy for HTTPS requests (read by the HTTP client, reqwest; a user:password in it is never printed)";
    HTTPS_PROXY_LOWER = "https_proxy", "all HTTP tools", false, "Same as HTTPS_PROXY (reqwest reads both; HTTPS_PROXY wins)";
    HTTP_PROXY = "HTTP_PROXY", "all HTTP tools", false, "Proxy for plain-http requests (e.g. to octo-sim), read by reqwest (also `http_proxy`)";
    ALL_PROXY = "ALL_PROXY", "all HTTP tools", false, "Proxy for every request when no scheme-specific one is set, read by reqwest (also `all_proxy`)";
    NO_PROXY = "NO_PROXY", "all HTTP tools", false, "Hosts that bypass the proxy, comma-separated, read by reqwest (also `no_proxy`)";
    AWS_ROLE_NAME = "AWS_ROLE_NAME", "ec2-delta, octo-bot", false, "Role assumed in each account of AWS_ACCOUNT_NUMBERS";
    AWS_ACCOUNT_NUMBERS = "AWS_ACCOUNT_NUMBERS", "ec2-delta, octo-bot", false, "`;`-separated AWS account ids to inventory";
    AWS_ENDPOINT_URL = "AWS_ENDPOINT_URL", "ec2-delta, event-export, scan-export, octo-bot", false, "AWS endpoint override (moto in tests), read by the AWS SDK";
    AWS_ENDPOINT_URL_S3 = "AWS_ENDPOINT_URL_S3", "event-export, scan-export", false, "S3 endpoint override (wins over AWS_ENDPOINT_URL for S3), read by the AWS SDK";
    AWS_PROFILE = "AWS_PROFILE", "ec2-delta, event-export, scan-export, octo-bot", false, "Named profile of ~/.aws/config (as ec2-delta --profile; AWS SDK credential chain, role_arn + source_profile included)";
    AWS_CONFIG_FILE = "AWS_CONFIG_FILE", "ec2-delta, event-export, scan-export, octo-bot", false, "Path of the AWS config file (default ~/.aws/config), read by the AWS SDK";
    AWS_SHARED_CREDENTIALS_FILE = "AWS_SHARED_CREDENTIALS_FILE", "ec2-delta, event-export, scan-export, octo-bot", false, "Path of the AWS credentials file (default ~/.aws/credentials), read by the AWS SDK";
    AWS_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID", "ec2-delta, event-export, scan-export, octo-bot", false, "Static AWS credentials (AWS SDK credential chain)";
    AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY", "ec2-delta, event-export, scan-export, octo-bot", true, "Secret of AWS_ACCESS_KEY_ID";
    AWS_SESSION_TOKEN = "AWS_SESSION_TOKEN", "ec2-delta, event-export, scan-export, octo-bot", true, "Session token of temporary AWS credentials";
    AWS_REGION = "AWS_REGION", "ec2-delta, event-export, scan-export, octo-bot", false, "Default AWS region (also AWS_DEFAULT_REGION); ec2-delta's home region for STS and DescribeRegions";
    EVENTS_S3_BUCKET = "EVENTS_S3_BUCKET", "event-export", false, "Default destination bucket of event-export";
    JOB_COMPLETION_INDEX = "JOB_COMPLETION_INDEX", "event-export, scan-export", false, "Shard index with --shards (set by Kubernetes Indexed Jobs)";
    SCANS_S3_BUCKET = "SCANS_S3_BUCKET", "scan-export", false, "Default destination bucket of scan-export";
    SLACK_API_TOKEN = "SLACK_API_TOKEN", "slack-notify, octo-bot", true, "Slack bot token for chat.postMessage";
    SLACK_CHANNEL = "SLACK_CHANNEL", "slack-notify, octo-bot", false, "Default Slack channel (default `halo`); for octo-bot the id (C…) of the channel whose members it answers";
    SLACK_API_URL = "SLACK_API_URL", "slack-notify, octo-bot", false, "Slack API base URL (default https://slack.com/api)";
    SLACK_APP_TOKEN = "SLACK_APP_TOKEN", "octo-bot", true, "Slack app-level token (xapp-…, connections:write) for Socket Mode";
    SLACK_WEBHOOK_URL = "SLACK_WEBHOOK_URL", "slack-notify", true, "Slack incoming-webhook URL (instead of SLACK_API_TOKEN; its path is a secret)";
    OCTO_CONFIG = "OCTO_CONFIG", "all tools but ec2-delta", false, "Path of octo.yml (else $XDG_CONFIG_HOME/octobox/octo.yml)";
    XDG_CONFIG_HOME = "XDG_CONFIG_HOME", "all tools but ec2-delta", false, "Base of the default config paths: $XDG_CONFIG_HOME/octobox/octo.yml, $XDG_CONFIG_HOME/openstack/clouds.yaml (default ~/.config)";
    HOME = "HOME", "all tools", false, "Home directory: ~/.config when XDG_CONFIG_HOME is unset; ~/.aws for the AWS SDK";
    OS_CLOUD = "OS_CLOUD", "sec-takedown", false, "Cloud name in clouds.yaml + secure.yaml (as --os-cloud); each OS_* below that is set overrides that field of the cloud";
    OS_CLIENT_CONFIG_FILE = "OS_CLIENT_CONFIG_FILE", "sec-takedown", false, "clouds.yaml to read first (then ./clouds.yaml, ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml; also .yml, .json)";
    OS_CLIENT_SECURE_FILE = "OS_CLIENT_SECURE_FILE", "sec-takedown", false, "secure.yaml (secrets merged over clouds.yaml) to read first (then the clouds.yaml directories)";
    OS_AUTH_URL = "OS_AUTH_URL", "sec-takedown", false, "Keystone URL, e.g. https://keystone.example.org:5000/v3";
    OS_AUTH_TYPE = "OS_AUTH_TYPE", "sec-takedown", false, "`password`, `v3applicationcredential` or `token` (default: token when OS_TOKEN is set, else application credential when OS_APPLICATION_CREDENTIAL_ID/NAME is set)";
    OS_USERNAME = "OS_USERNAME", "sec-takedown", false, "OpenStack user name (password auth)";
    OS_USER_ID = "OS_USER_ID", "sec-takedown", false, "OpenStack user id (password auth, or owner of a named application credential)";
    OS_PASSWORD = "OS_PASSWORD", "sec-takedown", true, "OpenStack password";
    OS_USER_DOMAIN_NAME = "OS_USER_DOMAIN_NAME", "sec-takedown", false, "Domain of OS_USERNAME (default `Default`)";
    OS_USER_DOMAIN_ID = "OS_USER_DOMAIN_ID", "sec-takedown", false, "Domain id of OS_USERNAME";
    OS_PROJECT_NAME = "OS_PROJECT_NAME", "sec-takedown", false, "Project to scope the token to (an admin project)";
    OS_PROJECT_ID = "OS_PROJECT_ID", "sec-takedown", false, "Project id to scope the token to";
    OS_PROJECT_DOMAIN_NAME = "OS_PROJECT_DOMAIN_NAME", "sec-takedown", false, "Domain of OS_PROJECT_NAME (default `Default`)";
    OS_PROJECT_DOMAIN_ID = "OS_PROJECT_DOMAIN_ID", "sec-takedown", false, "Domain id of OS_PROJECT_NAME";
    OS_APPLICATION_CREDENTIAL_ID = "OS_APPLICATION_CREDENTIAL_ID", "sec-takedown", false, "Application credential id";
    OS_APPLICATION_CREDENTIAL_NAME = "OS_APPLICATION_CREDENTIAL_NAME", "sec-takedown", false, "Application credential name (needs OS_USER_ID or OS_USERNAME)";
    OS_APPLICATION_CREDENTIAL_SECRET = "OS_APPLICATION_CREDENTIAL_SECRET", "sec-takedown", true, "Application credential secret";
    OS_TOKEN = "OS_TOKEN", "sec-takedown", true, "An existing Keystone token (auth_type token/v3token), exchanged for one scoped to OS_PROJECT_NAME/ID";
    OS_CACERT = "OS_CACERT", "sec-takedown", false, "CA bundle (PEM) trusted alone for the OpenStack endpoints (a private CA)";
    OS_REGION_NAME = "OS_REGION_NAME", "sec-takedown", false, "Region of the catalog endpoints to use (default: the first)";
    OS_INTERFACE = "OS_INTERFACE", "sec-takedown", false, "Endpoint interface: public (default), internal or admin";
    FRESHDESK_DOMAIN = "FRESHDESK_DOMAIN", "sec-takedown", false, "FreshDesk domain (https://DOMAIN.freshdesk.com)";
    FRESHDESK_API_KEY = "FRESHDESK_API_KEY", "sec-takedown", true, "FreshDesk API key (else the `api_key` printed by takedown.credential_process in octo.yml)";
    FRESHDESK_URL = "FRESHDESK_URL", "sec-takedown", false, "FreshDesk base URL override (octo-sim)";
    NO_COLOR = "NO_COLOR", "all tools", false, "Disable colour (any value)";
    OCTO_LOG = "OCTO_LOG", "all tools but octo-sim", false, "Log filter (tracing EnvFilter syntax, e.g. `debug`)";
    OCTO_SIM_PORT = "OCTO_SIM_PORT", "octo-sim", false, "Port of `octo-sim serve` (as --port; 0 = any free port)";
    OCTO_SIM_HOST = "OCTO_SIM_HOST", "octo-sim", false, "Address `octo-sim serve` binds (as --host; default 127.0.0.1)";
    FUZZ_SECONDS = "FUZZ_SECONDS", "tests (make fuzz)", false, "Seconds each fuzz target of the octo-fuzz crate runs (`make fuzz` sets 60; unset: 200 fixed seeds each, as in `make test`)";
    ARBTEST_SEED = "ARBTEST_SEED", "tests (octo-fuzz)", false, "Replay one fuzz case: the seed a failing target printed (read by arbtest)";
    UPDATE_GOLDEN = "UPDATE_GOLDEN", "tests (fw-graph)", false, "Set to rewrite fw-graph's golden files instead of comparing with them";
    MOTO_SERVER = "MOTO_SERVER", "tests", false, "The moto_server to run (set by scripts/moto-env.sh; default the one on PATH)";
    OCTO_CLIENTS_PYTHON = "OCTO_CLIENTS_PYTHON", "tests (official clients)", false, "The python of the official clients' venv (set by scripts/clients-env.sh)";
    OCTO_UPDATE_DOCS = "OCTO_UPDATE_DOCS", "tests (make docs)", false, "Set by `make docs`: the README env-table test rewrites the table instead of failing";
    RUST_LOG = "RUST_LOG", "octo-sim", false, "octo-sim's log filter (tracing EnvFilter syntax; default `info`)";
}

// The only place that reads the process environment (clippy.toml forbids `std::env::var*`
// elsewhere): every name read here is one of [`ALL`].

/// The value of an environment variable, `None` when unset, empty or only white space.
pub fn var_nonempty(name: &str) -> Option<String> {
    debug_assert!(
        is_declared(name),
        "{name} is not declared in octo_core::env"
    );
    #[allow(clippy::disallowed_methods)] // the one reader of the environment
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Whether an environment variable is set at all (even empty), as `NO_COLOR` is meant.
pub fn is_set(name: &str) -> bool {
    debug_assert!(
        is_declared(name),
        "{name} is not declared in octo_core::env"
    );
    #[allow(clippy::disallowed_methods)] // the one reader of the environment
    std::env::var_os(name).is_some()
}

/// A path from an environment variable, `None` when unset or empty (not necessarily UTF-8).
pub fn path_nonempty(name: &str) -> Option<std::path::PathBuf> {
    debug_assert!(
        is_declared(name),
        "{name} is not declared in octo_core::env"
    );
    #[allow(clippy::disallowed_methods)] // the one reader of the environment
    std::env::var_os(name)
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from)
}

/// `$XDG_CONFIG_HOME`, else `$HOME/.config`; `None` when neither is set.
pub fn user_config_dir() -> Option<std::path::PathBuf> {
    path_nonempty(XDG_CONFIG_HOME).or_else(|| path_nonempty(HOME).map(|h| h.join(".config")))
}

/// Whether `name` is one of the documented variables.
pub fn is_declared(name: &str) -> bool {
    ALL.iter().any(|v| v.name == name)
}

/// Names of variables that hold secrets (never printed).
pub fn secret_names() -> impl Iterator<Item = &'static str> {
    ALL.iter().filter(|v| v.secret).map(|v| v.name)
}

/// The README's environment table, generated from [`ALL`].
pub fn markdown_table() -> String {
    let mut out = String::from("| variable | used by | meaning |\n|---|---|---|\n");
    for v in ALL {
        let secret = if v.secret {
            " (secret: never printed)"
        } else {
            ""
        };
        out.push_str(&format!(
            "| `{}` | {} | {}{secret} |\n",
            v.name,
            v.used_by,
            v.help.replace('|', "\\|")
        ));
    }
    out
}

const TABLE_START: &str =
    "<!-- env-table: generated from crates/octo-core/src/env.rs by `make docs` -->\n";
const TABLE_END: &str = "<!-- env-table end -->\n";

/// `readme` with the text between the env-table markers replaced by [`markdown_table`]; `None`
/// when the markers are missing.
pub fn splice_readme(readme: &str) -> Option<String> {
    let start = readme.find(TABLE_START)? + TABLE_START.len();
    let end = readme[start..].find(TABLE_END)? + start;
    Some(format!(
        "{}{}{}",
        &readme[..start],
        markdown_table(),
        &readme[end..]
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_unique_and_declared() {
        let mut names: Vec<&str> = super::ALL.iter().map(|v| v.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a variable is declared twice");
        assert!(super::is_declared("XDG_CONFIG_HOME") && super::is_declared("OCTO_SIM_PORT"));
        assert!(!super::is_declared("OCTO_GENERATE_DOCS"));
    }

    /// The README's table is the generated one; `OCTO_UPDATE_DOCS=1` rewrites it (`make docs`).
    #[test]
    fn readme_env_table_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let fresh = super::splice_readme(&readme).expect("README has the env-table markers");
        if super::is_set(super::OCTO_UPDATE_DOCS) {
            std::fs::write(path, &fresh).unwrap();
        } else {
            assert!(
                fresh == readme,
                "README.md env table is stale: run `make docs`"
            );
        }
    }
}
