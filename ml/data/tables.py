"""Reading delimited text tables with errors that name the file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ml.data.errors import DatasetError

_PANDAS_LINE = re.compile(r"line (\d+)")


def require_file(path: Path) -> Path:
    if not path.is_file():
        raise DatasetError(path, "file not found")
    return path


def read_table(
    path: Path,
    *,
    sep: str,
    names: list[str] | None = None,
    header: bool = False,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Read every field as a string; numbers are checked afterwards by ``numeric_column``.

    Blank lines are kept as rows (and so fail the numeric checks at their true line number), except at the
    very end of the file.
    """
    require_file(path)
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            header=0 if header else None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding=encoding,
            quoting=3 if sep != "," else 0,  # csv.QUOTE_NONE for tab/pipe files: titles contain quotes
            engine="c",
        )
    except pd.errors.ParserError as error:
        match = _PANDAS_LINE.search(str(error))
        line = int(match.group(1)) if match else None
        raise DatasetError(path, f"wrong number of fields ({error})", line) from None
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise DatasetError(path, f"not valid {encoding} text", line) from None
    except pd.errors.EmptyDataError:
        raise DatasetError(path, "file is empty") from None
    frame = _drop_trailing_blank_rows(frame)
    if names is not None:
        if frame.shape[1] != len(names):
            raise DatasetError(
                path, f"wrong number of fields: expected {len(names)}, got {frame.shape[1]}", 1
            )
        frame.columns = names
    return frame


def _drop_trailing_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    blank = frame.isna().all(axis=1) | (frame.fillna("") == "").all(axis=1)
    keep = len(frame)
    while keep > 0 and blank.iloc[keep - 1]:
        keep -= 1
    return frame.iloc[:keep]


def numeric_column(
    frame: pd.DataFrame, column: str, path: Path, *, header_lines: int, integer: bool = True
) -> pd.Series:
    """Convert one column to numbers, or raise naming the first line that is not a number."""
    if column not in frame:
        raise DatasetError(path, f"missing column '{column}'", 1 if header_lines else None)
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna().to_numpy().nonzero()[0]
    if len(bad):
        row = int(bad[0])
        raise DatasetError(
            path,
            f"'{column}' must be a number, got {raw.iloc[row]!r}",
            row + 1 + header_lines,
        )
    if integer:
        if (values % 1 != 0).any():
            row = int((values % 1 != 0).to_numpy().nonzero()[0][0])
            raise DatasetError(
                path, f"'{column}' must be a whole number, got {raw.iloc[row]!r}", row + 1 + header_lines
            )
        return values.astype("int64")
    return values.astype("float64")


def ratings_frame(
    frame: pd.DataFrame, path: Path, *, header_lines: int, columns: dict[str, str]
) -> pd.DataFrame:
    """Typed ratings from a raw table; ``columns`` maps our names to the file's column names. A user who
    rated a movie twice keeps the later line, as the graph would after writing both."""
    out = pd.DataFrame(
        {
            "user_id": numeric_column(frame, columns["user_id"], path, header_lines=header_lines),
            "movie_id": numeric_column(frame, columns["movie_id"], path, header_lines=header_lines),
        }
    )
    if "rating" in columns and columns["rating"] in frame:
        out["rating"] = numeric_column(
            frame, columns["rating"], path, header_lines=header_lines, integer=False
        )
    else:
        out["rating"] = 1.0
    if "timestamp" in columns and columns["timestamp"] in frame:
        out["timestamp"] = numeric_column(
            frame, columns["timestamp"], path, header_lines=header_lines, integer=False
        ).astype("int64")
    else:
        out["timestamp"] = 0
    out = out[~out.duplicated(["user_id", "movie_id"], keep="last")]
    return out.reset_index(drop=True)


def read_atomic(path: Path) -> pd.DataFrame:
    """A RecBole atomic file (``.inter``, ``.item``, ``.kg`` ...): tab-separated, its typed header's
    ``name:type`` reduced to ``name``."""
    frame = read_table(path, sep="\t", header=True)
    names = []
    for column in frame.columns:
        name, colon, _type = str(column).partition(":")
        if not colon:
            raise DatasetError(path, f"header field {column!r} is not of the form name:type", 1)
        names.append(name)
    frame.columns = names
    return frame
