"""Every Cypher file is valid Neo4j 5 Cypher, checked by Neo4j's own parser (npm language-support)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from service.store.cypher_library import BACKENDS, CYPHER_DIR, statement, statement_names

LINTER = Path(__file__).parents[2] / "cypher_lint"
CYPHER_FILES = [
    path
    for folder in ("", "schema", *BACKENDS)  # every backend's own statements parse as Neo4j Cypher too
    for path in sorted((CYPHER_DIR / folder).glob("*.cypher"))
]


@pytest.fixture(scope="module")
def lint_report() -> dict[str, list[str]]:
    if shutil.which("node") is None:
        pytest.fail("node is not installed: the README's test command installs it")
    if not (LINTER / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=LINTER, check=True)
    result = subprocess.run(
        ["node", "lint.mjs", *map(str, CYPHER_FILES)], cwd=LINTER, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_every_statement_is_valid_neo4j_cypher(lint_report):
    problems = {Path(file).name: messages for file, messages in lint_report.items() if messages}
    assert problems == {}
    assert len(lint_report) == len(CYPHER_FILES) > 15


def test_the_linter_catches_a_broken_statement(tmp_path):
    broken = tmp_path / "broken.cypher"
    broken.write_text("MATCH (m:Movie) RETRUN m")
    result = subprocess.run(
        ["node", "lint.mjs", str(broken)], cwd=LINTER, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout)[str(broken)]


def test_statements_are_loaded_by_name():
    assert {"upsert_rating", "user_history", "export_interactions", "stats"} <= set(statement_names())


def test_a_statement_of_one_backend_has_its_twin_on_the_other_that_differs_only_in_its_index_call():
    def below_the_call(text: str) -> list[str]:
        lines = [line for line in text.splitlines() if not line.startswith("//")]
        return lines[1:]  # the first line calls the backend's full-text index procedure

    own = {backend: {p.stem for p in (CYPHER_DIR / backend).glob("*.cypher")} for backend in BACKENDS}
    assert own["falkordb"] == own["neo4j"] and own["falkordb"] >= {"search_movies", "search_people"}
    for name in own["falkordb"]:
        falkordb, neo4j = statement(name, "falkordb"), statement(name, "neo4j")
        assert "db.idx.fulltext.queryNodes" in falkordb and "db.index.fulltext.queryNodes" in neo4j
        assert below_the_call(falkordb) == below_the_call(neo4j), name
        assert not (CYPHER_DIR / f"{name}.cypher").exists(), f"{name} is also a shared statement"
