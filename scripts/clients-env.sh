#!/usr/bin/env bash
# Source this (scripts/moto-env.sh does): installs the official Python clients that octo-sim is
# tested against (crates/octo-sim/tests/official_clients.rs), pinned, into .venv-clients when the
# pins changed or the venv is missing, and exports OCTO_CLIENTS_PYTHON. A venv of its own: the
# clients' dependencies never meet moto's. Measured: ~8 s, 32 packages, 94 MB on a fresh machine.
# cloudpassage imports `packaging` without declaring it, hence the extra pin.
_octo_clients_pins=(
  "cloudpassage==1.6.5" "packaging==26.3"
  "openstacksdk==4.22.0" "keystoneauth1==5.18.1"
  "slack_sdk==3.47.0"
  "python-freshdesk==1.3.9"
)
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_venv="$_root/.venv-clients"
if [ "$(cat "$_venv/.octo-pins" 2>/dev/null)" != "${_octo_clients_pins[*]}" ]; then
  echo "installing the official clients (cloudpassage, openstacksdk, slack_sdk, python-freshdesk) into .venv-clients (once)…" >&2
  python3 -m venv "$_venv"
  "$_venv/bin/pip" install -q --disable-pip-version-check "${_octo_clients_pins[@]}" >&2
  echo "${_octo_clients_pins[*]}" > "$_venv/.octo-pins"
fi
export OCTO_CLIENTS_PYTHON="$_venv/bin/python"
unset _root _venv _octo_clients_pins
