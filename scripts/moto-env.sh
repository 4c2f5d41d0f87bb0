#!/usr/bin/env bash
# Source this: installs moto 5.2.5 (S3, EC2, STS) into .venv-moto if missing and exports
# MOTO_SERVER, the path test harnesses start on a free loopback port. A moto on the system Python
# is never used: 5.2.1 breaks aws-sdk-s3's CompleteMultipartUpload (shared/reference/toolchain.md §3).
MOTO_VERSION=5.2.5
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_venv="$_root/.venv-moto"
if ! "$_venv/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  echo "installing moto $MOTO_VERSION into .venv-moto (once)…" >&2
  python3 -m venv "$_venv"
  "$_venv/bin/pip" install -q --disable-pip-version-check "moto[ec2,s3,sts]==$MOTO_VERSION" flask flask-cors >&2
fi
export MOTO_SERVER="$_venv/bin/moto_server"
unset _root _venv
# The official Python clients octo-sim is tested against (second venv, .venv-clients).
source "$(dirname "${BASH_SOURCE[0]}")/clients-env.sh"
