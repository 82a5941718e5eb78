#!/usr/bin/env bash
# Mutation testing of the core numerical modules (mutmut): `tools/mutation.sh [MODULE ...] [--out FILE]`.
# Installs mutmut if needed; see tools/mutation.py for the module -> tests map.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check "mutmut==3.8.1"
exec python tools/mutation.py "$@"
