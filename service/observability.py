"""Prometheus metrics: request counts and latencies per route, and the serving model's version; and the
log line that says how long a part of building the serving model took."""

from __future__ import annotations

import logging
import re
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
DURATION_LINE = re.compile(r"(?P<part>.+) took (?P<seconds>\d+\.\d+) s \(peak RSS (?P<peak_rss_mb>\d+) MB\)$")
"""The message :func:`logged_duration` writes; ``cinegraph bench serve`` reads start-up's parts with it."""


def memory_from_status(status: str) -> dict[str, int]:
    """``rss_mb`` (VmRSS) and ``peak_rss_mb`` (VmHWM) from the text of ``/proc/PID/status``."""
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    kib = {name: int(fields[name].split()[0]) for name in ("VmRSS", "VmHWM")}
    return {"rss_mb": round(kib["VmRSS"] / 1024), "peak_rss_mb": round(kib["VmHWM"] / 1024)}


def process_memory(pid: int | str = "self") -> dict[str, int] | None:
    """A process's resident memory now and at its peak, in MB; None where ``/proc`` cannot tell."""
    try:
        return memory_from_status(Path(f"/proc/{pid}/status").read_text())
    except (OSError, KeyError):
        return None


def peak_rss_mb() -> int:
    """The most memory this process has held so far (its peak resident set), in MB. From ``/proc`` where
    there is one: getrusage's ``ru_maxrss`` outlives ``exec``, so a service started by a big process
    would report that process's peak."""
    memory = process_memory()
    if memory is not None:
        return memory["peak_rss_mb"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / 2**20 if sys.platform == "darwin" else peak / 2**10)  # bytes on macOS, KiB on Linux


def log_duration(logger: logging.Logger, part: str, started: float) -> None:
    """Log at INFO how long ``part`` took since ``started`` (``time.perf_counter()``), and the process's
    peak memory by then: "similar movies took 12.34 s (peak RSS 2048 MB)" (``DURATION_LINE``)."""
    logger.info("%s took %.2f s (peak RSS %d MB)", part, time.perf_counter() - started, peak_rss_mb())


@contextmanager
def logged_duration(logger: logging.Logger, part: str) -> Iterator[None]:
    """:func:`log_duration` of the block."""
    started = time.perf_counter()
    yield
    log_duration(logger, part, started)


class Metrics:
    """One registry per app (not the process-global default), so several apps in a process stay apart."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "cinegraph_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "cinegraph_http_request_duration_seconds", "HTTP request latency", ["method", "route"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.model_info = Gauge(
            "cinegraph_model_info",
            "The serving model (value 1)",
            ["version", "trained_at"],
            registry=self.registry,
        )

    def set_model(self, version: str, trained_at: str) -> None:
        self.model_info.clear()
        self.model_info.labels(version=version, trained_at=trained_at).set(1)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Plain ASGI middleware (cheaper than BaseHTTPMiddleware on the hot path)."""

    def __init__(self, app, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record_status(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(time.perf_counter() - started)
