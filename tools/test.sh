#!/usr/bin/env bash
# Install what the tests need (torch pinned to the CPU build on disk, the peer libraries for
# comparison tests, Chromium for the report test) and run the test suite on 2 workers.
set -euo pipefail
cd "$(dirname "$0")/.."
# torch first, pinned exactly: the extras only state ranges, and the peers' torchvision==0.28.0
# pin keeps pip from swapping this CPU build for a CUDA one.
python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
python -m pip install --quiet --disable-pip-version-check -e ".[test,peers]"
if ! command -v chromium >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium could not be installed; the browser test will skip"
fi
python -m ruff check skxai tests benchmarks examples
python -m ruff format --check skxai
python -m pytest -n 2 -q -p no:cacheprovider "$@"
