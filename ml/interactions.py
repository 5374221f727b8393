"""Interaction tables: read them from files, validate them, and index them.

The ml package works on one shape of data: a DataFrame with int64 ``user_id`` and ``item_id`` (raw
ids as they appear in the source), float ``rating`` and int64 ``timestamp``. Files come as

* TSV/CSV with a header ``user_id,item_id,rating,timestamp`` (``movie_id`` is accepted for
  ``item_id``; ``rating`` and ``timestamp`` are optional), delimiter sniffed (tab or comma);
* RecBole atomic ``.inter`` files: tab-separated, header ``user_id:token item_id:token ...``.

Anything else raises :class:`InteractionFileError` with a message a person can act on; the CLI turns
it into exit code 2.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

log = logging.getLogger(__name__)

COLUMNS = ("user_id", "item_id", "rating", "timestamp")
_ALIASES = {"movie_id": "item_id", "movieid": "item_id", "userid": "user_id", "itemid": "item_id"}


class InteractionFileError(ValueError):
    """An interaction file (or table) that cannot be used: wrong header, bad ids, empty."""


def _canonical_column(name: str) -> str:
    # RecBole headers carry a type suffix ("user_id:token"); strip it and lower-case.
    base = name.strip().split(":", 1)[0].strip().lower()
    return _ALIASES.get(base, base)


def read_interactions(path: str | Path) -> pd.DataFrame:
    """Read a TSV/CSV/RecBole ``.inter`` interaction file into the canonical table."""
    path = Path(path)
    if not path.is_file():
        raise InteractionFileError(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8") as handle:
        header_line = handle.readline()
    if not header_line.strip():
        raise InteractionFileError(f"{path}: file is empty (expected a header line {','.join(COLUMNS)})")
    if path.suffix == ".inter" or "\t" in header_line:
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(header_line, delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    raw_header = [c for c in header_line.rstrip("\r\n").split(delimiter)]
    header = [_canonical_column(c) for c in raw_header]
    missing = [c for c in ("user_id", "item_id") if c not in header]
    if missing:
        raise InteractionFileError(
            f"{path}: header {raw_header!r} lacks column(s) {missing}; expected a header "
            f"'{','.join(COLUMNS)}' (or RecBole 'user_id:token<TAB>item_id:token<TAB>...')"
        )
    try:
        frame = pd.read_csv(path, sep=delimiter, header=0, names=header, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InteractionFileError(f"{path}: cannot parse as a {delimiter!r}-separated table: {exc}") from exc
    return validate_interactions(frame, source=str(path))


def _integer_column(frame: pd.DataFrame, column: str, source: str) -> np.ndarray:
    series = frame[column]
    if pd.api.types.is_integer_dtype(series.dtype) and not series.isna().any():
        return series.to_numpy(dtype=np.int64)  # the common, fast case: already ids
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = pd.to_numeric(series, errors="coerce")
    else:
        values = pd.to_numeric(series.astype(str).str.strip(), errors="coerce")
    bad = values.isna() | (values != np.floor(values))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InteractionFileError(
            f"{source}: column {column} must hold integer ids; row {row + 1} has {series.iloc[row]!r}"
        )
    return values.to_numpy().astype(np.int64)


def validate_interactions(frame: pd.DataFrame, source: str = "interactions") -> pd.DataFrame:
    """Return ``frame`` in canonical form (columns, dtypes) or raise :class:`InteractionFileError`."""
    frame = frame.rename(columns={c: _canonical_column(str(c)) for c in frame.columns})
    for column in ("user_id", "item_id"):
        if column not in frame.columns:
            raise InteractionFileError(f"{source}: missing column {column!r} (have {list(frame.columns)})")
    if len(frame) == 0:
        raise InteractionFileError(f"{source}: no interactions")
    out = pd.DataFrame(
        {
            "user_id": _integer_column(frame, "user_id", source),
            "item_id": _integer_column(frame, "item_id", source),
        }
    )
    for column, default, dtype in (("rating", 1.0, np.float64), ("timestamp", 0, np.int64)):
        if column in frame.columns:
            values = pd.to_numeric(frame[column], errors="coerce")
            if values.isna().any():
                row = int(np.flatnonzero(values.isna().to_numpy())[0])
                bad = frame[column].iloc[row]
                raise InteractionFileError(
                    f"{source}: column {column} must be numeric; row {row + 1} has {bad!r}"
                )
            out[column] = values.to_numpy().astype(dtype)
        else:
            out[column] = np.full(len(frame), default, dtype=dtype)
    return out


def from_dataset_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """Canonical table from ``ml.data.Dataset.ratings`` (which names the item column ``movie_id``)."""
    return validate_interactions(ratings, source="dataset ratings")


def write_interactions(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a canonical table as TSV with the header ``user_id item_id rating timestamp``."""
    frame.loc[:, list(COLUMNS)].to_csv(path, sep="\t", index=False)


@dataclass(frozen=True)
class IdMap:
    """Raw id <-> contiguous index, vectorised (raw ids kept sorted; lookup is a searchsorted)."""

    raw_ids: np.ndarray  # sorted, unique, int64

    @classmethod
    def from_ids(cls, ids: np.ndarray) -> IdMap:
        return cls(np.unique(np.asarray(ids, dtype=np.int64)))

    def __len__(self) -> int:
        return len(self.raw_ids)

    def lookup(self, ids: np.ndarray | int) -> np.ndarray:
        """Index of each raw id, -1 where unknown."""
        ids = np.atleast_1d(np.asarray(ids, dtype=np.int64))
        pos = np.searchsorted(self.raw_ids, ids)
        pos = np.minimum(pos, len(self.raw_ids) - 1)
        return np.where(self.raw_ids[pos] == ids, pos, -1)

    def index(self, ids: np.ndarray, what: str = "id") -> np.ndarray:
        """Index of each raw id; raises KeyError naming the first unknown one."""
        idx = self.lookup(ids)
        if (idx < 0).any():
            first = np.atleast_1d(np.asarray(ids))[np.flatnonzero(idx < 0)[0]]
            raise KeyError(f"unknown {what} {int(first)}")
        return idx


def interaction_matrix(users: np.ndarray, items: np.ndarray, n_users: int, n_items: int) -> sp.csr_matrix:
    """Binary user x item CSR matrix (duplicates collapse to 1)."""
    data = np.ones(len(users), dtype=np.float32)
    matrix = sp.csr_matrix((data, (users, items)), shape=(n_users, n_items))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def positives(frame: pd.DataFrame, rating_threshold: float | None = None) -> pd.DataFrame:
    """Rows that count as implicit positives: all by default, or rating >= threshold."""
    if rating_threshold is None:
        return frame
    return frame[frame["rating"] >= rating_threshold]
