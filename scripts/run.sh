#!/usr/bin/env bash
# Sets up a fresh machine and runs CineGraph: creates the project virtualenv (.venv) and installs the
# package into it from requirements.lock (CPU PyTorch), then `cinegraph up` fetches ml-100k, starts the
# embedded graph database, imports the data, trains a model if none is saved and serves the API and UI
# on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

started=$SECONDS
ensure_venv
echo "environment ready in $((SECONDS - started)) s ($VENV)"
exec "$VENV/bin/cinegraph" up "$@"
