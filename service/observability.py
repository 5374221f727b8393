"""Prometheus metrics: request counts and latencies per route, and the serving model's version."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


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
