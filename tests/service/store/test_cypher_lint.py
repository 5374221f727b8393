"""Every Cypher file is valid Neo4j 5 Cypher, checked by Neo4j's own parser (npm language-support)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from service.store.cypher_library import CYPHER_DIR, statement_names

LINTER = Path(__file__).parents[2] / "cypher_lint"
CYPHER_FILES = sorted(CYPHER_DIR.glob("*.cypher")) + sorted((CYPHER_DIR / "schema").glob("*.cypher"))


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
