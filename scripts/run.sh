#!/usr/bin/env bash
# Sets up a fresh machine and runs CineGraph: installs the package (CPU PyTorch), then `cinegraph up`
# fetches ml-100k, starts the embedded graph database, imports the data, trains a model if none is saved
# and serves the API and UI on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
python3 -m pip install --quiet --disable-pip-version-check -e .
exec cinegraph up "$@"
