"""The trained model the service queries: embeddings as float32 numpy, raw ids in and out.

Scores are dot products of final LightGCN embeddings (see :mod:`ml.models.lightgcn`). Everything a
query needs is precomputed at fit/load time, so ``recommend`` is one matrix–vector product and an
``argpartition``.

**Fold-in.** LightGCN's final user embedding splits exactly into a free part and a propagated part::

    e_u = α_0 e_u⁰ + Σ_{k≥1} α_k e_u^(k)
        = α_0 e_u⁰ + 1/sqrt(|R_u|) Σ_{j ∈ R_u} h_j,      h_j = Σ_{k=0}^{K-1} α_{k+1} e_j^(k) / sqrt(|N(j)|)

because ``e_u^(k+1) = Σ_j e_j^(k) / sqrt(|R_u| |N(j)|)``. The item vectors ``h_j`` are stored, so the
propagated part of a new or changed user is *exactly* what propagation would give them (up to their
own, negligible, effect on the items' embeddings). Only ``α_0 e_u⁰`` — a parameter a new user never
had — is unknown; at fit time a ridge regression over the trained users learns a linear map ``W``
from the propagated part ``p_u`` to ``α_0 e_u⁰``, so ``fold_in(R) = p (I + W)`` with ``p`` as above.
``docs/ml.md`` measures how close this comes to retraining.

**Explain.** Because ``p`` is a sum over rated items, item ``i``'s score splits exactly into one
term per rated item ``j``: ``(h_j M / sqrt(|R|)) · e_i`` (``M = I + W`` for folded-in users and
``M = I`` — the propagated part of the real embedding — for trained users).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ml.fingerprint import interactions_fingerprint
from ml.interactions import IdMap, interaction_matrix, positives, validate_interactions
from ml.train import TrainConfig, train_lightgcn

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
_ARRAYS = (
    "user_ids",
    "item_ids",
    "user_embeddings",
    "item_embeddings",
    "item_history_vectors",
    "fold_in_map",
)


class CheckpointMismatch(ValueError):
    """A checkpoint that does not fit this code (format, config) or the data it is meant for."""


def library_versions() -> dict[str, str]:
    import scipy
    import torch
    import torch_geometric

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "torch": torch.__version__,
        "torch_geometric": torch_geometric.__version__,
    }


@dataclass
class Recommender:
    """LightGCN embeddings plus what ``fold_in``/``explain`` need, keyed by raw ids."""

    user_ids: np.ndarray  # raw ids, sorted int64; row i of user_embeddings
    item_ids: np.ndarray  # raw ids, sorted int64; row i of item_embeddings
    user_embeddings: np.ndarray  # (n_users, d) float32, final
    item_embeddings: np.ndarray  # (n_items, d) float32, final
    item_history_vectors: np.ndarray  # (n_items, d) float32: h_j of the module docstring
    fold_in_map: np.ndarray  # (d, d) float32: M = I + W
    config: TrainConfig
    fingerprint: str
    metrics: dict = field(default_factory=dict)
    trained_at: str = ""
    versions: dict = field(default_factory=dict)
    data_as_of: int | None = None  # newest rating timestamp the model saw (set by the trainer)

    def __post_init__(self) -> None:
        self._users, self._items = IdMap(self.user_ids), IdMap(self.item_ids)
        norms = np.linalg.norm(self.item_embeddings, axis=1, keepdims=True)
        self._unit_items = (self.item_embeddings / np.maximum(norms, 1e-12)).astype(np.float32)

    @property
    def version(self) -> str:
        """Identifies this model: training time and data fingerprint."""
        return f"{self.trained_at.replace('-', '').replace(':', '')}-{self.fingerprint[:8]}"

    # ---------------------------------------------------------------- training

    @classmethod
    def fit(
        cls,
        ratings: pd.DataFrame,
        config: TrainConfig | None = None,
        valid: pd.DataFrame | None = None,
        progress: bool = True,
    ) -> Recommender:
        """Train LightGCN on a ratings table (raw ids); ``valid`` enables early stopping."""
        config = config or TrainConfig()
        table = validate_interactions(ratings, source="training ratings")
        train = positives(table, config.rating_threshold)
        users, items = (
            IdMap.from_ids(train["user_id"].to_numpy()),
            IdMap.from_ids(train["item_id"].to_numpy()),
        )
        u, i = users.lookup(train["user_id"].to_numpy()), items.lookup(train["item_id"].to_numpy())
        valid_matrix = None
        if valid is not None:
            v = positives(validate_interactions(valid, source="validation ratings"), config.rating_threshold)
            vu, vi = users.lookup(v["user_id"].to_numpy()), items.lookup(v["item_id"].to_numpy())
            known = (vu >= 0) & (vi >= 0)
            valid_matrix = interaction_matrix(vu[known], vi[known], len(users), len(items))
        result = train_lightgcn(u, i, len(users), len(items), config, valid_matrix, progress)
        model = cls.from_model(result.model, u, i, users.raw_ids, items.raw_ids, config)
        model.fingerprint = interactions_fingerprint(
            table["user_id"].to_numpy(), table["item_id"].to_numpy(), table["rating"].to_numpy()
        )
        model.data_as_of = int(table["timestamp"].max())
        model.metrics = {
            **{f"valid_{k}": v for k, v in result.valid_metrics.items()},
            "epochs": result.epochs,
            "best_epoch": result.best_epoch,
            "train_seconds": round(result.seconds, 2),
            "interactions": len(train),
        }
        return model

    @classmethod
    def from_model(
        cls,
        model,
        users: np.ndarray,
        items: np.ndarray,
        user_ids: np.ndarray,
        item_ids: np.ndarray,
        config: TrainConfig,
        ridge: float = 1.0,
    ) -> Recommender:
        """Precompute query-time arrays from a trained :class:`ml.models.lightgcn.LightGCN`."""
        import torch

        with torch.no_grad():
            model.eval()
            layers = [x.cpu().numpy() for x in model.layers()]
            user_final, item_final = (x.cpu().numpy() for x in model())
        alpha, n_users, n_items = model.alpha.cpu().numpy(), model.n_users, model.n_items
        # Graph degrees: an item's include its item–item and attribute edges, as propagation saw them.
        item_degree = model.degree[n_users : n_users + n_items]
        inv_sqrt = np.where(item_degree > 0, 1.0 / np.sqrt(np.maximum(item_degree, 1.0)), 0.0)[:, None]
        history = sum(alpha[k + 1] * layers[k][n_users : n_users + n_items] for k in range(model.num_layers))
        history = history * inv_sqrt
        # Ridge map from the propagated part p_u to the free part α0 e_u⁰, fitted on trained users.
        matrix = interaction_matrix(users, items, n_users, n_items)
        user_degree = np.maximum(np.diff(matrix.indptr), 1).astype(np.float32)[:, None]
        propagated = np.asarray(matrix @ history) / np.sqrt(user_degree)
        free = alpha[0] * layers[0][:n_users]
        gram = propagated.T @ propagated + ridge * np.eye(propagated.shape[1])
        fold_in_map = np.eye(propagated.shape[1]) + np.linalg.solve(gram, propagated.T @ free)
        return cls(
            user_ids=np.asarray(user_ids, np.int64),
            item_ids=np.asarray(item_ids, np.int64),
            user_embeddings=user_final.astype(np.float32),
            item_embeddings=item_final.astype(np.float32),
            item_history_vectors=history.astype(np.float32),
            fold_in_map=fold_in_map.astype(np.float32),
            config=config,
            fingerprint="",
            trained_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            versions=library_versions(),
        )

    # ---------------------------------------------------------------- queries

    def has_user(self, user_id: int) -> bool:
        return bool(self._users.lookup(int(user_id))[0] >= 0)

    def has_item(self, item_id: int) -> bool:
        return bool(self._items.lookup(int(item_id))[0] >= 0)

    def user_vector(self, user_id: int) -> np.ndarray:
        """Final embedding of a trained user (raw id); KeyError if unknown."""
        return self.user_embeddings[self._users.index(np.int64(user_id), "user")[0]]

    def _known_items(self, item_ids: np.ndarray | None) -> np.ndarray:
        if item_ids is None:
            return np.zeros(0, np.int64)
        idx = self._items.lookup(np.asarray(item_ids, np.int64).ravel())
        return idx[idx >= 0]

    def fold_in(self, rated_items: np.ndarray, ratings: np.ndarray | None = None) -> np.ndarray:
        """A user vector from raw item ids the user rated, without retraining (module docstring).

        With a ``rating_threshold`` in the config, items rated below it are not positives and are
        dropped (as in training). Unknown items are ignored; an empty history gives the zero vector.
        """
        rated_items = np.asarray(rated_items, np.int64).ravel()
        if ratings is not None and self.config.rating_threshold is not None:
            rated_items = rated_items[np.asarray(ratings, np.float64).ravel() >= self.config.rating_threshold]
        idx = np.unique(self._known_items(rated_items))
        if len(idx) == 0:
            return np.zeros(self.item_embeddings.shape[1], np.float32)
        propagated = self.item_history_vectors[idx].sum(axis=0) / np.sqrt(len(idx))
        return (propagated @ self.fold_in_map).astype(np.float32)

    def fold_in_batch(self, user_ids: np.ndarray, item_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`fold_in` for many users at once from (user, item) rows: (unique user ids, vectors)."""
        users, user_idx = np.unique(np.asarray(user_ids, np.int64), return_inverse=True)
        items = self._items.lookup(item_ids)
        known = items >= 0
        history = interaction_matrix(user_idx[known], items[known], len(users), len(self.item_ids))
        degree = np.maximum(np.diff(history.indptr), 1)[:, None]
        propagated = np.asarray(history @ self.item_history_vectors) / np.sqrt(degree)
        return users, (propagated @ self.fold_in_map).astype(np.float32)

    def _as_vector(self, user: int | np.ndarray) -> np.ndarray:
        if isinstance(user, np.ndarray) and user.dtype.kind == "f":
            return user.astype(np.float32, copy=False)
        return self.user_vector(int(user))

    def scores(self, user: int | np.ndarray) -> np.ndarray:
        """Scores of every item (rows of ``item_ids``) for a raw user id or a user vector."""
        return self.item_embeddings @ self._as_vector(user)

    def recommend(
        self,
        user: int | np.ndarray,
        k: int = 10,
        allowed_items: np.ndarray | None = None,
        exclude: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """Top-``k`` ``(raw item id, score)``, best first, among ``allowed_items`` minus ``exclude``.

        ``user`` is a raw user id or a float user vector (e.g. from :meth:`fold_in`).
        """
        scores = self.scores(user)
        candidates = None if allowed_items is None else np.unique(self._known_items(allowed_items))
        if candidates is not None:
            scores = scores[candidates]
        if exclude is not None and len(exclude):
            banned = self._known_items(exclude)
            scores[banned if candidates is None else np.isin(candidates, banned)] = -np.inf
        return self._top(candidates, scores, k)

    def _top(self, candidates: np.ndarray | None, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Best ``k`` of ``scores`` (aligned with ``candidates``, or with all items when None)."""
        k = min(k, len(scores))
        if k <= 0:
            return []
        part = np.argpartition(-scores, k - 1)[:k]
        best = part[np.argsort(-scores[part], kind="stable")]
        best = best[np.isfinite(scores[best])]
        ids = self.item_ids[best if candidates is None else candidates[best]]
        return list(zip(ids.tolist(), scores[best].astype(float).tolist(), strict=True))

    def recommend_batch(self, user_ids: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """(raw item ids, scores), each (len(user_ids), k), best first; no filtering."""
        rows = self._users.index(np.asarray(user_ids, np.int64), "user")
        scores = self.user_embeddings[rows] @ self.item_embeddings.T
        k = min(k, scores.shape[1])
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, part, 1), axis=1, kind="stable")
        best = np.take_along_axis(part, order, 1)
        return self.item_ids[best], np.take_along_axis(scores, best, 1)

    def similar_items(self, item_id: int, k: int = 10) -> list[tuple[int, float]]:
        """Items with the most similar final embeddings (cosine), the item itself left out."""
        idx = self._items.index(np.int64(item_id), "item")[0]
        scores = self._unit_items @ self._unit_items[idx]
        scores[idx] = -np.inf
        return self._top(None, scores, k)

    def explain(
        self, user: int | np.ndarray | None, item_id: int, rated_items: np.ndarray, k: int | None = 5
    ) -> list[tuple[int, float]]:
        """The rated items that contributed most to ``item_id``'s score: ``(rated item id, term)``.

        Terms are the exact per-item summands of the propagated user vector (module docstring): for
        a trained user id, of the propagated part of their embedding; otherwise of :meth:`fold_in`.
        """
        target = self.item_embeddings[self._items.index(np.int64(item_id), "item")[0]]
        idx = np.unique(self._known_items(rated_items))
        if len(idx) == 0:
            return []
        trained = (
            user is not None and not isinstance(user, np.ndarray) and self._users.lookup(int(user))[0] >= 0
        )
        direction = target if trained else self.fold_in_map @ target
        terms = self.item_history_vectors[idx] @ direction / np.sqrt(len(idx))
        order = np.argsort(-terms, kind="stable")[: k or len(idx)]
        return list(zip(self.item_ids[idx[order]].tolist(), terms[order].astype(float).tolist(), strict=True))

    def top_contributors(
        self, user: int | np.ndarray | None, item_ids: np.ndarray, rated_items: np.ndarray
    ) -> np.ndarray:
        """For each of ``item_ids``, the rated item with the largest :meth:`explain` term (raw ids;
        -1 when no rated item is known), for all items in one matrix product."""
        item_ids = np.asarray(item_ids, np.int64)
        idx = np.unique(self._known_items(rated_items))
        if len(idx) == 0 or len(item_ids) == 0:
            return np.full(len(item_ids), -1, dtype=np.int64)
        targets = self.item_embeddings[self._items.index(item_ids, "item")]
        trained = (
            user is not None and not isinstance(user, np.ndarray) and self._users.lookup(int(user))[0] >= 0
        )
        directions = targets if trained else targets @ self.fold_in_map.T
        terms = self.item_history_vectors[idx] @ directions.T  # (rated, items); the 1/sqrt(|R|) scale is moot
        return self.item_ids[idx[np.argmax(terms, axis=0)]]

    # ---------------------------------------------------------------- persistence

    def _metadata(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "config": self.config.to_dict(),
            "fingerprint": self.fingerprint,
            "metrics": self.metrics,
            "trained_at": self.trained_at,
            "versions": self.versions,
            "data_as_of": self.data_as_of,
        }

    def save(self, path: str | Path) -> Path:
        """Write the checkpoint atomically (temp file in the same folder, then ``os.replace``)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle,
                    metadata=np.array(json.dumps(self._metadata())),
                    **{name: getattr(self, name) for name in _ARRAYS},
                )
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | Path, expected_fingerprint: str | None = None) -> Recommender:
        """Read a checkpoint; :class:`CheckpointMismatch` if code or data do not match it."""
        start = time.perf_counter()
        try:
            with np.load(path, allow_pickle=False) as archive:
                metadata = json.loads(str(archive["metadata"]))
                arrays = {name: archive[name] for name in _ARRAYS}
        except (KeyError, ValueError, OSError) as exc:
            raise CheckpointMismatch(f"{path}: not a readable CineGraph checkpoint ({exc})") from exc
        found = metadata.get("format_version")
        if found != FORMAT_VERSION:
            raise CheckpointMismatch(
                f"{path}: checkpoint format version {found}, this code reads {FORMAT_VERSION}; retrain"
            )
        try:
            config = TrainConfig.from_dict(metadata["config"])
        except (TypeError, ValueError) as exc:
            raise CheckpointMismatch(
                f"{path}: checkpoint config does not match this code: {exc}; retrain"
            ) from exc
        if expected_fingerprint is not None and metadata["fingerprint"] != expected_fingerprint:
            raise CheckpointMismatch(
                f"{path}: checkpoint was trained on data {metadata['fingerprint'][:12]}…, the current data "
                f"is {expected_fingerprint[:12]}…; retrain (or fold in the new ratings)"
            )
        model = cls(
            **arrays,
            config=config,
            fingerprint=metadata["fingerprint"],
            metrics=metadata["metrics"],
            trained_at=metadata["trained_at"],
            versions=metadata["versions"],
            data_as_of=metadata.get("data_as_of"),
        )
        log.info("loaded checkpoint %s (%s) in %.2fs", path, model.version, time.perf_counter() - start)
        return model
