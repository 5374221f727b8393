"""The real app (lifespan running) over the real embedded store, reached through httpx.AsyncClient."""

from __future__ import annotations

import threading
import time
import uuid
from contextlib import asynccontextmanager

import httpx
import pytest
import pytest_asyncio
import uvicorn
from asgi_lifespan import LifespanManager

from service.config import Settings
from service.main import create_app
from service.store.factory import connect_store
from tests.conftest import free_port

ADMIN_KEY = "test-admin-key"
# The shared app serves many tests from one address; the limits have tests of their own.
NO_RATE_LIMITS = {"signup_per_minute": 0, "signin_per_minute": 0, "search_per_minute": 0}


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory, falkordb_server, data_dir, ml100k) -> Settings:
    """Own models dir, the session's dataset cache (fetched by ml100k); a graph the API tests may write to."""
    api_dir = tmp_path_factory.mktemp("api")
    (api_dir / "datasets").symlink_to(data_dir / "datasets", target_is_directory=True)
    return Settings(
        data_dir=api_dir,
        falkordb_port=falkordb_server.port,
        falkordb_password=falkordb_server.password(),
        graph_name="test_api",
        train_epochs=3,
        admin_key=ADMIN_KEY,
        **NO_RATE_LIMITS,
    )


@asynccontextmanager
async def running_app(settings: Settings):
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=600, shutdown_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cinegraph.test") as client:
            yield client


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def api(api_settings):
    async with running_app(api_settings) as client:
        yield client


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def own_catalogue_api(tmp_path_factory, api_settings, ml100k):
    """The app over a graph of its own holding ml-100k, for a module whose tests add or change movies.

    The shared ``api`` then lists exactly ml-100k's movies whatever order tests run in (browse totals,
    search ranks); the graph is dropped when the module is done."""
    data_dir = tmp_path_factory.mktemp("own-catalogue-api")
    (data_dir / "datasets").symlink_to(api_settings.data_dir / "datasets", target_is_directory=True)
    settings = api_settings.model_copy(
        update={"data_dir": data_dir, "graph_name": f"test_api_{uuid.uuid4().hex[:8]}"}
    )
    store = connect_store(settings)
    await store.import_dataset(ml100k, progress=False)
    try:
        async with running_app(settings) as client:
            yield client
    finally:
        await store.backend.drop()
        await store.close()


async def sign_in(api: httpx.AsyncClient, user_id: int) -> dict[str, str]:
    response = await api.post("/auth/demo", json={"user_id": user_id})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def live_service_url(api_settings, api):
    """The app behind a real uvicorn socket (for what only a connection shows, like keep-alive), in a
    thread with its own event loop; ``api`` has trained the model it loads."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(api_settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)


def sign_in_sync(base_url: str, user_id: int) -> str:
    """A demo user's token from a running service."""
    response = httpx.post(f"{base_url}/auth/demo", json={"user_id": user_id}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]
