"""``cinegraph bench search`` counts only what the service does wrong: its clients never reuse a connection
the service may be closing, and an error is reported by what it was."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from service.config import Settings
from service.search_benchmark import (
    SERVER_KEEP_ALIVE_S,
    client_limits,
    error_kind,
    running_service,
)


def test_the_clients_let_an_idle_connection_go_well_before_the_service_closes_it(tmp_path: Path):
    command = running_service(Settings(data_dir=tmp_path), tmp_path, "password").command
    assert command[command.index("--timeout-keep-alive") + 1] == str(SERVER_KEEP_ALIVE_S)
    for limits in (client_limits(), client_limits(50)):
        assert limits.keepalive_expiry is not None
        assert limits.keepalive_expiry <= SERVER_KEEP_ALIVE_S / 2
    assert client_limits(50).max_connections == 50


def raised(error: Exception, cause: Exception | None = None) -> Exception:
    try:
        raise error from cause
    except Exception as caught:
        return caught


def test_a_dropped_connection_is_named_with_the_socket_error_beneath_it():
    reset = raised(ConnectionResetError(104, "Connection reset by peer"))
    error = raised(httpx.ReadError(""), raised(httpx.ReadError(""), reset))  # as httpx wraps httpcore's
    assert error_kind(error) == "ReadError (ConnectionResetError: [Errno 104] Connection reset by peer)"


def test_an_error_that_is_its_own_root_is_named_once():
    message = "Server disconnected without sending a response."
    error = raised(httpx.RemoteProtocolError(message), raised(httpx.RemoteProtocolError(message)))
    assert error_kind(error) == f"RemoteProtocolError: {message}"
    assert error_kind(raised(httpx.ReadTimeout("timed out"))) == "ReadTimeout: timed out"


@pytest.mark.parametrize("error", [httpx.PoolTimeout(""), httpx.ConnectError("")])
def test_an_error_without_a_message_is_named_by_its_type(error):
    assert error_kind(raised(error)) == type(error).__name__
