"""The one error type for unreadable dataset files."""

from __future__ import annotations

from pathlib import Path


class DatasetError(ValueError):
    """A dataset file is missing or malformed.

    The message always names the file, and the line when one line is at fault, so that a person can open
    the file and fix it; the CLI prints it without a traceback.
    """

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        where = f"{self.path}" if line is None else f"{self.path}, line {line}"
        super().__init__(f"{where}: {message}")
