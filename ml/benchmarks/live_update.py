"""What one new rating does to a trained user's list (``cinegraph bench experience``).

Three measures on a random 80/10/10 split, in the model's own terms (``ml.recommender``):

1. **Recomputing keeps what training learned.** Per activity decile of the test users, test NDCG@20
   of the vector recomputed from the user's own unchanged training history — the trained free part
   ``α_0 e_u⁰`` plus the propagated part (``fold_in(..., user_id=u)``) — and of the new-user fold-in
   (free part estimated), each relative to the trained vector.
2. **One rating nudges.** For the heaviest users, their top recommendation is rated 4★: how many of the
   other 19 cards of their top 20 leave it, and how far the list's median popularity (training
   ratings per movie) moves: with the update, and with a fold-in from scratch (the free part estimated
   as for a new user), which is how serving treated a known user before.
3. **The honest reference**: one retrain with all those ratings added, measured the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ml.metrics import ranking_metrics, top_k
from ml.recommender import Recommender

LIST_LENGTH = 20
NEW_RATING = 4.0


def _propagated(model: Recommender, history: sp.csr_matrix) -> np.ndarray:
    degree = np.maximum(np.diff(history.indptr), 1)[:, None]
    return np.asarray(history @ model.item_history_vectors) / np.sqrt(degree)


def _top(model: Recommender, vectors: np.ndarray, exclude: sp.csr_matrix) -> np.ndarray:
    rows = np.arange(len(vectors))
    return top_k(lambda batch: vectors[batch] @ model.item_embeddings.T, rows, LIST_LENGTH, exclude)


def recompute_by_decile(model: Recommender, train: sp.csr_matrix, seen: sp.csr_matrix, test: sp.csr_matrix):
    """Measure 1: rows of (decile, users, NDCG@20 of trained / updated / new-user vectors)."""
    users = np.flatnonzero(np.diff(test.indptr) > 0)
    propagated = _propagated(model, train[users])
    vectors = {
        "trained": model.user_embeddings[users],
        "updated": model.user_free_parts[users] + propagated,
        "new_user": propagated + model.estimated_free_parts(propagated),
    }
    activity = np.diff(train.indptr)[users]
    deciles = pd.qcut(activity, 10, labels=False, duplicates="drop")
    rows = []
    for decile in np.unique(deciles):
        members = deciles == decile
        ndcg = {
            name: ranking_metrics(_top(model, vector[members], seen[users[members]]), test[users[members]])[
                "ndcg@20"
            ]
            for name, vector in vectors.items()
        }
        rows.append(
            {
                "decile": int(decile) + 1,
                "users": int(members.sum()),
                "ratings": f"{activity[members].min()}-{activity[members].max()}",
                "ndcg_trained": round(ndcg["trained"], 4),
                "updated_vs_trained": round(ndcg["updated"] / ndcg["trained"], 4),
                "new_user_vs_trained": round(ndcg["new_user"] / ndcg["trained"], 4),
            }
        )
    return rows


def _list_change(before: np.ndarray, after: np.ndarray, popularity: np.ndarray) -> dict:
    """Per user: cards of ``before[1:]`` no longer in ``after``, and median popularity after / before."""
    changed = [len(set(b[1:]) - set(a)) for b, a in zip(before, after, strict=True)]
    ratio = np.median(popularity[after], axis=1) / np.maximum(np.median(popularity[before], axis=1), 1)
    fold = np.maximum(ratio, 1 / np.maximum(ratio, 1e-9))
    return {
        "mean_changed_of_19": round(float(np.mean(changed)), 2),
        "max_changed_of_19": int(np.max(changed)),
        "median_popularity_ratio_median": round(float(np.median(ratio)), 2),
        "worst_popularity_fold": round(float(np.max(fold)), 2),
    }


def live_update_report(
    model: Recommender,
    train_frame: pd.DataFrame,
    valid_frame: pd.DataFrame,
    test_frame: pd.DataFrame,
    heavy_users: int = 50,
) -> dict:
    """The three measures of the module docstring, for ``model`` trained on ``train_frame``."""
    config = model.config
    train = model.interaction_matrix(train_frame)
    seen = train + model.interaction_matrix(valid_frame)
    report: dict = {"deciles": recompute_by_decile(model, train, seen, model.interaction_matrix(test_frame))}

    # Measure 2: the heaviest users rate their top recommendation.
    popularity = np.diff(train.tocsc().indptr)
    heavy = np.argsort(-np.diff(train.indptr), kind="stable")[:heavy_users]
    before = _top(model, model.user_embeddings[heavy], train[heavy])
    rated = before[:, 0]
    history = train[heavy].tolil()
    history[np.arange(len(heavy)), rated] = 1
    history = history.tocsr()
    propagated = _propagated(model, history)
    report["one_rating"] = {
        name: _list_change(before, _top(model, vectors, history), popularity)
        for name, vectors in {
            "updated (trained free part kept)": model.user_free_parts[heavy] + propagated,
            "from scratch (free part estimated as for a new user)": propagated
            + model.estimated_free_parts(propagated),
        }.items()
    }

    # Measure 3: a retrain that includes those ratings.
    added = pd.DataFrame(
        {
            "user_id": model.user_ids[heavy],
            "item_id": model.item_ids[rated],
            "rating": NEW_RATING,
            "timestamp": int(train_frame["timestamp"].max()) + 1,
        }
    )
    retrained = Recommender.fit(
        pd.concat([train_frame, added], ignore_index=True), config, valid=valid_frame, progress=False
    )
    heavy_ids = model.user_ids[heavy]
    vectors = retrained.user_embeddings[retrained._users.lookup(heavy_ids)]
    # The retrained model indexes items the same way (same item set), so lists compare directly.
    assert np.array_equal(retrained.item_ids, model.item_ids)
    report["one_rating"]["retrain with the ratings (reference)"] = _list_change(
        before, _top(retrained, vectors, history), popularity
    )
    report["heavy_users"] = heavy_users
    report["heavy_users_ratings"] = (
        f"{np.diff(train.indptr)[heavy].min()}-{np.diff(train.indptr)[heavy].max()}"
    )
    return report
