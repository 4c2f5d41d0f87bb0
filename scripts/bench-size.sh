#!/usr/bin/env bash
# Binary sizes and the cold install time (issue 14 item 4). Run by `make bench` (scripts/bench.sh
# runs every scripts/bench-*.sh), never by `make test`: the install below is a cold release build.
# - the size of each workspace binary in $BIN (default target/release, built by `make bench`);
# - the wall-clock time of `cargo install --locked --path crates/halo-query` into a temporary root
#   with a fresh CARGO_TARGET_DIR (crates already in ~/.cargo/registry, as for any user), and the
#   size of the binary it installed. SKIP_INSTALL=1 prints the sizes only.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release}
CARGO=${CARGO:-cargo}
printf '%-16s %12s\n' binary bytes
total=0
for b in $(bash scripts/package.sh bins); do
  if [[ -f $BIN/$b ]]; then
    size=$(stat -c %s "$BIN/$b")
    total=$((total + size))
    printf '%-16s %12s  (%s MB)\n' "$b" "$size" "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')"
  else
    printf '%-16s %12s\n' "$b" "not built"
  fi
done
printf '%-16s %12s  (%s MB)\n' total "$total" "$(awk -v s="$total" 'BEGIN { printf "%.1f", s / 1048576 }')"
[[ ${SKIP_INSTALL:-} == 1 ]] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
CARGO_TARGET_DIR=$tmp/target "$CARGO" install --quiet --locked --path crates/halo-query --root "$tmp/root"
secs=$(($(date +%s) - start))
printf 'cold `cargo install --locked --path crates/halo-query`: %dm%02ds on %s cores; halo-query %s bytes\n' \
  $((secs / 60)) $((secs % 60)) "$(nproc)" "$(stat -c %s "$tmp/root/bin/halo-query")"
