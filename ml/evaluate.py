"""The evaluation harness: one split (train/valid/test tables) → a model → full-ranking metrics.

Ids are indexed over the union of the three tables (as RecBole does before it splits), so an item
seen only in test still counts against recall. Validation scores exclude training items; test scores
exclude training and validation items. The same harness runs LightGCN and the baselines.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ml.interactions import IdMap, interaction_matrix, positives
from ml.metrics import evaluate_ranking, top_k
from ml.models.baselines import ALS, EASE, Popularity
from ml.train import TrainConfig, evaluate_model, train_lightgcn, validation_users

MODELS = ("lightgcn", "ease", "als", "popularity")
DEFAULT_MODEL = "lightgcn"


@dataclass
class IndexedSplit:
    users: IdMap
    items: IdMap
    train: sp.csr_matrix
    valid: sp.csr_matrix
    test: sp.csr_matrix

    @classmethod
    def build(
        cls,
        train: pd.DataFrame,
        valid: pd.DataFrame,
        test: pd.DataFrame,
        rating_threshold: float | None = None,
    ) -> IndexedSplit:
        frames = [positives(f, rating_threshold) for f in (train, valid, test)]
        users = IdMap.from_ids(np.concatenate([f["user_id"].to_numpy() for f in frames]))
        items = IdMap.from_ids(np.concatenate([f["item_id"].to_numpy() for f in frames]))
        matrices = [
            interaction_matrix(
                users.lookup(f["user_id"].to_numpy()),
                items.lookup(f["item_id"].to_numpy()),
                len(users),
                len(items),
            )
            for f in frames
        ]
        return cls(users, items, *matrices)

    def train_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        coo = self.train.tocoo()
        return coo.row.astype(np.int64), coo.col.astype(np.int64)


@dataclass
class EvaluationResult:
    model: str
    valid: dict[str, float]
    test: dict[str, float]
    train_seconds: float
    eval_seconds: float
    details: dict
    top_items: np.ndarray | None = None  # test users x 20 item indices
    top_users: np.ndarray | None = None

    def summary(self) -> dict:
        return {
            "model": self.model,
            **{k: round(v, 5) if isinstance(v, float) else v for k, v in self.test.items()},
            "valid_ndcg@20": round(self.valid.get("ndcg@20", float("nan")), 5),
            "train_seconds": round(self.train_seconds, 2),
            "eval_seconds": round(self.eval_seconds, 2),
            **self.details,
        }


def evaluate_split(
    train: pd.DataFrame,
    valid: pd.DataFrame,
    test: pd.DataFrame,
    model: str = DEFAULT_MODEL,
    config: TrainConfig | None = None,
    progress: bool = False,
    keep_top: bool = False,
) -> EvaluationResult:
    """Train ``model`` on ``train`` (early stop / tune on ``valid``) and score ``test``."""
    config = config or TrainConfig()
    split = IndexedSplit.build(train, valid, test, config.rating_threshold)
    seen = (split.train + split.valid).tocsr()
    start = time.perf_counter()
    details: dict = {}
    if model == "lightgcn":
        users, items = split.train_arrays()
        result = train_lightgcn(
            users, items, len(split.users), len(split.items), config, split.valid, progress
        )
        train_seconds = time.perf_counter() - start
        epoch_seconds = [record["train_seconds"] for record in result.history]
        details = {
            "epochs": result.epochs,
            "best_epoch": result.best_epoch,
            "loss": config.loss,
            "epoch_seconds": round(float(np.mean(epoch_seconds)), 2),
        }
        user_final, item_final = (t.detach().numpy() for t in result.model())
        score = lambda u: user_final[u] @ item_final.T  # noqa: E731
    elif model in ("ease", "als", "popularity"):
        baseline = {"ease": EASE, "als": ALS, "popularity": Popularity}[model]()
        users, items = split.train_arrays()
        baseline.fit(users, items, len(split.users), len(split.items))
        if isinstance(baseline, EASE):
            baseline.tune(split.valid)
            details = {"reg": baseline.reg}
        elif isinstance(baseline, ALS):  # on the users LightGCN's early stopping ranks
            baseline.tune(split.valid, users=validation_users(split.valid, config.eval_users, config.seed))
            details = {"alpha": baseline.alpha, "reg": baseline.regularization}
        train_seconds = time.perf_counter() - start
        score = baseline.score
    else:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    start = time.perf_counter()
    valid_metrics = _ranking_of_sample(score, split.valid, split.train, config)
    test_metrics = _ranking_of_sample(score, split.test, seen, config)
    eval_seconds = time.perf_counter() - start
    top_users = top_items = None
    if keep_top:
        top_users = np.arange(len(split.users))
        top_items = top_k(score, top_users, 20, seen)
        top_users, top_items = split.users.raw_ids[top_users], split.items.raw_ids[top_items]
    return EvaluationResult(
        model, valid_metrics, test_metrics, train_seconds, eval_seconds, details, top_items, top_users
    )


def _ranking_of_sample(score, target: sp.csr_matrix, exclude: sp.csr_matrix, config: TrainConfig) -> dict:
    """Full-ranking metrics of every user with a target, or of the fixed sample of ``config.eval_users``
    of them (the same rule as early stopping) where there are more."""
    users = validation_users(target, config.eval_users, config.seed)
    return evaluate_ranking(lambda rows: score(users[rows]), target[users], exclude[users])


__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "EvaluationResult",
    "IndexedSplit",
    "evaluate_model",
    "evaluate_split",
    "fold_in_experiment",
]


def fold_in_experiment(
    train: pd.DataFrame,
    valid: pd.DataFrame,
    test: pd.DataFrame,
    config: TrainConfig | None = None,
    holdout_share: float = 0.1,
) -> dict:
    """How close fold-in comes to retraining, on a split.

    A share of users is left out of training entirely; their training history is then folded in
    (``fold_in_batch``) and their test items scored. The same users' NDCG@20/Recall@20 under a model
    retrained *with* them is the reference. Also reported: fold-in inside the retrained model (the
    "changed user" case) and the cosine between folded-in and trained vectors.
    """
    from ml.recommender import Recommender

    config = config or TrainConfig()
    rng = np.random.default_rng(config.seed)
    all_users = np.unique(train["user_id"].to_numpy())
    held = rng.choice(all_users, size=max(1, int(holdout_share * len(all_users))), replace=False)
    start = time.perf_counter()
    full = Recommender.fit(train, config, valid=valid, progress=False)
    full_seconds = time.perf_counter() - start
    partial = Recommender.fit(
        train[~train.user_id.isin(held)], config, valid=valid[~valid.user_id.isin(held)], progress=False
    )
    mine = train[train.user_id.isin(held)]
    items = IdMap(full.item_ids)
    users = IdMap(np.sort(held))

    def rows(frame: pd.DataFrame) -> sp.csr_matrix:
        frame = frame[frame.user_id.isin(held)]
        u, i = users.lookup(frame.user_id.to_numpy()), items.lookup(frame.item_id.to_numpy())
        return interaction_matrix(u[i >= 0], i[i >= 0], len(users), len(items))

    seen, target = rows(pd.concat([train, valid])), rows(test)

    def metrics_of(model: Recommender, vectors: np.ndarray) -> dict:
        scores = np.full((len(users), len(items)), -np.inf, dtype=np.float32)
        scores[:, items.lookup(model.item_ids)] = vectors @ model.item_embeddings.T
        result = evaluate_ranking(lambda u: scores[u], target, seen, ks=(20,))
        return {"ndcg@20": round(result["ndcg@20"], 4), "recall@20": round(result["recall@20"], 4)}

    start = time.perf_counter()
    _, folded_partial = partial.fold_in_batch(mine.user_id.to_numpy(), mine.item_id.to_numpy())
    fold_seconds = time.perf_counter() - start
    _, folded_full = full.fold_in_batch(mine.user_id.to_numpy(), mine.item_id.to_numpy())
    trained = full.user_embeddings[IdMap(full.user_ids).lookup(users.raw_ids)]
    cosine = np.sum(folded_full * trained, 1) / (
        np.linalg.norm(folded_full, axis=1) * np.linalg.norm(trained, axis=1) + 1e-12
    )
    return {
        "held_out_users": len(held),
        "retrained": metrics_of(full, trained),
        "fold_in_new_users": metrics_of(partial, folded_partial),
        "fold_in_in_retrained_model": metrics_of(full, folded_full),
        "cosine_fold_in_vs_trained": round(float(np.mean(cosine)), 4),
        "retrain_seconds": round(full_seconds, 2),
        "fold_in_ms_per_user": round(1000 * fold_seconds / len(held), 4),
    }
