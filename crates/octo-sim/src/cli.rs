//! The `octo-sim` command line (its flags are also the source of its man page and completions).

use std::net::IpAddr;

use clap::{CommandFactory, Parser, Subcommand};

const AFTER_HELP: &str = concat!(
    "Demo keys (printed here on purpose: they only open this simulator):\n",
    "  read-only   HALO_API_KEY=sim-read-key      HALO_API_SECRET_KEY=sim-read-secret-0000\n",
    "  read-write  HALO_API_KEY_RW=sim-rw-key     HALO_API_SECRET_KEY_RW=sim-rw-secret-0000\n",
    "  OpenStack   OS_AUTH_URL=$URL/identity OS_USERNAME=secops OS_PASSWORD=sim-os-password-0000\n",
    "              OS_PROJECT_NAME=admin (or OS_APPLICATION_CREDENTIAL_ID=0c5f3e1b2a4d4e6f8a9b0c1d2e3f4a5b\n",
    "              OS_APPLICATION_CREDENTIAL_SECRET=sim-appcred-secret-0000)\n",
    "  FreshDesk   FRESHDESK_URL=$URL FRESHDESK_API_KEY=sim-freshdesk-key-0000\n",
    "\n",
    "Examples:\n",
    "  octo-sim serve --seed 7 > /tmp/sim.url &      # first stdout line is the base URL\n",
    "  export HALO_API_URL=$(head -1 /tmp/sim.url)\n",
    "  curl -s -u sim-read-key:sim-read-secret-0000 -X POST \\\n",
    "       \"$HALO_API_URL/oauth/access_token?grant_type=client_credentials\"\n",
    "  curl -s \"$HALO_API_URL/_sim/state\"            # servers, zones, mutation log, request counters\n",
    "  octo-sim serve --rate-429 0.2 --retry-after 1 --drop-rate 0.05   # flaky API\n",
    "  octo-sim serve --hostile null-list@/v1/events,looping-next      # a hostile API\n",
    "\n",
    "Test hooks (no auth, no faults): GET /_sim/state, POST /_sim/reset, PUT /_sim/faults,\n",
    "POST /_sim/events, POST /_sim/servers.\n",
    "\n",
    "Slack (demo token): SLACK_API_URL=$HALO_API_URL/api SLACK_API_TOKEN=xoxb-sim-slack-token-0000;\n",
    "webhook $HALO_API_URL/services/TSIM0000/BSIM0000/simwebhooksecret0000.\n",
);

#[derive(Parser, Debug)]
#[command(
    name = "octo-sim",
    version = concat!(env!("CARGO_PKG_VERSION"), " (rev ", env!("OCTO_GIT_REV"), ")"),
    about = "Local simulator of the APIs octobox speaks (Halo, OpenStack, FreshDesk, Slack) for tests and demos",
    long_about = "Local simulator of the APIs octobox speaks: CloudPassage Halo (OAuth client-credentials \
tokens, groups, servers, issues, events, scans, firewall policies and zones), OpenStack (Keystone, \
Nova, Glance, Neutron), FreshDesk and Slack. It serves a deterministic, seeded world over real \
HTTP, with fault injection. Test hooks live under /_sim/. Manual: bin-docs/octo-sim.md.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Serve until SIGINT/SIGTERM; the first line on stdout is the base URL.
    #[command(after_help = AFTER_HELP)]
    Serve(ServeArgs),
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Port to listen on (0 = any free port)
    #[arg(long, default_value_t = 0, env = "OCTO_SIM_PORT")]
    pub port: u16,
    /// Address to bind
    #[arg(long, default_value = "127.0.0.1", env = "OCTO_SIM_HOST")]
    pub host: IpAddr,
    /// World seed: same seed and day → same ids and content
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of seeded servers
    #[arg(long, default_value_t = 60)]
    pub servers: usize,
    /// Generated events per UTC day
    #[arg(long, default_value_t = 2000)]
    pub events_per_day: usize,
    /// Generated scans per UTC day
    #[arg(long, default_value_t = 100)]
    pub scans_per_day: usize,
    /// History days including today
    #[arg(long, default_value_t = 3)]
    pub days: u32,
    /// Access-token lifetime in seconds (expires_in)
    #[arg(long, default_value_t = 900)]
    pub token_ttl: u64,
    /// Highest page number served; deeper pages get 422
    #[arg(long, default_value_t = 100)]
    pub max_page_depth: u32,
    /// Added latency per API request, ms
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of API requests answered 429 with Retry-After (0.0-1.0)
    #[arg(long, default_value_t = 0.0)]
    pub rate_429: f64,
    /// Retry-After seconds on injected 429s
    #[arg(long, default_value_t = 1)]
    pub retry_after: u64,
    /// Share of API requests answered 500/502/503 (0.0-1.0)
    #[arg(long, default_value_t = 0.0)]
    pub rate_5xx: f64,
    /// Share of API requests whose connection is dropped without a response (0.0-1.0)
    #[arg(long, default_value_t = 0.0)]
    pub drop_rate: f64,
    /// Highest Nova microversion served and advertised by GET /compute/v2.1 (below 2.73 a
    /// lock takes no reason; above it → 406)
    #[arg(long, default_value = "2.96", value_parser = crate::parse_microversion, value_name = "X.Y")]
    pub nova_max_microversion: (u32, u32),
    /// Lifetime of Keystone tokens in seconds (a short one tests a client's token renewal)
    #[arg(long, default_value_t = 3600, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub keystone_token_ttl: u64,
    /// Most faults in a row for the same request (method + URL), 0 = unbounded (an outage)
    #[arg(long, default_value_t = 3)]
    pub max_faults_in_a_row: u32,
    /// Most API requests served at once: one more is answered 429 (no Retry-After); 0 = no limit
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub max_in_flight: u32,
    /// Hostile mode: mutate Halo answers (KNOB or KNOB@PATH, comma-separated; see --help)
    #[arg(long, value_name = "KNOB[@PATH]", value_delimiter = ',', long_help = crate::hostile::HELP)]
    pub hostile: Vec<crate::hostile::Hostile>,
}

/// The clap command: flags and `--generate` (parsing, help, man pages, completions).
pub fn command() -> clap::Command {
    crate::docs::with_generate(Cli::command())
}

/// Parse the command line: `Ok(cli)` to run, or `Err(code)` when `--generate` was answered or
/// clap printed help, version or an error. `--generate` needs no subcommand.
pub fn parse() -> Result<Cli, std::process::ExitCode> {
    use clap::FromArgMatches as _;
    let clap_exit = |e: clap::Error| {
        let _ = e.print();
        std::process::ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
    };
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cmd = command();
    if let Some(words) = crate::docs::generate_words(&args) {
        let only = crate::docs::with_generate(clap::Command::new("octo-sim"));
        let matches = only.try_get_matches_from(words).map_err(clap_exit)?;
        return Err(crate::docs::handle(&cmd, &matches).unwrap_or(std::process::ExitCode::from(2)));
    }
    let matches = cmd.clone().try_get_matches_from(&args).map_err(clap_exit)?;
    Cli::from_arg_matches(&matches).map_err(|e| clap_exit(e.format(&mut cmd.clone())))
}
