"""Every Cypher statement of CineGraph, loaded by name from ``cypher/*.cypher``.

A statement whose text differs per backend (a full-text index is called by another procedure on each)
lives in ``cypher/falkordb/`` and ``cypher/neo4j/`` under the same name, and a backend adapter asks
for its own (``statement(name, backend)``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

CYPHER_DIR = Path(__file__).parent / "cypher"
SCHEMA_DIR = CYPHER_DIR / "schema"
BACKENDS = ("falkordb", "neo4j")
_WRITE_CLAUSE = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE)\b", re.IGNORECASE)
_LINE_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)


@cache
def statement(name: str, backend: str | None = None) -> str:
    """The statement ``name``: the backend's own where it has one, else the one both backends run."""
    own = CYPHER_DIR / backend / f"{name}.cypher" if backend is not None else None
    path = own if own is not None and own.is_file() else CYPHER_DIR / f"{name}.cypher"
    if not path.is_file():
        raise KeyError(f"no Cypher statement named {name!r} in {CYPHER_DIR}")
    return path.read_text()


def statement_names() -> list[str]:
    return sorted(
        {p.stem for d in (CYPHER_DIR, *(CYPHER_DIR / b for b in BACKENDS)) for p in d.glob("*.cypher")}
    )


def is_write(name: str, backend: str | None = None) -> bool:
    """Whether a statement writes, so that Neo4j can route reads to followers of a cluster."""
    return bool(_WRITE_CLAUSE.search(_LINE_COMMENT.sub("", statement(name, backend))))


def schema_statements(backend: str) -> list[str]:
    """The schema of one backend (``neo4j`` or ``falkordb``): their syntaxes for constraints differ."""
    text = _LINE_COMMENT.sub("", (SCHEMA_DIR / f"{backend}.cypher").read_text())
    return [part.strip() for part in text.split(";") if part.strip()]
