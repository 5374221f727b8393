"""The real app (lifespan running) over the real embedded store, reached through httpx.AsyncClient."""

from __future__ import annotations

from contextlib import asynccontextmanager

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager

from service.config import Settings
from service.main import create_app

ADMIN_KEY = "test-admin-key"


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory, falkordb_server, data_dir, ml100k) -> Settings:
    """Own models dir, the session's dataset cache (fetched by ml100k); a graph the API tests may write to."""
    api_dir = tmp_path_factory.mktemp("api")
    (api_dir / "datasets").symlink_to(data_dir / "datasets", target_is_directory=True)
    return Settings(
        data_dir=api_dir,
        falkordb_port=falkordb_server.port,
        graph_name="test_api",
        train_epochs=3,
        admin_key=ADMIN_KEY,
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


async def sign_in(api: httpx.AsyncClient, user_id: int) -> dict[str, str]:
    response = await api.post("/auth/demo", json={"user_id": user_id})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
