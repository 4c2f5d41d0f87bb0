#!/usr/bin/env bash
# Reads one simulated busy day (50,000 events, 5 ms latency per request) with halo-query and prints
# events/s at --max-in-flight 1 and 4 (the time-series cursor is sequential per window, so this
# mostly measures per-request overhead).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d); trap 'kill $SIM 2>/dev/null || true; rm -rf "$out"' EXIT
"${BIN:-target/release}"/octo-sim serve --port 0 --events-per-day 50000 --latency-ms 5 >"$out/url" 2>"$out/sim.log" & SIM=$!
for _ in $(seq 100); do [ -s "$out/url" ] && break; sleep 0.1; done
export HALO_API_URL=$(head -1 "$out/url") HALO_API_KEY=sim-read-key HALO_API_SECRET_KEY=sim-read-secret-0000
for c in 1 4; do
  start=$(date +%s.%N)
  n=$("${BIN:-target/release}"/halo-query events --date yesterday --max-in-flight $c | wc -l)
  end=$(date +%s.%N)
  awk -v n="$n" -v s="$start" -v e="$end" -v c="$c" 'BEGIN{printf "halo-query events: %d events in %.2fs = %.0f events/s (max-in-flight %d)\n", n, e-s, n/(e-s), c}'
done
