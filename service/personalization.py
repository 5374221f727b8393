"""User vectors: the trained one while a user's history is unchanged, else a fold-in of the history.

Training sees ratings only; a new user's picks (liked movies without stars) enter through the fold-in,
as positives like any rating.

The rule needs nothing but the store: a user whose history changed after the model's training snapshot
(a newer rating, or a rating removed since: the user node keeps when, because a shorter history has no
newer timestamp to show it), or who is unknown to the model, is folded in from the history read on this
request. A user the model was trained on keeps their trained free part (an update, not a restart: one
rating nudges their list); a new user's vector comes from their history alone. Every API worker
therefore computes the same vector without shared memory; the cache only saves the fold-in arithmetic
and is keyed by what the vector depends on: the rated movies with their stars and the picks
(``UserHistory.fingerprint``), not by timestamps, so that a rating undone within the same second is
not served the vector of the rating it undid.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from service.serving_model import ServingModel
from service.store.graph_store import UserHistory


class UserVectors:
    def __init__(self, max_entries: int = 50_000) -> None:
        self._cache: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self.max_entries = max_entries

    def vector(self, model: ServingModel, user_id: int, history: UserHistory) -> np.ndarray | None:
        """None for a user without ratings or picks (the caller falls back to popularity)."""
        if not history:
            return None
        if history.changed_at <= model.data_as_of and model.knows_user(user_id) and not history.picks:
            return model.recommender.user_vector(user_id)
        key = (model.version, user_id, history.fingerprint)
        cached = self._cache.get(key)
        if cached is None:
            cached = model.recommender.fold_in(
                history.rated_ids, history.rating_values, user_id=user_id, picked_items=history.picked_ids
            )
            self._cache[key] = cached
            if len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return cached

    def __len__(self) -> int:
        return len(self._cache)
