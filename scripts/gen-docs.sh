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
echo "bin-docs: regenerated man pages and completions" >&2
