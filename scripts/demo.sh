#!/usr/bin/env bash
# make demo: start octo-sim on a free loopback port with a seeded world and run real pipelines
# against it, printing each command before its output. No credentials, no network.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/target/debug
work=$(mktemp -d); SIM=
cleanup() { [ -n "$SIM" ] && kill "$SIM" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$BIN/octo-sim" serve --port 0 --seed 7 >"$work/url" 2>"$work/sim.log" & SIM=$!
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
[ -s "$work/url" ] || { echo "octo-sim did not start:"; cat "$work/sim.log"; exit 1; }
export HALO_API_URL=$(head -1 "$work/url")
export HALO_API_KEY=sim-read-key HALO_API_SECRET_KEY=sim-read-secret-0000   # the simulator's demo key
export PATH="$BIN:$PATH"
echo "octo-sim is serving a simulated Halo account at $HALO_API_URL"

run() { printf '\n\033[1m$ %s\033[0m\n' "$*"; bash -c "$*"; }

run "halo-query groups -o table"
run "halo-query servers --group Root/Prod/Web -o table"
ip=$(halo-query servers --group Root/Prod/Web -c connecting_ip_address -o csv | sed -n 2p)
run "halo-query servers --ip $ip -o table -c id,hostname,connecting_ip_address,group_path"
host=$(halo-query servers --group Root/Prod/Web -c hostname -o csv | sed -n 2p)
run "halo-query server $host -o json | head -n 40"
run "halo-query events --date yesterday --critical -o csv -c type | tail -n +2 | sort | uniq -c | sort -rn"
run "halo-query events --date yesterday --critical --type lids_rule_failed -o table -c created_at,server_hostname,message | head -n 8"
run "halo-query firewall-policy --group Root/Prod/Web | fw-graph --policy - --format mermaid | head -n 20"
run "halo-query firewall-policy --group Root/Prod/Web | fw-graph --policy - --group-name Web -o $work/web-fw.svg && ls -l $work/web-fw.svg | awk '{print \$5\" bytes of SVG\"}'"
run "halo-query doctor -o json | head -n 12"
echo
echo "demo finished; octo-sim stopped."
