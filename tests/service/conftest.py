"""Fixtures shared by the service tests that drive the ``cinegraph`` CLI."""

import pytest

from service.cli import main
from tests.conftest import free_port


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """A data directory and an embedded FalkorDB port of the test's own (no Neo4j), stopped after."""
    monkeypatch.setenv("CINEGRAPH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CINEGRAPH_FALKORDB_PORT", str(free_port()))
    monkeypatch.delenv("CINEGRAPH_NEO4J_URI", raising=False)
    yield tmp_path
    main(["db", "stop"])
