//! octo-sim binary: serve the simulated APIs until SIGINT/SIGTERM.

use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use octo_sim::cli::{Cli, Cmd, ServeArgs};
use octo_sim::{Faults, READ_KEY, Sim, SimConfig, WRITE_KEY};

fn main() -> ExitCode {
    let cli: Cli = match octo_sim::cli::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
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
            max_in_flight: a.max_in_flight,
            hostile: a.hostile,
        },
        nova_max_microversion: a.nova_max_microversion,
        keystone_token_ttl_ms: a.keystone_token_ttl * 1000,
        ..SimConfig::default()
    };
    // Listen for the signals before the URL is printed: whoever reads the URL
    // may send SIGTERM at once, and it must find the handler in place.
    let shutdown = shutdown_signal()?;
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
    shutdown.await;
    tracing::info!("shutting down");
    drop(sim);
    Ok(())
}

/// Registers the SIGINT/SIGTERM handlers now and returns the future that
/// completes when either arrives.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
