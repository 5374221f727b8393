"""Every Cypher statement of CineGraph, loaded by name from ``cypher/*.cypher``."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

CYPHER_DIR = Path(__file__).parent / "cypher"
SCHEMA_DIR = CYPHER_DIR / "schema"
_WRITE_CLAUSE = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE)\b", re.IGNORECASE)
_LINE_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)


@cache
def statement(name: str) -> str:
    path = CYPHER_DIR / f"{name}.cypher"
    if not path.is_file():
        raise KeyError(f"no Cypher statement named {name!r} in {CYPHER_DIR}")
    return path.read_text()


def statement_names() -> list[str]:
    return sorted(p.stem for p in CYPHER_DIR.glob("*.cypher"))


def is_write(name: str) -> bool:
    """Whether a statement writes, so that Neo4j can route reads to followers of a cluster."""
    return bool(_WRITE_CLAUSE.search(_LINE_COMMENT.sub("", statement(name))))


def schema_statements(backend: str) -> list[str]:
    """The schema of one backend (``neo4j`` or ``falkordb``): their syntaxes for constraints differ."""
    text = _LINE_COMMENT.sub("", (SCHEMA_DIR / f"{backend}.cypher").read_text())
    return [part.strip() for part in text.split(";") if part.strip()]
