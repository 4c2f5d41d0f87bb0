//! octo-response: what the response tools `quarantine`, `ipblock` and `slack-notify` share —
//! and nothing that only one of them uses (each tool keeps its own rules section type and action
//! record type).
//!
//! - [`events`]: known event types ([`events::EventType`]), the [`events::Trigger`] rule, and the
//!   event source (JSON Lines or the Halo API's `/v1/events`, with `--follow` and `--cursor-file`)
//! - [`action`]: the status of an action record, the tally, and [`action::ActionOut`], which prints
//!   a mutating tool's action records and its summary
//! - [`config`]: loading one tool's section of octo.yml (an OCTOBOX `octo_conf.yml` works unchanged)
//! - [`client`], [`check_enabled`], [`check_no_input_with_subcommand`]: the Halo client, the
//!   `enabled:` switch and the flag checks of the mutating tools

pub mod action;
pub mod config;
pub mod events;

use octo_core::config::HaloArgs;
use octo_core::exit::usage;
use octo_core::halo::{Access, HaloClient};

/// The Halo client of a mutating tool: the read-only key for a plan; with `--apply` only the
/// full-access key, checked up front to really be one.
pub async fn client(args: &HaloArgs, apply: bool, tool: &str) -> anyhow::Result<HaloClient> {
    let cfg = args.resolve()?;
    let access = if apply { Access::Write } else { Access::Read };
    let halo = HaloClient::new(&cfg, access, tool)?;
    if apply {
        halo.require_write_scope().await?;
    }
    Ok(halo)
}

/// The `enabled:` switch of a section: off → `--apply` is refused, a plan is still shown (with a
/// warning), so a disabled rule can be tried safely.
pub fn check_enabled(
    path: &std::path::Path,
    section: &str,
    enabled: bool,
    apply: bool,
) -> anyhow::Result<()> {
    let p = path.display();
    if !enabled && apply {
        return Err(usage(format!(
            "{p}: {section}.enabled is false: refusing --apply (without --apply the plan is shown)"
        )));
    }
    if !enabled {
        tracing::warn!("{p}: {section}.enabled is false: showing the plan only");
    }
    Ok(())
}

/// Flags that read events make no sense with a subcommand (release, expire, unblock).
pub fn check_no_input_with_subcommand(
    has_subcommand: bool,
    input: &events::EventInputArgs,
) -> anyhow::Result<()> {
    if has_subcommand && (input.from_halo || input.input.is_some()) {
        return Err(usage(
            "--from-halo and --input read events: they do not go with a subcommand",
        ));
    }
    Ok(())
}
