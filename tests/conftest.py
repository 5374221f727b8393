"""Shared fixtures: a real embedded FalkorDB for the session, the real ml-100k dataset, optional Neo4j."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest
import pytest_asyncio

from ml.data import Dataset, default_dataset
from service.config import Settings
from service.store.embedded import EmbeddedFalkorDB
from service.store.factory import connect_store
from service.store.graph_store import GraphStore

NEO4J_URI = os.environ.get("NEO4J_URI")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory for the session: the dataset is fetched into it once."""
    return tmp_path_factory.mktemp("cinegraph-data")


@pytest.fixture(scope="session")
def ml100k(data_dir: Path) -> Dataset:
    return default_dataset(data_dir)


@pytest.fixture(scope="session")
def falkordb_server(data_dir: Path):
    server = EmbeddedFalkorDB(data_dir / "falkordb", port=free_port())
    server.start()
    yield server
    server.stop()


def store_settings(backend: str, data_dir: Path, server: EmbeddedFalkorDB | None, graph: str) -> Settings:
    if backend == "neo4j":
        return Settings(
            data_dir=data_dir,
            neo4j_uri=NEO4J_URI,
            neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
            neo4j_password=os.environ.get("NEO4J_PASSWORD", ""),
            neo4j_database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        )
    return Settings(
        data_dir=data_dir, falkordb_port=server.port, falkordb_password=server.password(), graph_name=graph
    )


BACKENDS = [
    "falkordb",
    pytest.param(
        "neo4j",
        marks=pytest.mark.skipif(
            not NEO4J_URI, reason="NEO4J_URI is not set: no Neo4j to run the store suite against"
        ),
    ),
]


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest_asyncio.fixture
async def empty_store(backend_name: str, data_dir: Path, imported_graphs, request) -> GraphStore:
    """A store on an empty graph of its own, dropped afterwards (Neo4j has one graph: it is emptied)."""
    if backend_name == "neo4j":
        imported_graphs.pop("neo4j", None)
    server = request.getfixturevalue("falkordb_server") if backend_name == "falkordb" else None
    store = connect_store(store_settings(backend_name, data_dir, server, f"test_{uuid.uuid4().hex[:8]}"))
    await store.backend.drop()
    yield store
    await store.backend.drop()
    await store.close()


@pytest.fixture(scope="session")
def imported_graphs() -> dict[str, str]:
    """backend -> graph name holding a full ml-100k import, shared by read-only tests."""
    return {}


@pytest_asyncio.fixture
async def ml100k_store(
    backend_name: str, data_dir: Path, ml100k: Dataset, imported_graphs, request
) -> GraphStore:
    """A store holding all of ml-100k; imported once per backend and session. Tests must not write to it."""
    server = request.getfixturevalue("falkordb_server") if backend_name == "falkordb" else None
    store = connect_store(store_settings(backend_name, data_dir, server, "test_ml100k"))
    if backend_name not in imported_graphs:
        await store.backend.drop()
        await store.import_dataset(ml100k, progress=False)
        imported_graphs[backend_name] = "test_ml100k"
    yield store
    await store.close()
