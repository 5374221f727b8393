"""Per-user train/valid/test splits (80/10/10), vectorised.

Counts follow RecBole's ``RS: [0.8, 0.1, 0.1]`` so our numbers are comparable with its: for a user
with ``n`` interactions, valid and test each get ``floor(0.1 n)`` (at least 1 when ``0 < 0.1 n < 1``
and the user keeps at least one training interaction), train keeps the rest.

* ``random``: each user's interactions in a seeded random order.
* ``temporal``: each user's interactions by timestamp; the newest 10% are test, the 10% before valid.

Rows are put in a canonical order first, so the same data gives the same split whatever the order
of the file it came from.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

Protocol = Literal["random", "temporal"]


def _holdout_counts(n: np.ndarray, ratio: float) -> np.ndarray:
    count = np.floor(ratio * n).astype(np.int64)
    # RecBole gives a fraction in (0, 1) one interaction, as long as train keeps at least one.
    return np.where((count == 0) & (ratio * n > 0) & (n >= 3), 1, count)


def split_interactions(
    frame: pd.DataFrame,
    protocol: Protocol = "random",
    seed: int = 0,
    ratios: tuple[float, float, float] = (0.8, 0.1, 0.1),
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Split a canonical interaction table per user into (train, valid, test)."""
    if protocol not in ("random", "temporal"):
        raise ValueError(f"unknown split protocol {protocol!r}; use 'random' or 'temporal'")
    rng = np.random.default_rng(seed)
    # Canonical row order first, so the split depends on the data and the seed, not on file order.
    frame = frame.sort_values(["user_id", "item_id", "timestamp"], kind="stable", ignore_index=True)
    users = frame["user_id"].to_numpy()
    if protocol == "random":
        order = np.lexsort((rng.random(len(frame)), users))
    else:
        # Stable tie-break on the random key so equal timestamps don't depend on file order.
        order = np.lexsort((rng.random(len(frame)), frame["timestamp"].to_numpy(), users))
    sorted_users = users[order]
    starts = np.flatnonzero(np.r_[True, sorted_users[1:] != sorted_users[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    rank = np.arange(len(order)) - np.repeat(starts, sizes)
    n = np.repeat(sizes, sizes)
    n_valid = _holdout_counts(n, ratios[1])
    n_test = _holdout_counts(n, ratios[2])
    part = np.where(rank < n - n_valid - n_test, 0, np.where(rank < n - n_test, 1, 2))
    ordered = frame.iloc[order].reset_index(drop=True)
    return tuple(ordered[part == p].reset_index(drop=True) for p in range(3))  # type: ignore[return-value]
