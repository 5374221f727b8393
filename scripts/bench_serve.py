"""Load benchmark: start `cinegraph serve` (one worker) on localhost and drive it with locust, headless.

    python scripts/bench_serve.py [--rps 200] [--seconds 60] [--data-dir data]

Uses the data directory's graph and model (run `cinegraph up` or `cinegraph train` once before), and
prints one JSON line: requests, failures, p50/p95/p99 per endpoint, achieved throughput. Ratings written
by the benchmark go to real MovieLens users in that graph: point it at a scratch data directory
(`--data-dir`) to keep your own clean.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
READERS = 20
WRITERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the service at {url} did not become healthy within {timeout_s:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rps", type=float, default=200, help="target GET /recommendations per second")
    parser.add_argument("--write-rps", type=float, default=10, help="target POST /ratings per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--data-dir", default=os.environ.get("CINEGRAPH_DATA_DIR", "data"))
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Readers ask for random users' recommendations with the admin key (a user's token reads only their
    # own); writers sign in as MovieLens users (demo login), so the sign-in limit is off for the run.
    admin_key = os.environ.get("CINEGRAPH_ADMIN_KEY") or secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "CINEGRAPH_DATA_DIR": args.data_dir,
        "CINEGRAPH_ADMIN_KEY": admin_key,
        "CINEGRAPH_SIGNIN_PER_MINUTE": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_ready(url, timeout_s=900)
        with tempfile.TemporaryDirectory() as out:
            load_env = {
                **env,
                "BENCH_READ_RPS_PER_USER": str(args.rps / READERS),
                "BENCH_WRITE_RPS_PER_USER": str(args.write_rps / WRITERS),
                "BENCH_WRITERS": str(WRITERS),
                "BENCH_ADMIN_KEY": admin_key,
            }
            subprocess.run(
                [
                    sys.executable, "-m", "locust", "-f", str(SCRIPTS / "locustfile.py"), "--headless",
                    "--host", url, "--users", str(READERS + WRITERS), "--spawn-rate", str(READERS + WRITERS),
                    "--run-time", f"{args.seconds}s", "--csv", f"{out}/load", "--only-summary",
                    "--loglevel", "WARNING",
                ],
                env=load_env, check=False, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            print(json.dumps(summarise(Path(out) / "load_stats.csv", args)))
    finally:
        server.terminate()
        server.wait(60)
    return 0


def summarise(stats_csv: Path, args: argparse.Namespace) -> dict:
    result: dict[str, object] = {
        "target_read_rps": args.rps,
        "target_write_rps": args.write_rps,
        "seconds": args.seconds,
    }
    with stats_csv.open() as rows:
        for row in csv.DictReader(rows):
            if row["Name"] in ("GET /recommendations", "POST /ratings", "Aggregated"):
                result[row["Name"]] = {
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": round(float(row["Requests/s"]), 1),
                    "p50_ms": float(row["50%"]),
                    "p95_ms": float(row["95%"]),
                    "p99_ms": float(row["99%"]),
                }
    return result


if __name__ == "__main__":
    sys.exit(main())
