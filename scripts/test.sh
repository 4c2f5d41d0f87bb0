#!/usr/bin/env bash
# Runs the whole test suite. Installs what it needs when missing (cargo-nextest is optional:
# plain `cargo test` is used without it).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
export RUST_BACKTRACE=0 RUST_LIB_BACKTRACE=0
export AWS_EC2_METADATA_DISABLED=true
# Tests must never pick up a developer's real Halo configuration.
unset HALO_API_URL HALO_API_HOSTNAME HALO_API_PORT HALO_API_KEY HALO_API_SECRET_KEY \
      HALO_API_KEY_RW HALO_API_SECRET_KEY_RW OCTO_CONFIG || true
# cargo-deb for the packaging test (pinned; compiled once). lintian is optional here (.ci/run
# installs it); without it tests/tests/deb.rs skips the lint with a message.
bash scripts/package.sh tools
# moto (the AWS emulator of the ec2-delta and exporter tests), pinned, in a venv of its own.
source scripts/moto-env.sh
# The AWS SDK must never reach for real credentials or the instance metadata service.
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL \
      AWS_ACCOUNT_NUMBERS AWS_ROLE_NAME EVENTS_S3_BUCKET SCANS_S3_BUCKET || true
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi
