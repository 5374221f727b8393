"""What a new user gets from five picks (``cinegraph bench experience``), strong generalisation.

10% of users are left out of training entirely. For each of them, five movies they rated ≥ 4 (seeded
random) are their picks, as onboarding stores them; every other movie they rated is a target. Three
scorers see the same five picks and nothing else:

- the product's path: :meth:`ml.recommender.Recommender.fold_in` with ``picked_items`` (a new user's
  vector from the propagated part and the learned free-part map), scored with the item embeddings;
- EASE^R fitted on the training users, ``score = x_picks B`` (its natural new-user path; λ from the
  same grid as ``cinegraph bench train``, tuned on the training users' validation split);
- popularity.

Reported: NDCG@20 and Recall@20 over the targets, and the median number of training ratings of the
movies each scorer shows (what "mostly popular films" means in numbers) against the targets' median.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ml.interactions import IdMap, interaction_matrix
from ml.metrics import ranking_metrics, top_k
from ml.models.baselines import EASE
from ml.recommender import Recommender
from ml.split import split_interactions
from ml.train import TrainConfig

PICKS = 5
LIKED = 4.0
LIST_LENGTH = 20


def choose_picks(ratings: pd.DataFrame, users: np.ndarray, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(picks, targets) of ``users``: ``PICKS`` movies each rated ≥ 4 at random; everything else they rated.

    Users with fewer than ``PICKS`` such movies are left out.
    """
    rng = np.random.default_rng(seed)
    theirs = ratings[ratings["user_id"].isin(users)]
    liked = theirs[theirs["rating"] >= LIKED].assign(draw=lambda f: rng.random(len(f)))
    liked = liked.sort_values(["user_id", "draw"])
    picks = liked.groupby("user_id").head(PICKS)
    counts = picks.groupby("user_id").size()
    eligible = counts.index[counts == PICKS]
    picks = picks[picks["user_id"].isin(eligible)]
    picked = pd.MultiIndex.from_frame(picks[["user_id", "item_id"]])
    rest = theirs[theirs["user_id"].isin(eligible)]
    targets = rest[~pd.MultiIndex.from_frame(rest[["user_id", "item_id"]]).isin(picked)]
    return picks.drop(columns="draw"), targets


def onboarding_report(
    ratings: pd.DataFrame, config: TrainConfig | None = None, holdout_share: float = 0.1, seed: int = 0
) -> dict:
    config = config or TrainConfig(seed=seed)
    rng = np.random.default_rng(seed)
    all_users = np.unique(ratings["user_id"].to_numpy())
    held = rng.choice(all_users, size=max(1, int(holdout_share * len(all_users))), replace=False)
    training = ratings[~ratings["user_id"].isin(held)]
    train, valid, _ = split_interactions(training, "random", seed=seed, ratios=(0.9, 0.1, 0.0))
    model = Recommender.fit(train, config, valid=valid, progress=False)
    picks, targets = choose_picks(ratings, held, seed)

    items = IdMap(model.item_ids)
    users = IdMap(np.unique(picks["user_id"].to_numpy()))

    def matrix(frame: pd.DataFrame) -> sp.csr_matrix:
        u, i = users.lookup(frame["user_id"].to_numpy()), items.lookup(frame["item_id"].to_numpy())
        return interaction_matrix(u[i >= 0], i[i >= 0], len(users), len(items))

    picked, target = matrix(picks), matrix(targets)
    vectors = np.stack(
        [model.fold_in(np.zeros(0, np.int64), picked_items=model.item_ids[row.indices]) for row in picked]
    )
    trained = model.interaction_matrix(train)
    popularity = np.asarray(trained.sum(axis=0)).ravel().astype(np.float32)
    ease = EASE().fit(*trained.nonzero(), *trained.shape)
    ease.tune(model.interaction_matrix(valid))
    scorers = {
        "product (LightGCN fold-in of the picks)": lambda rows: vectors[rows] @ model.item_embeddings.T,
        f"EASE^R (λ={ease.reg:g}) from the picks": lambda rows: np.asarray(picked[rows] @ ease.weights),
        "popularity": lambda rows: np.broadcast_to(popularity, (len(rows), len(popularity))),
    }
    rows = np.arange(len(users))
    report: dict = {
        "held_out_users": len(held),
        "users_with_5_picks": len(users),
        "targets_per_user_median": float(np.median(np.diff(target.indptr))),
        "targets_median_popularity": float(np.median(popularity[target.indices])),
    }
    for name, score in scorers.items():
        top = top_k(score, rows, LIST_LENGTH, picked)
        metrics = ranking_metrics(top, target, ks=(LIST_LENGTH,))
        report[name] = {
            "ndcg@20": round(metrics["ndcg@20"], 4),
            "recall@20": round(metrics["recall@20"], 4),
            "shown_median_popularity": float(np.median(popularity[top])),
        }
    return report
