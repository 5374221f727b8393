"""Co-ratings ``C = Xᵀ X`` (movies rated by the same users) at a cost that grows with the ratings.

The sparse product costs ``Σ_u |R_u|²``: a user with 5,000 ratings adds 25 million pairs, as many as
2,500 users with 100 each. Heavy raters say little about any one pair, so above a budget of
``pairs_per_rating`` pairs per rating :func:`cap_heavy_raters` keeps a fixed random sample of each heavy
rater's movies, with the largest per-user cap that stays within budget. The product then costs at most
``pairs_per_rating × ratings``. At ml-100k (202 pairs per rating) nothing is dropped; synthetic 1M and
10M (446 and 383) are capped at a few hundred movies per user.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

PAIRS_PER_RATING = 256


def rater_cap(counts: np.ndarray, budget: float) -> int | None:
    """The largest ``c`` with ``Σ min(n_u, c)² ≤ budget`` (None when no cap is needed)."""
    counts = np.sort(np.asarray(counts, np.int64))
    if float(np.square(counts, dtype=np.float64).sum()) <= budget:
        return None
    low, high = 1, int(counts[-1])
    while low < high:  # Σ min(n, c)² grows with c: binary search
        mid = (low + high + 1) // 2
        if float(np.square(np.minimum(counts, mid), dtype=np.float64).sum()) <= budget:
            low = mid
        else:
            high = mid - 1
    return low


def cap_heavy_raters(
    rated: sp.csr_matrix, pairs_per_rating: float = PAIRS_PER_RATING, seed: int = 0
) -> sp.csr_matrix:
    """``rated`` (users × movies) with each heavy rater's row cut to a seeded random sample of ``c``
    movies, ``c`` from :func:`rater_cap`; the matrix itself when it is within budget."""
    rated = rated.tocsr()
    counts = np.diff(rated.indptr)
    cap = rater_cap(counts, pairs_per_rating * rated.nnz)
    if cap is None:
        return rated
    rng = np.random.default_rng(seed)
    owner = np.repeat(np.arange(rated.shape[0]), counts)
    # A random key per rating, ranked within its row: the cap lowest keys of a row are its sample.
    order = np.lexsort((rng.random(rated.nnz), owner))
    rank = np.empty(rated.nnz, np.int64)
    rank[order] = np.arange(rated.nnz) - np.repeat(rated.indptr[:-1], counts)
    keep = rank < cap
    capped = sp.csr_matrix(
        (rated.data[keep], (owner[keep], rated.indices[keep])), shape=rated.shape, dtype=rated.dtype
    )
    capped.sort_indices()
    return capped
