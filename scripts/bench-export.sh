#!/usr/bin/env bash
# Issue 17: event-export and scan-export side by side with models of the originals' data paths
# (scripts/bench-originals.py on the official CloudPassage SDK: events through TimeSeries, a
# sequential time cursor with ≤ 10 threads; scans in batches of 30 with 10 threads and one
# request per finding) against octo-sim answering every request in $LATENCY ms (default 50).
# Prints wall time, the ratio to the original, the requests the simulator counted, the
# effective parallelism (requests × latency ÷ wall time) and the wall time against its bound
# (requests × mean latency ÷ the requests allowed in flight on average, from the tool's `-v`); then peak RSS at $BIG events (default
# 1,000,000; BIG=0 skips) to a folder and to S3 (moto), and at $BIG_SCANS scans (default 5,000).
# Release binaries by default (BIN=target/debug to use the debug build).
# Benchmarks print; nothing here asserts timings.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$PWD/target/release}
LATENCY=${LATENCY:-50}
EVENTS=${EVENTS:-25000}
SCANS=${SCANS:-900}
BIG=${BIG:-1000000}
# shellcheck source=clients-env.sh
source scripts/clients-env.sh
out=$(mktemp -d); SIM=
trap '[ -n "$SIM" ] && kill $SIM 2>/dev/null; rm -rf "$out"' EXIT
start_sim() {
  [ -n "$SIM" ] && kill $SIM 2>/dev/null && wait $SIM 2>/dev/null || true
  "$BIN/octo-sim" serve --port 0 "$@" >"$out/url" 2>"$out/sim.log" & SIM=$!
  for _ in $(seq 600); do [ -s "$out/url" ] && break; sleep 0.1; done
  HALO_API_URL=$(head -1 "$out/url"); export HALO_API_URL
}
export HALO_API_KEY=sim-read-key HALO_API_SECRET_KEY=sim-read-secret-0000
sim_requests() {
  curl -fsS "$HALO_API_URL/_sim/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"]["total"])'
}
sim_reset() { curl -fsS -X POST "$HALO_API_URL/_sim/reset" >/dev/null; }
# row NAME SECS REQUESTS [REFERENCE_SECS [BOUND]]: BOUND is the tool's own "Nx the bound"
row() {
  awk -v n="$1" -v s="$2" -v r="$3" -v ref="${4:-}" -v b="${5:-}" -v l="$LATENCY" 'BEGIN{
    ratio = ref == "" ? "" : sprintf("%5.1fx", ref / s)
    bound = b == "" ? "" : sprintf("  wall %.2fx its bound", b)
    printf "  %-36s %7.2f s %7d requests  parallelism %5.1f  %s%s\n", n, s, r, r * l / 1000 / s, ratio, bound }'
}
# ours NAME TOOL ARGS…: one export into a fresh folder; prints "secs requests"
ours() {
  local tool=$1; shift
  rm -rf "$out/dest"; sim_reset
  local t0 t1
  t0=$(date +%s.%N)
  "$BIN/$tool" --date "$day" --to "$out/dest" -v "$@" >/dev/null 2>"$out/err" || { cat "$out/err"; return 1; }
  t1=$(date +%s.%N)
  grep '^done: ' "$out/err" | tail -1 >&2
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}') $(sim_requests)" \
    "$(sed -n 's/^done: .*(\([0-9.]*\)x the bound).*/\1/p' "$out/err" | tail -1)"
}
# original WHAT: the model on the SDK; prints "secs requests"
original() {
  sim_reset
  local recs secs
  read -r recs secs < <("$OCTO_CLIENTS_PYTHON" scripts/bench-originals.py "$HALO_API_URL" "$1" "$day")
  echo "$secs $(sim_requests)"
}

day=$(date -u -d yesterday +%F)
start_sim --events-per-day "$EVENTS" --scans-per-day "$SCANS" --latency-ms "$LATENCY"
echo "$day: $EVENTS events, $SCANS scans a day, $LATENCY ms per request, binaries in $BIN"
for kind in events scans; do
  tool=event-export; [ "$kind" = scans ] && tool=scan-export
  read -r so ro < <(original "$kind")
  echo "$kind:"
  row "original (model on the SDK)" "$so" "$ro"
  read -r s r b < <(ours "$tool"); row "$tool (default: auto)" "$s" "$r" "$so" "$b"
  read -r s r b < <(ours "$tool" --concurrency 16); row "$tool --concurrency 16" "$s" "$r" "$so" "$b"
  read -r s r b < <(ours "$tool" --concurrency 64); row "$tool --concurrency 64" "$s" "$r" "$so" "$b"
done

# peak TOOL LABEL DEST: peak RSS of one quiet export of yesterday to DEST
peak() {
  /usr/bin/time -f '%e %M' -o "$out/time" "$BIN/$1" --date "$day" --to "$3" -q
  read -r secs rss <"$out/time"
  awk -v l="$2" -v s="$secs" -v r="$rss" 'BEGIN{printf "%-52s %6.1f s, peak RSS %.1f MiB\n", l, s, r / 1024}'
}
if [ "$BIG" -gt 0 ]; then
  echo "peak RSS (no latency; the issue's bound is 32 MiB, flat in volume):"
  start_sim --events-per-day "$BIG"
  rm -rf "$out/big"; peak event-export "event-export, $BIG events, local folder" "$out/big"
  # the same day to S3 (moto on loopback): parts spool to TMPDIR, not memory
  # shellcheck source=moto-env.sh
  source scripts/moto-env.sh
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$MOTO_SERVER" -H 127.0.0.1 -p "$port" >"$out/moto.log" 2>&1 & MOTO=$!
  trap '[ -n "$SIM" ] && kill $SIM 2>/dev/null; kill $MOTO 2>/dev/null; rm -rf "$out"' EXIT
  until curl -fs -o /dev/null "http://127.0.0.1:$port/moto-api/"; do sleep 0.1; done
  export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench \
    AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null \
    AWS_SHARED_CREDENTIALS_FILE=/dev/null
  curl -fs -X PUT "http://127.0.0.1:$port/bench-big" >/dev/null
  peak event-export "event-export, $BIG events, S3" s3://bench-big/events
  BIG_SCANS=${BIG_SCANS:-5000}
  start_sim --scans-per-day "$BIG_SCANS" --events-per-day 10
  rm -rf "$out/big"; peak scan-export "scan-export, $BIG_SCANS scans, local folder" "$out/big"
fi
