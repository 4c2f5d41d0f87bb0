#!/usr/bin/env bash
# Regenerates bin-docs/man/*.1 (one page per command and subcommand) and bin-docs/completions/*
# of every binary with its own `--generate` (as a user would), and README.md's environment table.
# Every crate with a src/main.rs is a binary; pages of subcommands that are gone are removed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/debug}
man=bin-docs/man comp=bin-docs/completions
mkdir -p "$man" "$comp"
for main in crates/*/src/main.rs; do
  bin=$(basename "$(dirname "$(dirname "$main")")")
  rm -f "$man/$bin.1" "$man/$bin"-*.1
  "$BIN/$bin" --generate man --out-dir "$man"
  "$BIN/$bin" --generate complete-bash > "$comp/$bin.bash"
  "$BIN/$bin" --generate complete-zsh > "$comp/_$bin"
  "$BIN/$bin" --generate complete-fish > "$comp/$bin.fish"
done
# README.md's environment table, from crates/octo-core/src/env.rs
OCTO_UPDATE_DOCS=1 cargo test --workspace --locked -q --lib readme_env_table_is_current >/dev/null
echo "bin-docs: regenerated man pages and completions; README env table" >&2
