#!/usr/bin/env bash
# Installing and packaging octobox: `make install|uninstall|deb|dist` run this script.
#
#   scripts/package.sh bins        the workspace's binaries, from `cargo metadata` (one a line)
#   scripts/package.sh install     binaries, man pages, completions, docs and examples under PREFIX
#   scripts/package.sh uninstall   removes exactly the files `install` puts there
#   scripts/package.sh tools       installs cargo-deb (the pinned version) when it is missing
#   scripts/package.sh deb         dist/octobox_<version>-1_amd64.deb with cargo-deb (installed if missing)
#   scripts/package.sh dist        dist/octobox-<version>-<host triple>.tar.gz and dist/SHA256SUMS
#
# Knobs (environment; `make` passes its variables of the same names):
#   PREFIX=/usr/local   DESTDIR=    (staged installs: files go to $DESTDIR$PREFIX/...)
#   PROFILE=release     the cargo profile built and packaged (`dev` for quick packaging checks)
#   NO_BUILD=1          package the binaries as they are, do not run cargo build
#   BIN_DIR=...         where the built binaries are (default: the target dir of PROFILE)
#   DIST_DIR=dist       where `deb` and `dist` write
#   DEB_FAST=1          gzip, fast (quicker, a larger package; the tests use it) instead of xz
#   GZIP_LEVEL=9        the gzip level of the `dist` archive (the tests use 1)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
CARGO=${CARGO:-cargo}
PROFILE=${PROFILE:-release}
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
DIST_DIR=${DIST_DIR:-dist}
CARGO_DEB_VERSION=3.8.0
# Where bash, zsh and fish look for completions under a prefix (Debian's zsh reads
# vendor-completions under /usr, site-functions under /usr/local).
ZSH_COMPLETION_DIR=${ZSH_COMPLETION_DIR:-share/zsh/site-functions}

die() { echo "package.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is needed for this step (${2:-install it first})"; }

metadata() { "$CARGO" metadata --format-version 1 --no-deps --offline --locked; }

# Every `bin` target of every workspace package: a new tool is packaged without editing this file.
bins() {
  need jq "apt-get install jq"
  metadata | jq -r '.packages[].targets[] | select(.kind | index("bin")) | .name' | sort -u
}

version() {
  need jq "apt-get install jq"
  metadata | jq -r '[.packages[] | select(.name == "octobox") | .version][0]'
}

revision() { git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown; }

bin_dir() {
  if [[ -n ${BIN_DIR:-} ]]; then echo "$BIN_DIR"; return; fi
  local target=${CARGO_TARGET_DIR:-$root/target} dir=$PROFILE
  case $PROFILE in dev | test) dir=debug ;; bench) dir=release ;; esac
  echo "$target/$dir"
}

build() {
  [[ ${NO_BUILD:-} == 1 ]] && return
  "$CARGO" build --workspace --bins --locked --profile "$PROFILE"
}

# The installed files, one `MODE SOURCE DEST` a line, DEST relative to the prefix. install and
# uninstall both read this list, so uninstall removes exactly what install put.
manifest() {
  local bin_dir b f
  bin_dir=$(bin_dir)
  for b in $(bins); do
    echo "755 $bin_dir/$b bin/$b"
    echo "644 bin-docs/completions/$b.bash share/bash-completion/completions/$b"
    echo "644 bin-docs/completions/_$b $ZSH_COMPLETION_DIR/_$b"
    echo "644 bin-docs/completions/$b.fish share/fish/vendor_completions.d/$b.fish"
  done
  for f in bin-docs/man/*.1; do echo "644 $f share/man/man1/${f##*/}"; done
  echo "644 README.md share/doc/octobox/README.md"
  echo "644 CHANGELOG.md share/doc/octobox/CHANGELOG.md"
  find examples -type f | LC_ALL=C sort | while read -r f; do echo "644 $f share/doc/octobox/$f"; done
}

install_files() {
  local dest=$DESTDIR${PREFIX%/} mode src rel
  build
  manifest | while read -r mode src rel; do
    [[ -f $src ]] || die "$src is missing (PROFILE=$PROFILE; build it, or set BIN_DIR)"
    install -D -m "$mode" "$src" "$dest/$rel"
  done
  [[ -n ${QUIET:-} ]] || echo "installed octobox $(version) ($(bins | wc -l) binaries) into $dest" >&2
}

uninstall_files() {
  local dest=$DESTDIR${PREFIX%/} mode src rel
  manifest | while read -r mode src rel; do rm -f "$dest/$rel"; done
  # the directories that belong to octobox alone
  [[ -d $dest/share/doc/octobox ]] && find "$dest/share/doc/octobox" -depth -type d -empty -delete
  echo "removed octobox from $dest" >&2
}

# Binaries of a dev build carry symbols; a package ships them stripped (the release profile
# already strips, so this changes nothing there).
strip_bins() {
  local b
  need strip "apt-get install binutils"
  for b in $(bins); do strip "$1/$b"; done
}

# cargo-deb, pinned, from crates.io (a few minutes to compile, once).
tools() {
  if ! "$CARGO" deb --version 2>/dev/null | grep -qF "$CARGO_DEB_VERSION"; then
    echo "package.sh: installing cargo-deb $CARGO_DEB_VERSION (once)" >&2
    "$CARGO" install --locked --quiet cargo-deb --version "$CARGO_DEB_VERSION"
  fi
}

# One package, `octobox`, described in packaging/Cargo.toml [package.metadata.deb]: its assets are
# the files of a staged `install` with PREFIX=/usr in packaging/stage/.
deb() {
  local stage=$root/packaging/stage version rev
  version=$(version) rev=$(revision)
  rm -rf "$stage"
  trap "rm -rf '$stage'" EXIT
  QUIET=1 DESTDIR=$stage/root PREFIX=/usr ZSH_COMPLETION_DIR=share/zsh/vendor-completions install_files
  strip_bins "$stage/root/usr/bin"
  # Debian keeps its own changelog (changelog.Debian.gz); CHANGELOG.md stays next to it.
  cat >"$stage/changelog" <<CHANGES
octobox ($version-1) unstable; urgency=medium

  * Upstream release $version, built from git revision $rev.
    See /usr/share/doc/octobox/CHANGELOG.md.

 -- octobox maintainers <octobox@example.invalid>  $(date -R -d "@${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}")
CHANGES
  cat >"$stage/description" <<DESC
Small, composable CLI tools for cloud security operations (CloudPassage Halo,
AWS, OpenStack, FreshDesk, Slack) that read and write JSON Lines: halo-query,
fw-graph, ec2-delta, event-export, scan-export, sec-takedown, quarantine,
ipblock, slack-notify, octo-bot (a Slack bot over the same queries), and
octo-sim, a local simulator of those APIs.
.
Version $version, git revision $rev.
DESC
  mkdir -p "$DIST_DIR"
  local out fast=()
  out=$(cd "$DIST_DIR" && pwd)/octobox_${version}-1_amd64.deb
  [[ ${DEB_FAST:-} == 1 ]] && fast=(--fast --compress-type gz --compress-system)
  tools
  # cargo-deb reads the description and changelog files relative to the current directory
  (cd packaging && "$CARGO" deb --locked --no-build --manifest-path Cargo.toml \
    --deb-version "$version-1" "${fast[@]}" --output "$out")
  merge_depends "$out"
}

# cargo-deb's `$auto` lists each binary's dpkg-shlibdeps result as it is, so binaries that need
# different glibc symbol versions give `libc6 (>= 2.34), libc6 (>= 2.35)`. Debian wants one
# entry a package: keep the highest `>=` of each. Only the control member changes: the package
# (an ar archive of debian-binary, control.tar.*, data.tar.*, in that order) gets a new control
# member and keeps its data member as built, never decompressed or compressed again.
merge_depends() {
  local deb=$1 work depends merged ctl data stamp
  need dpkg-deb "apt-get install dpkg"
  need ar "apt-get install binutils"
  depends=$(dpkg-deb --field "$deb" Depends)
  merged=$(merged_depends "$depends")
  [[ $merged == "$depends" ]] && return
  work=$(mktemp -d)
  (
    cd "$work"
    ar x "$deb"
    ctl=$(ls control.tar.*) data=$(ls data.tar.*)
    mkdir control
    tar -xf "$ctl" -C control
    stamp=$(stat -c %Y control/control)
    sed -i "s/^Depends: .*/Depends: $merged/" control/control
    # tar picks the compressor by the member's suffix (.gz, .xz, .zst)
    rm "$ctl"
    tar --auto-compress --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$stamp" \
      -cf "$ctl" -C control .
    rm -f "$deb"
    ar qcD "$deb" debian-binary "$ctl" "$data"
  )
  rm -rf "$work"
  dpkg-deb --field "$deb" Depends | grep -qxF "$merged" || die "could not rewrite Depends of $deb"
  echo "package.sh: Depends: $merged (was: $depends)" >&2
}

# `a (>= 1), b, a (>= 2)` -> `a (>= 2), b`: one entry a package, the first one's place kept,
# the highest version of its `>=` entries. Anything else (alternatives, other relations) stays
# as it is, once.
merged_depends() {
  local -a deps=() order=()
  local -A best=() seen=()
  local dep name ver o out=()
  IFS=',' read -ra deps <<<"$1"
  for dep in "${deps[@]}"; do
    dep=${dep#"${dep%%[![:space:]]*}"} dep=${dep%"${dep##*[![:space:]]}"}
    [[ -z $dep ]] && continue
    if [[ $dep =~ ^([a-z0-9][a-z0-9.+-]*)\ \(\>=\ ([^\)]+)\)$ ]]; then
      name=${BASH_REMATCH[1]} ver=${BASH_REMATCH[2]}
      if [[ -z ${best[$name]:-} ]]; then
        order+=("$name")
        best[$name]=$ver
      elif dpkg --compare-versions "$ver" gt "${best[$name]}"; then
        best[$name]=$ver
      fi
    elif [[ -z ${seen[$dep]:-} ]]; then
      seen[$dep]=1
      order+=("=$dep")
    fi
  done
  for o in "${order[@]}"; do
    if [[ $o == =* ]]; then out+=("${o#=}"); else out+=("$o (>= ${best[$o]})"); fi
  done
  (IFS=','; echo "${out[*]}") | sed 's/,/, /g'
}

dist() {
  local version name stage archive
  version=$(version)
  name=octobox-$version-$(rustc -vV | sed -n 's/^host: //p')
  stage=$(mktemp -d)
  trap "rm -rf '$stage'" EXIT
  QUIET=1 DESTDIR=$stage/$name PREFIX=/ install_files
  strip_bins "$stage/$name/bin"
  install -m 644 README.md CHANGELOG.md LICENSE "$stage/$name/"
  mkdir -p "$DIST_DIR"
  archive=$DIST_DIR/$name.tar.gz
  # reproducible: sorted names, no owners, the commit's time
  tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner \
    --mtime="@${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}" \
    -cf - "$name" | gzip -n "-${GZIP_LEVEL:-9}" >"$archive.tmp"
  mv "$archive.tmp" "$archive"
  (cd "$DIST_DIR" && sha256sum "$name.tar.gz" >SHA256SUMS)
  echo "$archive" >&2
}

case ${1:-} in
  bins) bins ;;
  version) version ;;
  tools) tools ;;
  install) install_files ;;
  uninstall) uninstall_files ;;
  deb) deb ;;
  dist) dist ;;
  merged-depends) merged_depends "$2" ;;
  *) die "usage: $0 bins|version|tools|install|uninstall|deb|dist" ;;
esac
