"""Baselines for the evaluation harness: most-popular and EASE^R.

* ``Popularity``: ``score(u, i) = |{v : (v, i) ∈ train}|``, the same list for everyone.
* ``EASE`` (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): the item–item
  weights solve ``min_B ||X - XB||² + λ||B||²`` s.t. ``diag(B) = 0`` in closed form,
  ``P = (XᵀX + λI)⁻¹``, ``B = -P / diag(P)`` (column-wise), ``diag(B) = 0``; ``score(u) = x_u B``.
  ``λ`` is picked on the validation split from a small grid when one is given.
* ``ALS``: implicit-feedback matrix factorisation (Hu, Koren & Volinsky, ICDM 2008) from the
  ``implicit`` library — a well-kept, fast peer at any size, where EASE's ``n_items²`` inverse no longer
  fits. Confidence ``1 + α`` on every positive; ``α`` and the L2 weight are picked on validation from a
  grid that wider searches settled (64 factors beat 128 on the synthetic 1M ratings; the best L2 grew
  with the data, 30 there and 100 at 10M: docs/ml.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import torch

from ml.interactions import interaction_matrix


class Popularity:
    """Most-popular items by training interaction count."""

    name = "popularity"

    def fit(self, users: np.ndarray, items: np.ndarray, n_users: int, n_items: int) -> Popularity:
        self.counts = np.bincount(items, minlength=n_items).astype(np.float32)
        return self

    def score(self, user_idx: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.counts, (len(user_idx), len(self.counts)))


class EASE:
    """EASE^R with L2 weight ``reg`` (closed form, one ``n_items²`` inverse)."""

    name = "ease"

    def __init__(self, reg: float = 250.0) -> None:
        self.reg = reg

    def fit(self, users: np.ndarray, items: np.ndarray, n_users: int, n_items: int) -> EASE:
        self.history = interaction_matrix(users, items, n_users, n_items)
        gram = torch.from_numpy((self.history.T @ self.history).toarray().astype(np.float64))
        self._gram = gram
        self._set_reg(self.reg)
        return self

    def _set_reg(self, reg: float) -> None:
        self.reg = reg
        inverse = torch.linalg.inv(self._gram + reg * torch.eye(self._gram.shape[0], dtype=torch.float64))
        weights = -inverse / torch.diag(inverse)
        weights.fill_diagonal_(0.0)
        self.weights = weights.float().numpy()

    def score(self, user_idx: np.ndarray) -> np.ndarray:
        return np.asarray(self.history[user_idx] @ self.weights)

    def tune(self, valid: sp.csr_matrix, grid: Sequence[float] = (50, 100, 200, 300, 500, 1000)) -> dict:
        """Pick ``reg`` by validation NDCG@20 (train items excluded); returns {reg: ndcg}."""
        from ml.metrics import evaluate_ranking

        results = {}
        for reg in grid:
            self._set_reg(reg)
            results[reg] = evaluate_ranking(self.score, valid, self.history, ks=(20,))["ndcg@20"]
        self._set_reg(max(results, key=results.get))
        return results


class ALS:
    """Implicit ALS (``implicit.cpu.als``) with ``factors`` dimensions and ``iterations`` sweeps."""

    name = "als"

    def __init__(
        self,
        factors: int = 128,
        regularization: float = 0.05,
        alpha: float = 10.0,
        iterations: int = 15,
        seed: int = 0,
        threads: int = 0,
    ) -> None:
        self.factors, self.regularization, self.alpha = factors, regularization, alpha
        self.iterations, self.seed, self.threads = iterations, seed, threads

    def fit(self, users: np.ndarray, items: np.ndarray, n_users: int, n_items: int) -> ALS:
        self.history = interaction_matrix(users, items, n_users, n_items)
        self._fit()
        return self

    def _fit(self) -> None:
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        model = AlternatingLeastSquares(
            factors=self.factors,
            regularization=self.regularization,
            alpha=self.alpha,
            iterations=self.iterations,
            random_state=self.seed,
            num_threads=self.threads,
        )
        with threadpool_limits(1, "blas"):  # implicit parallelises over users itself
            model.fit(self.history, show_progress=False)
        self.user_factors, self.item_factors = model.user_factors, model.item_factors

    def score(self, user_idx: np.ndarray) -> np.ndarray:
        return self.user_factors[user_idx] @ self.item_factors.T

    def tune(
        self,
        valid: sp.csr_matrix,
        alphas: Sequence[float] = (1.0, 4.0),
        regs: Sequence[float] = (30.0, 100.0, 300.0),
        users: np.ndarray | None = None,
    ) -> dict:
        """Pick ``α`` and the L2 weight by validation NDCG@20 (train items excluded); {(α, reg): ndcg}.
        ``users``: rank only these (a fixed sample, as LightGCN's early stopping does; None: all)."""
        from ml.metrics import evaluate_ranking

        users = np.arange(valid.shape[0]) if users is None else np.asarray(users)
        target, seen = valid[users], self.history[users]

        def score(rows: np.ndarray) -> np.ndarray:
            return self.score(users[rows])

        results, best = {}, None
        for alpha in alphas:
            for reg in regs:
                self.alpha, self.regularization = alpha, reg
                self._fit()
                results[(alpha, reg)] = evaluate_ranking(score, target, seen, ks=(20,))["ndcg@20"]
                if best is None or results[(alpha, reg)] > results[best]:
                    best, factors = (alpha, reg), (self.user_factors, self.item_factors)
        self.alpha, self.regularization = best
        self.user_factors, self.item_factors = factors
        return results
