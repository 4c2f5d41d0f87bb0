#!/usr/bin/env bash
# event-export throughput and memory against octo-sim (20 ms latency per request, 200,000 events
# in the day): --concurrency 1 and the default (16), and the original archiver's way as a reference
# (sequential pages of 100 via the time cursor, batches of 10,000 events gzipped per file).
# Then peak RSS at 1,000,000 events (no latency) to show memory stays flat. Prints, asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-$PWD/target/release}
out=$(mktemp -d); SIM=
trap '[ -n "$SIM" ] && kill $SIM 2>/dev/null; rm -rf "$out"' EXIT
start_sim() {
  [ -n "$SIM" ] && kill $SIM 2>/dev/null && wait $SIM 2>/dev/null || true
  "$BIN/octo-sim" serve --port 0 "$@" >"$out/url" 2>"$out/sim.log" & SIM=$!
  for _ in $(seq 300); do [ -s "$out/url" ] && break; sleep 0.1; done
  export HALO_API_URL=$(head -1 "$out/url")
}
export HALO_API_KEY=sim-read-key HALO_API_SECRET_KEY=sim-read-secret-0000
# measure NAME CMD…: wall seconds and peak RSS (KiB) of CMD
measure() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$out/time" "$@" >/dev/null 2>"$out/err" || { cat "$out/err"; return 1; }
  read -r secs rss <"$out/time"
  echo "$name $secs $rss"
}
report() { # name secs rss events
  awk -v n="$1" -v s="$2" -v r="$3" -v e="$4" 'BEGIN{printf "%-34s %8.0f events/s  %6.2f s  peak RSS %6.1f MiB\n", n, e/s, s, r/1024}'
}

start_sim --events-per-day 200000 --latency-ms 20
day=$(date -u -d yesterday +%F)
events=$("$BIN/halo-query" events --date "$day" --max-in-flight 8 | wc -l)
echo "day $day: $events events, 20 ms per request"

rm -rf "$out/c1"; read -r _ s1 r1 < <(measure c1 "$BIN/event-export" --date "$day" --to "$out/c1" --concurrency 1)
report "event-export --concurrency 1" "$s1" "$r1" "$events"
rm -rf "$out/c8"; read -r _ s8 r8 < <(measure c8 "$BIN/event-export" --date "$day" --to "$out/c8")
report "event-export (default, 16)" "$s8" "$r8" "$events"
mkdir -p "$out/ref"
read -r _ sr rr < <(measure ref bash -c "'$BIN/halo-query' events --date $day --max-in-flight 1 | (cd '$out/ref' && split -l 10000 -d - Halo-Events_ && gzip Halo-Events_*)")
report "reference: sequential, 10k batches" "$sr" "$rr" "$events"
awk -v a="$sr" -v b="$s8" -v c="$s1" 'BEGIN{printf "speed-up vs reference: %.1fx (default), %.1fx (--concurrency 1)\n", a/b, a/c}'
cmp <(cd "$out/c1" && find . -name '*.gz' | sort | xargs cat | gzip -dc | md5sum) \
    <(cd "$out/c8" && find . -name '*.gz' | sort | xargs cat | gzip -dc | md5sum) >/dev/null \
  && echo "concurrency 1 and 16 wrote the same records"

start_sim --events-per-day 1000000
big=$("$BIN/halo-query" events --date "$day" --max-in-flight 8 | wc -l)
rm -rf "$out/big"; read -r _ sb rb < <(measure big "$BIN/event-export" --date "$day" --to "$out/big")
report "event-export 1M events, no latency" "$sb" "$rb" "$big"
awk -v a="$r8" -v b="$rb" 'BEGIN{printf "peak RSS 200k → 1M events: %.1f → %.1f MiB\n", a/1024, b/1024}'
