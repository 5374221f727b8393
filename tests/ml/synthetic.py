"""Tiny datasets whose right answers are known, shared by the ml tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.train import TrainConfig

# Small and quick: a few hundred steps at most on a 40 x 30 graph.
FAST_CONFIG = TrainConfig(embedding_dim=16, learning_rate=0.05, max_epochs=40, patience=40, item_neighbors=5)


def two_cluster_ratings(
    users_per_cluster: int = 20, items_per_cluster: int = 15, per_user: int = 8, seed: int = 0
) -> pd.DataFrame:
    """Users 1000.. rate only cluster-A movies (500..), users 2000.. only cluster-B movies (600..).

    Raw ids are offset and not contiguous so that every test also exercises the id maps.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for cluster, (user_base, item_base) in enumerate(((1000, 500), (2000, 600))):
        for u in range(users_per_cluster):
            items = rng.choice(items_per_cluster, size=per_user, replace=False) + item_base
            rows += [
                (user_base + u, int(i), float(rng.integers(1, 6)), 10 * u + k + cluster)
                for k, i in enumerate(items)
            ]
    return pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp"])


def cluster_of_item(item_ids: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(item_ids) >= 600, 1, 0)


def cluster_of_user(user_ids: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(user_ids) >= 2000, 1, 0)
