//! octo-sim binary: serve the simulated APIs until SIGINT/SIGTERM.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use octo_sim::{Faults, READ_KEY, Sim, SimConfig, WRITE_KEY};

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
    version,
    about = "Local simulator of the CloudPassage Halo API for octobox tests and demos",
    long_about = "Local simulator of the CloudPassage Halo API (OAuth client-credentials tokens, \
groups, servers, issues, events, scans, firewall policies and zones) serving a deterministic, \
seeded world over real HTTP, with fault injection. Test hooks live under /_sim/.",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Serve until SIGINT/SIGTERM; the first line on stdout is the base URL.
    #[command(after_help = AFTER_HELP)]
    Serve(ServeArgs),
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Port to listen on (0 = any free port)
    #[arg(long, default_value_t = 0, env = "OCTO_SIM_PORT")]
    port: u16,
    /// Address to bind
    #[arg(long, default_value = "127.0.0.1", env = "OCTO_SIM_HOST")]
    host: IpAddr,
    /// World seed: same seed and day → same ids and content
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of seeded servers
    #[arg(long, default_value_t = 60)]
    servers: usize,
    /// Generated events per UTC day
    #[arg(long, default_value_t = 2000)]
    events_per_day: usize,
    /// Generated scans per UTC day
    #[arg(long, default_value_t = 100)]
    scans_per_day: usize,
    /// History days including today
    #[arg(long, default_value_t = 3)]
    days: u32,
    /// Access-token lifetime in seconds (expires_in)
    #[arg(long, default_value_t = 900)]
    token_ttl: u64,
    /// Highest page number served; deeper pages get 422
    #[arg(long, default_value_t = 100)]
    max_page_depth: u32,
    /// Added latency per API request, ms
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of API requests answered 429 with Retry-After (0.0-1.0)
    #[arg(long, default_value_t = 0.0)]
    rate_429: f64,
    /// Retry-After seconds on injected 429s
    #[arg(long, default_value_t = 1)]
    retry_after: u64,
    /// Share of API requests answered 500/502/503 (0.0-1.0)
    #[arg(long, default_value_t = 0.0)]
    rate_5xx: f64,
    /// Share of API requests whose connection is dropped without a response (0.0-1.0)
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Most faults in a row for the same request (method + URL), 0 = unbounded (an outage)
    #[arg(long, default_value_t = 3)]
    max_faults_in_a_row: u32,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let Cmd::Serve(args) = cli.cmd;
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("octo-sim: {e:#}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("octo-sim: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn serve(a: ServeArgs) -> anyhow::Result<()> {
    for (name, v) in [
        ("--rate-429", a.rate_429),
        ("--rate-5xx", a.rate_5xx),
        ("--drop-rate", a.drop_rate),
    ] {
        anyhow::ensure!(
            (0.0..=1.0).contains(&v),
            "{name} must be between 0 and 1, got {v}"
        );
    }
    let cfg = SimConfig {
        seed: a.seed,
        servers: a.servers,
        events_per_day: a.events_per_day,
        scans_per_day: a.scans_per_day,
        days: a.days,
        now: None,
        token_ttl_secs: a.token_ttl,
        max_page_depth: a.max_page_depth,
        faults: Faults {
            latency_ms: a.latency_ms,
            rate_429: a.rate_429,
            retry_after_secs: a.retry_after,
            rate_5xx: a.rate_5xx,
            drop_rate: a.drop_rate,
            max_in_a_row: a.max_faults_in_a_row,
        },
        ..SimConfig::default()
    };
    let sim = Sim::start_on(cfg, SocketAddr::new(a.host, a.port)).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", sim.url())?;
        out.flush()?;
    }
    tracing::info!(
        "read key {}:{}, read-write key {}:{}",
        READ_KEY.0,
        READ_KEY.1,
        WRITE_KEY.0,
        WRITE_KEY.1
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    drop(sim);
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
