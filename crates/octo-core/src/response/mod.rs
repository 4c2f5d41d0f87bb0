//! Automated response shared by `quarantine`, `ipblock` and `slack-notify`.
//!
//! - [`rules`]: the `quarantine`, `ipblocker` and `notify` sections of octo.yml (an OCTOBOX
//!   `octo_conf.yml` is accepted unchanged), validated with errors that name the key and line
//! - [`events`]: known event types, rule matching, and the event source (JSONL or the Halo API)
//! - [`action`]: the action records mutating tools print (`<tool>.action/v1`)
//! - [`ip`]: offending-IP extraction, CIDRs and the never-block policy

pub mod action;
pub mod events;
pub mod ip;
pub mod rules;

use crate::config::HaloArgs;
use crate::exit::usage;
use crate::halo::{Access, HaloClient};

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
