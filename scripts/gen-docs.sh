#!/usr/bin/env bash
# Regenerates bin-docs/man/*.1 and bin-docs/completions/* from the clap definitions of every binary
# (every crate whose src/main.rs calls octo_core::docs::handle_env).
set -euo pipefail
cd "$(dirname "$0")/.."
for main in crates/*/src/main.rs; do
  grep -q 'docs::handle_env' "$main" || continue
  bin=$(basename "$(dirname "$(dirname "$main")")")
  OCTO_GENERATE_DOCS=bin-docs "target/debug/$bin"
done
# README.md's environment table, from crates/octo-core/src/env.rs
OCTO_UPDATE_DOCS=1 cargo test --workspace --locked -q --lib readme_env_table_is_current >/dev/null
echo "bin-docs: regenerated man pages and completions; README env table" >&2
