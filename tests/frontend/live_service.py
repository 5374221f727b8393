"""The real CineGraph service in a subprocess, and the Chromium that drives it (browser tests, screenshots).

It gets its own data directory and FalkorDB port, trains a small model (``CINEGRAPH_TRAIN_EPOCHS``), and
is ready when ``/health`` answers. Stopping it also stops its embedded database (``cinegraph db stop``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
FRONTEND_DIR = REPO_ROOT / "frontend"
READY_TIMEOUT_S = 240.0
# Debian's chromium (Playwright cannot download its own browsers here); CINEGRAPH_CHROMIUM overrides.
CHROMIUM = os.environ.get("CINEGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TEST_TRAIN_EPOCHS = 5
E2E_ADMIN_KEY = "e2e-admin-key"
ADMIN_HEADERS = {"X-Admin-Key": E2E_ADMIN_KEY}  # tests read what the UI wrote through the admin key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(
    base_url: str, process: subprocess.Popen | None, log_path: Path | None, timeout_s: float
) -> dict:
    """Poll ``/health`` until it answers 200; fail early, with the log's tail, if the process dies."""
    deadline = time.monotonic() + timeout_s
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the service exited with code {process.returncode}:\n{log_tail(log_path)}")
        try:
            response = httpx.get(f"{base_url}/health", timeout=5)
            if response.status_code == 200:
                return response.json()
            last_error = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as error:
            last_error = repr(error)
        time.sleep(0.5)  # polling interval of a readiness probe, not a wait for the UI
    message = f"the service at {base_url} was not healthy after {timeout_s:.0f} s ({last_error})"
    raise TimeoutError(f"{message}:\n{log_tail(log_path)}")


def log_tail(path: Path | None, lines: int = 40) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def running_service(
    data_dir: Path, *, dataset_cache: Path | None = None, timeout_s: float = READY_TIMEOUT_S
) -> Iterator[str]:
    """Start ``service.main:create_app`` under uvicorn; yield its base URL; stop it and its database.

    ``dataset_cache``: an existing ``datasets`` folder to link in, so the dataset is not fetched again.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    if dataset_cache is not None and dataset_cache.is_dir() and not (data_dir / "datasets").exists():
        (data_dir / "datasets").symlink_to(dataset_cache, target_is_directory=True)
    port = free_port()
    env = {
        **os.environ,
        "CINEGRAPH_DATA_DIR": str(data_dir),
        "CINEGRAPH_FALKORDB_PORT": str(free_port()),
        "CINEGRAPH_TRAIN_EPOCHS": os.environ.get("CINEGRAPH_TRAIN_EPOCHS", str(TEST_TRAIN_EPOCHS)),
        "CINEGRAPH_FRONTEND_DIR": str(FRONTEND_DIR),
        "CINEGRAPH_ADMIN_KEY": E2E_ADMIN_KEY,
        # Every browser test signs in from one address; the limits have API tests of their own.
        "CINEGRAPH_SIGNUP_PER_MINUTE": "0",
        "CINEGRAPH_SIGNIN_PER_MINUTE": "0",
        "CINEGRAPH_SEARCH_PER_MINUTE": "0",
    }
    env.pop("CINEGRAPH_NEO4J_URI", None)  # always the embedded store: the tests own their database
    base_url = f"http://127.0.0.1:{port}"
    log_path = data_dir / "service.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "service.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        health = wait_until_healthy(base_url, process, log_path, timeout_s)
        log.info("service ready at %s: %s", base_url, health.get("model", {}).get("version"))
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # The lifespan stops the database it started; this also covers a start-up that failed half-way.
        subprocess.run(
            [sys.executable, "-m", "service.cli", "db", "stop"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            timeout=60,
        )
