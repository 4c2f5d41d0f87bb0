#!/usr/bin/env bash
# Regenerates bin-docs/man/*.1 and bin-docs/completions/* from the clap definitions of every binary.
set -euo pipefail
cd "$(dirname "$0")/.."
for bin in halo-query fw-graph; do
  OCTO_GENERATE_DOCS=bin-docs "target/debug/$bin"
done
echo "bin-docs: regenerated man pages and completions" >&2
