//! fw-graph: draw a Halo firewall policy as a graph, from the command line.
//!
//! The engine (parse, build, lay out, render) is the library crate `octo-fwgraph`, re-exported
//! here whole; octo-bot draws its `firewall` answer with it too. [`cli`] is the command line
//! ([`Cli`], [`run`]).

pub mod cli;

pub use cli::{Cli, command, run};
pub use octo_fwgraph::*;
