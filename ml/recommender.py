"""The trained model the service queries: embeddings as float32 numpy, raw ids in and out.

Scores are dot products of final LightGCN embeddings (see :mod:`ml.models.lightgcn`). Everything a
query needs is precomputed at fit/load time, so ``recommend`` is one matrix–vector product and an
``argpartition``.

**Fold-in.** LightGCN's final user embedding splits exactly into a free part and a propagated part::

    e_u = α_0 e_u⁰ + Σ_{k≥1} α_k e_u^(k)
        = α_0 e_u⁰ + 1/sqrt(|R_u|) Σ_{j ∈ R_u} h_j,      h_j = Σ_{k=0}^{K-1} α_{k+1} e_j^(k) / sqrt(|N(j)|)

because ``e_u^(k+1) = Σ_j e_j^(k) / sqrt(|R_u| |N(j)|)``. The item vectors ``h_j`` are stored, so the
propagated part ``p`` of a new or changed user is *exactly* what propagation would give them (up to
their own, negligible, effect on the items' embeddings).

- A trained user whose history changed (a new rating) keeps the free part ``α_0 e_u⁰`` that training
  learned: ``fold_in(R, user_id=u) = α_0 e_u⁰ + p`` — an update, not a restart; with the unchanged
  history it is the trained vector.
- A new user has no free part. It is estimated as the mean free part of the ``NEW_USER_NEIGHBOURS``
  trained users whose propagated parts are closest (cosine) to theirs: people who liked the same
  movies. (A ridge map from ``p`` to the free part, fitted on all trained users, fell below EASE for
  new users with five picks: ``docs/benchmarks.md``.)

**Explain.** Because ``p`` is a sum over rated items, item ``i``'s score splits exactly into one
term per rated item ``j``, ``h_j · e_i / sqrt(|R|)``, plus the free part's term, which no single rated
item owns; explanations rank rated items by their terms.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import platform
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ml.fingerprint import interactions_fingerprint
from ml.interactions import IdMap, interaction_matrix, positives, validate_interactions
from ml.npz_files import save_npz_atomically
from ml.rating_scale import RatingScale, ScoreMoments
from ml.train import TrainConfig, train_lightgcn

log = logging.getLogger(__name__)

NEW_USER_NEIGHBOURS = 100
"""Trained users whose free parts make a new user's (module docstring)."""

FORMAT_VERSION = 2  # 2: user_free_parts, the rating scale
_ARRAYS = (
    "user_ids",
    "item_ids",
    "user_embeddings",
    "user_free_parts",
    "item_embeddings",
    "item_history_vectors",
    "item_biases",
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
    user_free_parts: np.ndarray  # (n_users, d) float32: α_0 e_u⁰, the part of e_u that is not propagated
    item_embeddings: np.ndarray  # (n_items, d) float32, final
    item_history_vectors: np.ndarray  # (n_items, d) float32: h_j of the module docstring
    rating_scale: RatingScale  # predicted stars (ml.rating_scale)
    config: TrainConfig
    fingerprint: str
    metrics: dict = field(default_factory=dict)
    trained_at: str = ""
    versions: dict = field(default_factory=dict)
    data_as_of: int | None = None  # newest rating timestamp the model saw (set by the trainer)

    def __post_init__(self) -> None:
        self._users, self._items = IdMap(self.user_ids), IdMap(self.item_ids)
        self._score_moments = ScoreMoments.of(self.item_embeddings)
        propagated = self.user_embeddings - self.user_free_parts
        norms = np.linalg.norm(propagated, axis=1, keepdims=True)
        self._unit_propagated = (propagated / np.maximum(norms, 1e-12)).astype(np.float32)

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
        model = cls.from_model(result.model, users.raw_ids, items.raw_ids, config)
        model.fit_rating_scale(table, valid)
        model._record_data(table)
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
        user_ids: np.ndarray,
        item_ids: np.ndarray,
        config: TrainConfig,
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
        free = alpha[0] * layers[0][:n_users]
        return cls(
            user_ids=np.asarray(user_ids, np.int64),
            item_ids=np.asarray(item_ids, np.int64),
            user_embeddings=user_final.astype(np.float32),
            user_free_parts=free.astype(np.float32),
            item_embeddings=item_final.astype(np.float32),
            item_history_vectors=history.astype(np.float32),
            rating_scale=RatingScale.from_ratings(np.zeros(0, np.int64), np.zeros(0), n_items),
            config=config,
            fingerprint="",
            trained_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            versions=library_versions(),
        )

    def fit_rating_scale(self, ratings: pd.DataFrame, held_out: pd.DataFrame | None = None) -> None:
        """Biases from ``ratings`` (every rating, liked or not); with ``held_out`` ratings the model did not
        train on, also the weight of its standardised score (:mod:`ml.rating_scale`)."""
        users, items, values = self.known_pairs(ratings, known_users=False)
        scale = RatingScale.from_ratings(items, values, len(self.item_ids))
        if held_out is not None:
            biases = self.user_biases(scale, ratings)
            hu, hi, hv = self.known_pairs(held_out)
            scale = scale.calibrate(biases[hu], hi, self.standardised_scores(hu, hi), hv)
        self.rating_scale = scale

    def known_pairs(
        self, ratings: pd.DataFrame, known_users: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(user rows, item rows, ratings) of a table's rows whose item (and user) the model knows; user
        rows are -1 for unknown users when ``known_users`` is False."""
        users = self._users.lookup(ratings["user_id"].to_numpy())
        items = self._items.lookup(ratings["item_id"].to_numpy())
        keep = (items >= 0) & ((users >= 0) | (not known_users))
        return users[keep], items[keep], ratings["rating"].to_numpy(np.float64)[keep]

    def user_biases(self, scale: RatingScale, ratings: pd.DataFrame) -> np.ndarray:
        """Every trained user's bias (rows of ``user_ids``) from a ratings table."""
        users, items, values = self.known_pairs(ratings)
        return scale.user_biases(users, items, values, len(self.user_ids))

    def standardised_scores(self, user_rows: np.ndarray, item_rows: np.ndarray) -> np.ndarray:
        """Each trained user's score of the paired item, standardised over all items for that user."""
        vectors = self.user_embeddings[user_rows]
        scores = np.einsum("nd,nd->n", vectors, self.item_embeddings[item_rows])[:, None]
        return self._score_moments.standardise(vectors, scores)[:, 0]

    # ---------------------------------------------------------------- queries

    def predicted_ratings(
        self, user: int | np.ndarray, item_ids: np.ndarray, rated_items: np.ndarray, ratings: np.ndarray
    ) -> np.ndarray:
        """Predicted stars of ``item_ids`` (raw, known to the model) for a user id or vector whose ratings
        are ``(rated_items, ratings)`` (:mod:`ml.rating_scale`)."""
        vector = self._as_vector(user)
        rows = self._items.index(np.asarray(item_ids, np.int64), "item")
        bias = self.rating_scale.user_bias(self._items.lookup(np.asarray(rated_items, np.int64)), ratings)
        z = self._score_moments.standardise(vector, self.item_embeddings[rows] @ vector)[0]
        return self.rating_scale.predict(bias, rows, z)

    def with_items(
        self, item_ids: np.ndarray, embeddings: np.ndarray, history_vectors: np.ndarray
    ) -> Recommender:
        """This model with movies it was not trained on (``ml.cold_items``): new rows, or replaced rows
        for ids it already has; their rating bias is 0 (nobody has rated them). The trained rows are
        unchanged, so every other score stays the same."""
        item_ids = np.asarray(item_ids, np.int64)
        all_ids = np.union1d(self.item_ids, item_ids)
        old_rows, new_rows = np.searchsorted(all_ids, self.item_ids), np.searchsorted(all_ids, item_ids)

        def merged(old: np.ndarray, new: np.ndarray) -> np.ndarray:
            out = np.zeros((len(all_ids), *old.shape[1:]), old.dtype)
            out[old_rows], out[new_rows] = old, new
            return out

        biases = merged(self.rating_scale.item_biases, np.zeros(len(item_ids), np.float64))
        return dataclasses.replace(
            self,
            item_ids=all_ids,
            item_embeddings=merged(self.item_embeddings, np.asarray(embeddings, np.float32)),
            item_history_vectors=merged(self.item_history_vectors, np.asarray(history_vectors, np.float32)),
            rating_scale=dataclasses.replace(self.rating_scale, item_biases=biases),
        )

    def has_user(self, user_id: int) -> bool:
        return bool(self._users.lookup(int(user_id))[0] >= 0)

    def has_item(self, item_id: int) -> bool:
        return bool(self._items.lookup(int(item_id))[0] >= 0)

    def interaction_matrix(self, frame: pd.DataFrame) -> sp.csr_matrix:
        """(model users × model items) matrix of a ratings table's rows whose user and item it knows."""
        users, items, _ = self.known_pairs(frame)
        return interaction_matrix(users, items, len(self.user_ids), len(self.item_ids))

    def user_vector(self, user_id: int) -> np.ndarray:
        """Final embedding of a trained user (raw id); KeyError if unknown."""
        return self.user_embeddings[self._users.index(np.int64(user_id), "user")[0]]

    def _known_items(self, item_ids: np.ndarray | None) -> np.ndarray:
        if item_ids is None:
            return np.zeros(0, np.int64)
        idx = self._items.lookup(np.asarray(item_ids, np.int64).ravel())
        return idx[idx >= 0]

    def fold_in(
        self,
        rated_items: np.ndarray,
        ratings: np.ndarray | None = None,
        user_id: int | None = None,
        picked_items: np.ndarray | None = None,
    ) -> np.ndarray:
        """A user vector from raw item ids the user rated or picked, without retraining (module docstring).

        For a trained ``user_id`` the trained free part is kept and only the propagated part follows
        the history; otherwise the free part is estimated from the propagated one. With a
        ``rating_threshold`` in the config, items rated below it are not positives and are dropped (as
        in training); ``picked_items`` (a new user's "I like this") are always positives. Unknown items
        are ignored.
        """
        positives = np.asarray(rated_items, np.int64).ravel()
        if ratings is not None and self.config.rating_threshold is not None:
            positives = positives[np.asarray(ratings, np.float64).ravel() >= self.config.rating_threshold]
        if picked_items is not None:
            positives = np.concatenate([positives, np.asarray(picked_items, np.int64).ravel()])
        idx = np.unique(self._known_items(positives))
        propagated = np.zeros(self.item_embeddings.shape[1], np.float32)
        if len(idx):
            propagated = self.item_history_vectors[idx].sum(axis=0) / np.sqrt(len(idx))
        trained = self._users.lookup(int(user_id))[0] if user_id is not None else -1
        if trained >= 0:
            return (self.user_free_parts[trained] + propagated).astype(np.float32)
        return (propagated + self.estimated_free_parts(propagated[None, :])[0]).astype(np.float32)

    def estimated_free_parts(self, propagated: np.ndarray) -> np.ndarray:
        """New users' free parts from their propagated parts (n, d): the mean free part of the
        ``NEW_USER_NEIGHBOURS`` trained users closest in cosine (module docstring)."""
        norms = np.linalg.norm(propagated, axis=1, keepdims=True)
        similarity = (propagated / np.maximum(norms, 1e-12)) @ self._unit_propagated.T
        k = min(NEW_USER_NEIGHBOURS, similarity.shape[1])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        return np.where(norms > 0, self.user_free_parts[nearest].mean(axis=1), 0.0).astype(np.float32)

    def with_histories_of(self, user_ids: np.ndarray, ratings: pd.DataFrame) -> Recommender:
        """This model with the vectors of the trained ``user_ids`` folded in from their ratings in
        ``ratings`` (:meth:`fold_in` for each, the trained free part kept), its rating biases and
        fingerprint those of ``ratings``: the model trained on ``ratings`` but for those users' ratings it
        did not see (``ml.production``). The calibrated score weights are kept."""
        table = validate_interactions(ratings, source="ratings to fold in")
        rows = self._users.lookup(np.unique(np.asarray(user_ids, np.int64)))
        rows = rows[rows >= 0]
        kept = positives(table, self.config.rating_threshold)
        users = self._users.lookup(kept["user_id"].to_numpy())
        items = self._items.lookup(kept["item_id"].to_numpy())
        mine = np.isin(users, rows) & (items >= 0)
        history = interaction_matrix(users[mine], items[mine], len(self.user_ids), len(self.item_ids))[rows]
        vectors = self.user_embeddings.copy()
        vectors[rows] = self.user_free_parts[rows] + self._propagated_parts(history)
        model = dataclasses.replace(self, user_embeddings=vectors, metrics=dict(self.metrics))
        model.fit_rating_scale(table)
        model.rating_scale = dataclasses.replace(model.rating_scale, weights=self.rating_scale.weights)
        model._record_data(table)
        model.metrics["interactions"] = len(kept)
        return model

    def fold_in_batch(self, user_ids: np.ndarray, item_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`fold_in` for many users at once from (user, item) rows: (unique user ids, vectors)."""
        users, user_idx = np.unique(np.asarray(user_ids, np.int64), return_inverse=True)
        items = self._items.lookup(item_ids)
        known = items >= 0
        history = interaction_matrix(user_idx[known], items[known], len(users), len(self.item_ids))
        propagated = self._propagated_parts(history)
        return users, (propagated + self.estimated_free_parts(propagated)).astype(np.float32)

    def _propagated_parts(self, history: sp.csr_matrix) -> np.ndarray:
        """Each row's propagated part ``1/sqrt(|R|) Σ_j h_j`` from a (users × model items) history."""
        degree = np.maximum(np.diff(history.indptr), 1)[:, None]
        return np.asarray(history @ self.item_history_vectors) / np.sqrt(degree)

    def _record_data(self, table: pd.DataFrame) -> None:
        """The fingerprint and newest timestamp of the ratings this model stands for."""
        self.fingerprint = interactions_fingerprint(
            table["user_id"].to_numpy(), table["item_id"].to_numpy(), table["rating"].to_numpy()
        )
        self.data_as_of = int(table["timestamp"].max())

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

    def explain(self, item_id: int, rated_items: np.ndarray, k: int | None = 5) -> list[tuple[int, float]]:
        """The rated items that contributed most to ``item_id``'s score: ``(rated item id, term)``.

        Terms are the exact per-item summands of the propagated part of the user's vector (module
        docstring); they add up to that part's score, for trained and new users alike.
        """
        target = self.item_embeddings[self._items.index(np.int64(item_id), "item")[0]]
        idx = np.unique(self._known_items(rated_items))
        if len(idx) == 0:
            return []
        terms = self.item_history_vectors[idx] @ target / np.sqrt(len(idx))
        order = np.argsort(-terms, kind="stable")[: k or len(idx)]
        return list(zip(self.item_ids[idx[order]].tolist(), terms[order].astype(float).tolist(), strict=True))

    def top_contributors(self, item_ids: np.ndarray, rated_items: np.ndarray) -> np.ndarray:
        """For each of ``item_ids``, the rated item with the largest :meth:`explain` term (raw ids;
        -1 when no rated item is known), for all items in one matrix product."""
        item_ids = np.asarray(item_ids, np.int64)
        idx = np.unique(self._known_items(rated_items))
        if len(idx) == 0 or len(item_ids) == 0:
            return np.full(len(item_ids), -1, dtype=np.int64)
        targets = self.item_embeddings[self._items.index(item_ids, "item")]
        terms = self.item_history_vectors[idx] @ targets.T  # (rated, items); the 1/sqrt(|R|) scale is moot
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
            "rating_mean": self.rating_scale.mean,
            "rating_weights": self.rating_scale.weights.tolist(),
        }

    def save(self, path: str | Path) -> Path:
        """Write the checkpoint atomically (:func:`ml.npz_files.save_npz_atomically`)."""
        return save_npz_atomically(
            path,
            metadata=np.array(json.dumps(self._metadata())),
            **{name: getattr(self, name) for name in _ARRAYS if name != "item_biases"},
            item_biases=self.rating_scale.item_biases,
        )

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
        scale = RatingScale(
            float(metadata["rating_mean"]),
            arrays.pop("item_biases"),
            np.asarray(metadata["rating_weights"], np.float32),
        )
        model = cls(
            **arrays,
            rating_scale=scale,
            config=config,
            fingerprint=metadata["fingerprint"],
            metrics=metadata["metrics"],
            trained_at=metadata["trained_at"],
            versions=metadata["versions"],
            data_as_of=metadata.get("data_as_of"),
        )
        log.info("loaded checkpoint %s (%s) in %.2fs", path, model.version, time.perf_counter() - start)
        return model
