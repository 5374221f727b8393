#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, then runs the whole suite.
# System packages: Node.js/npm (Cypher linting with Neo4j's parser) and Chromium (browser tests);
# Python packages go into the project virtualenv (scripts/venv.sh), pinned by requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

started=$SECONDS
need_apt=()
command -v node >/dev/null || need_apt+=(nodejs npm)
command -v chromium >/dev/null || need_apt+=(chromium chromium-driver)
command -v docker-compose >/dev/null || need_apt+=(docker-compose)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
ensure_venv test
npm install --prefix tests/cypher_lint --no-audit --no-fund --silent
npm install --prefix tests/frontend/docs_ui --no-audit --no-fund --silent
npm install --prefix tests/frontend/a11y --no-audit --no-fund --silent
setup_s=$((SECONDS - started))

status=0
PATH="$VENV/bin:$PATH" "$VENV/bin/python" -m pytest "$@" || status=$?
echo "setup: ${setup_s} s, tests: $((SECONDS - started - setup_s)) s ($VENV)"
exit $status
