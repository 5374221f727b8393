"""Order-independent fingerprint of a training set, so a checkpoint can tell which data it saw."""

from __future__ import annotations

import hashlib

import numpy as np


def interactions_fingerprint(users: np.ndarray, items: np.ndarray, ratings: np.ndarray | None = None) -> str:
    """SHA-256 (hex) of the (user, item, rating) rows sorted, so row order does not matter.

    Ids are hashed as int64 and ratings as float64; ``ratings=None`` hashes the pairs alone.
    """
    users = np.asarray(users, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    if len(users) != len(items):
        raise ValueError(f"users ({len(users)}) and items ({len(items)}) differ in length")
    values = np.zeros(len(users)) if ratings is None else np.asarray(ratings, dtype=np.float64)
    order = np.lexsort((values, items, users))
    digest = hashlib.sha256(b"cinegraph-interactions-v1")
    digest.update(np.int64(len(users)).tobytes())
    for column in (users[order], items[order], values[order]):
        digest.update(np.ascontiguousarray(column).tobytes())
    return digest.hexdigest()
