#!/usr/bin/env bash
# Benchmarks print figures and ratios; nothing here asserts timings.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
for b in scripts/bench-*.sh; do echo "== $b"; bash "$b"; done
