#!/usr/bin/env bash
# ec2-delta fan-out on moto: 20 accounts (AssumeRole) × 4 regions with a few instances each, at
# --concurrency 1 and the default (8). Prints wall times and their ratio; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/moto-env.sh
out=$(mktemp -d); MOTO=
trap '[ -n "$MOTO" ] && kill $MOTO 2>/dev/null; rm -rf "$out"' EXIT
"$MOTO_SERVER" -H 127.0.0.1 -p 0 >/dev/null 2>"$out/moto.log" & MOTO=$!
for _ in $(seq 300); do grep -q 'Running on' "$out/moto.log" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/moto.log" | head -1)
export AWS_ENDPOINT_URL=$url AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
       AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
regions=us-east-1,us-west-2,eu-west-1,ap-southeast-2
accounts=$(for i in $(seq 11 30); do printf '1000000000%02d;' "$i"; done)
# seed: 3 instances per account and region, through moto's own Python client (in its venv)
"$(dirname "$MOTO_SERVER")/python" - "$url" "$accounts" "$regions" <<'PY'
import sys, boto3
url, accounts, regions = sys.argv[1], [a for a in sys.argv[2].split(';') if a], sys.argv[3].split(',')
sts = boto3.client('sts', endpoint_url=url, region_name='us-east-1')
for a in accounts:
    c = sts.assume_role(RoleArn=f'arn:aws:iam::{a}:role/bench', RoleSessionName='seed')['Credentials']
    for r in regions:
        ec2 = boto3.client('ec2', endpoint_url=url, region_name=r, aws_access_key_id=c['AccessKeyId'],
                           aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])
        ami = ec2.describe_images()['Images'][0]['ImageId']
        ec2.run_instances(ImageId=ami, MinCount=3, MaxCount=3)
PY
for c in 1 8; do
  start=$(date +%s.%N)
  rows=$("${BIN:-target/release}"/ec2-delta --accounts "$accounts" --role-name bench --regions $regions \
           --halo-servers /dev/null --concurrency $c | tail -n +2 | wc -l)
  end=$(date +%s.%N)
  echo "$c $start $end $rows"
done | awk '{t[$1]=$3-$2; printf "ec2-delta 21 accounts x 4 regions, --concurrency %d: %.2f s, %d unprotected instances\n", $1, $3-$2, $4}
            END {printf "fan-out speed-up (8 vs 1): %.1fx\n", t[1]/t[8]}'
