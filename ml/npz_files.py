"""Writing ``.npz`` files that readers never see half-written (checkpoints, similar-movie tables)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np


def save_npz_atomically(path: str | Path, **arrays: np.ndarray) -> Path:
    """``np.savez`` into a temp file in the same folder, flushed to disk, then ``os.replace`` onto ``path``:
    a reader (another worker starting) finds the old file or the new one, never a part of either."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
