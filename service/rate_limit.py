"""Per-client request limits: a token bucket per (limit, client address), kept in app state.

Each process counts on its own, so with N API workers a client gets up to N times the limit; that
bounds abuse of the expensive and anonymous endpoints, which is what the limits are for.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_TRACKED_CLIENTS = 50_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def retry_after(self, limit: str, client: str, per_minute: int) -> int | None:
        """Take one request from the client's bucket: None when allowed, else the seconds to wait."""
        now = self._clock()
        rate = per_minute / 60.0
        bucket = self._buckets.get((limit, client))
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_CLIENTS:
                self._forget_full(now)
            bucket = self._buckets[(limit, client)] = _Bucket(float(per_minute), now)
        bucket.tokens = min(float(per_minute), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / rate))

    def _forget_full(self, now: float) -> None:
        """Drop buckets idle for a minute: they have refilled, so forgetting them changes nothing."""
        for key in [key for key, bucket in self._buckets.items() if now - bucket.updated >= 60.0]:
            del self._buckets[key]
