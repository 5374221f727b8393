# Sourced by run.sh and test.sh: the project's own virtualenv, created or reused, with CineGraph installed
# into it from the lock file (requirements.lock, made by pip-compile; README says how to refresh it).
# Nothing is installed into the machine's Python, and nothing the machine happens to have is used.
#   CINEGRAPH_VENV  where the virtualenv lives (default: .venv in the repository)
#   PYTHON          the interpreter to create it with (default: python3; 3.11 for the CPU torch wheel)

VENV=${CINEGRAPH_VENV:-.venv}
PYTHON=${PYTHON:-python3}

# ensure_venv [EXTRAS]: create the virtualenv if missing, then install the project (with EXTRAS, e.g.
# "test") pinned by requirements.lock. A stamp of the lock, pyproject.toml and the extras skips the pip
# run when nothing changed since the last install into this virtualenv.
ensure_venv() {
  local extras=${1:-}
  if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
      # Debian and Ubuntu ship venv's pip bootstrap separately (python3-venv).
      echo "creating $VENV needs python3-venv; installing it" >&2
      local sudo; sudo=$([ "$(id -u)" = 0 ] || echo sudo)
      $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$VENV"
      "$PYTHON" -m venv "$VENV"
    fi
  fi
  local stamp="$VENV/.cinegraph-installed"
  local wanted; wanted="$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16) [$extras]"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    return 0
  fi
  local target="."
  [ -n "$extras" ] && target=".[$extras]"
  "$VENV/bin/python" -m pip install -qq --disable-pip-version-check --upgrade pip
  # torch==2.13.0 (in pyproject.toml and the lock) is the CPU build; anything else pulls GBs of CUDA wheels.
  "$VENV/bin/python" -m pip install -qq --disable-pip-version-check -c requirements.lock -e "$target"
  echo "$wanted" > "$stamp"
}
