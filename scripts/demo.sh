#!/usr/bin/env bash
# make demo: start octo-sim on a free loopback port with a seeded world and run real pipelines
# against it, printing each command before its output. No credentials, no network.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/target/debug
work=$(mktemp -d); SIM=
MOTO=
cleanup() { [ -n "$SIM" ] && kill "$SIM" 2>/dev/null; [ -n "$MOTO" ] && kill "$MOTO" 2>/dev/null; rm -rf "$work"; }
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
run "halo-query firewall-policy --group Root/Prod/Web | fw-graph --policy - -o mermaid | head -n 20"
run "halo-query firewall-policy --group Root/Prod/Web | fw-graph --policy - --group-name Web --out $work/web-fw.svg && ls -l $work/web-fw.svg | awk '{print \$5\" bytes of SVG\"}'"
run "halo-query doctor -o json | head -n 12"

# --- archives: yesterday's events and scans, exactly, gzip JSONL + manifest (then idempotent)
run "event-export --date yesterday --to $work/archive && find $work/archive -name '*.gz' | wc -l | sed 's/$/ part files/'"
run "jq -c '{records, first_created_at, last_created_at, parts: (.parts | length)}' $work/archive/events/dt=*/_manifest.json 2>/dev/null || head -c 300 $work/archive/events/dt=*/_manifest.json"
run "event-export --date yesterday --to $work/archive"
run "scan-export --date yesterday --to - | head -n 2 | cut -c1-200"

# --- response: quarantine and ipblock plan (no --apply: nothing is written), Slack notification
cat > "$work/octo.yml" <<'YML'
quarantine:
  enabled: true
  trigger_group_names: [Root/Prod/Web, Root/Dev/Web]
  quarantine_group_name: Root/Quarantine
  trigger_events: [lids_rule_failed, daemon_compromised]
  trigger_only_on_critical: true
ipblocker:
  enabled: true
  ip_zone_name: halo-ipblocker
  trigger_events: [lids_rule_failed]
  trigger_only_on_critical: true
YML
export OCTO_CONFIG=$work/octo.yml HALO_API_KEY_RW=sim-rw-key HALO_API_SECRET_KEY_RW=sim-rw-secret-0000
export SLACK_API_URL=$HALO_API_URL/api SLACK_API_TOKEN=xoxb-sim-slack-token-0000 SLACK_CHANNEL=secops
run "halo-query events --date yesterday --critical | quarantine | jq -c '{status, server_hostname, from_group_name, to_group_name, reason}' | head -n 5"
run "halo-query events --date yesterday --critical | ipblock | jq -c '{status, ip, reason}' | head -n 5"
run "halo-query events --date yesterday --critical | head -n 3 | slack-notify && curl -s $HALO_API_URL/_sim/state | jq -c '.slack.messages | length' 2>/dev/null || true"

# --- octo-bot: Slack Socket Mode against the simulated Slack; a member asks, the bot answers
echo; echo "octo-bot serve (Socket Mode, simulated Slack); a channel member mentions it: servers Root/Prod/Web"
SLACK_APP_TOKEN=xapp-1-ASIM0000-1-simapptoken0000 octo-bot serve --channel CSIMSECOPS -o jsonl >"$work/bot.jsonl" 2>"$work/bot.log" & BOT=$!
for _ in $(seq 100); do curl -s "$HALO_API_URL/_sim/slack/socket" | grep -q '"live_connection":[0-9]' && break; sleep 0.1; done
curl -s -X POST "$HALO_API_URL/_sim/slack/inject" -d '{"kind": "mention", "user": "USIMOPS01", "text": "servers Root/Prod/Web"}' >/dev/null
for _ in $(seq 100); do [ -s "$work/bot.jsonl" ] && break; sleep 0.1; done
run "curl -s $HALO_API_URL/_sim/slack/posts | jq -r '.messages[-1].text'"
kill -TERM $BOT; wait $BOT || true
run "jq -c '{via, user, text, result, reply, records}' $work/bot.jsonl"

# --- OpenStack incident response against the simulated cloud and helpdesk
export OS_AUTH_URL=$HALO_API_URL/identity OS_USERNAME=secops OS_PASSWORD=sim-os-password-0000 OS_PROJECT_NAME=admin
export FRESHDESK_URL=$HALO_API_URL FRESHDESK_API_KEY=sim-freshdesk-key-0000
srv=$(curl -s "$HALO_API_URL/_sim/state" | python3 -c 'import json,sys; s=json.load(sys.stdin)["openstack"]["servers"]; print(next(x["id"] for x in s if x.get("status")=="ACTIVE"))' 2>/dev/null || true)
if [ -n "$srv" ]; then
  run "sec-takedown info $srv -o json | head -n 20"
  run "sec-takedown takedown $srv --no-delete --apply -o table"
fi

# --- AWS: EC2 instances no Halo agent protects (moto on loopback stands in for AWS)
source scripts/moto-env.sh
"$MOTO_SERVER" -H 127.0.0.1 -p 0 >/dev/null 2>"$work/moto.log" & MOTO=$!
for _ in $(seq 100); do grep -q 'Running on' "$work/moto.log" 2>/dev/null && break; sleep 0.1; done
export AWS_ENDPOINT_URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/moto.log" | head -1)
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
"$(dirname "$MOTO_SERVER")/python" -c "
import boto3
for r in ['us-east-1', 'eu-west-1']:
    ec2 = boto3.client('ec2', endpoint_url='$AWS_ENDPOINT_URL', region_name=r)
    ec2.run_instances(ImageId=ec2.describe_images()['Images'][0]['ImageId'], MinCount=2, MaxCount=2)
"
run "ec2-delta --regions us-east-1,eu-west-1 | cut -d, -f1-7"
echo
echo "demo finished; octo-sim and moto stopped."
