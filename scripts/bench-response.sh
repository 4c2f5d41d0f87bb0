#!/usr/bin/env bash
# Events/s through quarantine and ipblock planning (no --apply) on 1,000,000 generated events read
# from a file, against octo-sim. ~5% of the events match each tool's rules; the API is only asked
# about distinct servers / addresses, so this measures the per-event path (JSON parse, rule match,
# IP extraction and validation, dedupe) and record output. Prints figures; asserts nothing.
# N=200000 bash scripts/bench-response.sh for a quicker run.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
BIN=${BIN:-target/release}
out=$(mktemp -d); trap 'kill $SIM 2>/dev/null || true; rm -rf "$out"' EXIT
"$BIN/octo-sim" serve --port 0 --events-per-day 100 >"$out/url" 2>"$out/sim.log" & SIM=$!
for _ in $(seq 100); do [ -s "$out/url" ] && break; sleep 0.1; done
export HALO_API_URL=$(head -1 "$out/url") HALO_API_KEY=sim-read-key HALO_API_SECRET_KEY=sim-read-secret-0000
unset HALO_API_KEY_RW HALO_API_SECRET_KEY_RW OCTO_CONFIG
"$BIN/halo-query" servers --state all --columns id,group_name --format csv | tail -n +2 >"$out/servers.csv"
cat >"$out/octo.yml" <<'YAML'
quarantine:
  enabled: true
  trigger_group_names: [q-test]
  quarantine_group_name: Quarantine
  trigger_events: [lids_rule_failed]
  trigger_only_on_critical: true
  max_moves_per_run: 1000
ipblocker:
  enabled: true
  ip_zone_name: halo-ipblocker
  trigger_events: [lids_rule_failed]
  trigger_only_on_critical: true
  max_zone_entries: 100000
YAML
awk -F, -v n="$N" 'BEGIN { srand(1) }
  { ids[c] = $1; groups[c] = $2; c++ }
  END {
    split("lids_rule_failed fim_target_integrity_changed sca_rule_failed server_account_created vulnerable_software_package_found", types, " ")
    for (i = 0; i < n; i++) {
      s = int(rand() * c); t = types[1 + int(rand() * 5)]; crit = (rand() < 0.3) ? "true" : "false"
      r = rand()
      if (r < 0.6) ip = sprintf("203.0.%d.%d", int(rand() * 50), int(rand() * 250) + 1)
      else if (r < 0.8) ip = sprintf("2001:db8::%x", int(rand() * 5000))
      else if (r < 0.95) ip = sprintf("10.%d.%d.%d", int(rand() * 250), int(rand() * 250), int(rand() * 250))
      else ip = sprintf("%d.1.1.1", 256 + int(rand() * 700))
      printf "{\"id\":\"ev%09d\",\"type\":\"%s\",\"name\":\"Log-based intrusion detection rule matched\",\"message\":\"sshd: Failed password for root from %s port %d ssh2\",\"created_at\":\"2026-11-20T%02d:%02d:%02d.000Z\",\"critical\":%s,\"server_id\":\"%s\",\"server_hostname\":\"host-%d\",\"server_group_name\":\"%s\",\"server_platform\":\"Linux\"}\n", i, t, ip, 1024 + int(rand() * 60000), int(i / 3600000) % 24, int(i / 60000) % 60, int(i / 1000) % 60, crit, ids[s], s, groups[s]
    }
  }' "$out/servers.csv" >"$out/events.jsonl"
echo "events file: $(wc -l <"$out/events.jsonl") events, $(du -m "$out/events.jsonl" | cut -f1) MB ($BIN binaries)"
for tool in quarantine ipblock; do
  start=$(date +%s.%N)
  "$BIN/$tool" --config "$out/octo.yml" --input "$out/events.jsonl" -q >"$out/$tool.out"
  end=$(date +%s.%N)
  awk -v n="$N" -v s="$start" -v e="$end" -v t="$tool" -v r="$(wc -l <"$out/$tool.out")" \
    'BEGIN{printf "%s planning: %d events in %.2fs = %.0f events/s (%d action records)\n", t, n, e-s, n/(e-s), r}'
done
