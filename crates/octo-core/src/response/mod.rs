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
