"""Safe to put on the internet: production refuses unsafe settings, bodies and request rates are bounded,
nothing a client sends causes a 500, every error has one documented shape, a wedged store is a quick 503,
and the UI is served with security headers."""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest
import pytest_asyncio

from service.config import DEV_ADMIN_KEY, Settings, UnsafeSettings
from service.store.embedded import EmbeddedFalkorDB
from tests.conftest import free_port
from tests.service.api.conftest import ADMIN_KEY, running_app, sign_in

STRONG_SECRET = "s" * 40
STRONG_ADMIN_KEY = "a" * 40


def settings_like(base: Settings, **changes) -> Settings:
    """Built anew (not copied) so that the production validator runs."""
    return Settings(**{**base.model_dump(), **changes})


# --- settings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret_key", "admin_key", "problem"),
    [
        ("", STRONG_ADMIN_KEY, "CINEGRAPH_SECRET_KEY must be set"),
        (STRONG_SECRET, "k", "CINEGRAPH_ADMIN_KEY must be at least 32 characters"),
        (STRONG_SECRET, DEV_ADMIN_KEY, "CINEGRAPH_ADMIN_KEY must be set (the development key is public)"),
        (STRONG_SECRET, STRONG_SECRET, "must differ"),
    ],
)
def test_production_refuses_unsafe_keys_without_echoing_them(secret_key, admin_key, problem):
    with pytest.raises(UnsafeSettings, match=problem.replace("(", r"\(").replace(")", r"\)")) as refused:
        Settings(environment="production", secret_key=secret_key, admin_key=admin_key)
    assert STRONG_SECRET not in str(refused.value) and STRONG_ADMIN_KEY not in str(refused.value)


def test_production_turns_the_demo_login_and_cors_off():
    production = Settings(environment="production", secret_key=STRONG_SECRET, admin_key=STRONG_ADMIN_KEY)
    assert production.demo_login is False and production.allowed_origins == []
    assert Settings().allowed_origins == ["*"]


# --- production, and small limits ---------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def production_api(api_settings):
    production = {"environment": "production", "secret_key": STRONG_SECRET, "admin_key": STRONG_ADMIN_KEY}
    async with running_app(settings_like(api_settings, **production)) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def limited_api(api_settings):
    limits = {"signup_per_minute": 2, "signin_per_minute": 3, "search_per_minute": 5}
    async with running_app(settings_like(api_settings, **limits)) as client:
        yield client


async def test_sign_up_sign_in_and_search_are_rate_limited_with_retry_after(limited_api):
    picks = {"liked_movie_ids": [1, 2, 3, 4, 5]}
    statuses = [(await limited_api.post("/users", json=picks)).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    limited = await limited_api.post("/users", json=picks)
    assert int(limited.headers["Retry-After"]) >= 1 and "try again in" in limited.json()["detail"]

    form = {"username": "nobody", "password": "whatever1"}
    statuses = [(await limited_api.post("/auth/token", data=form)).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]

    statuses = [(await limited_api.get("/movies", params={"q": "star"})).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


async def test_production_has_no_demo_login_and_metrics_need_the_admin_key(production_api):
    assert (await production_api.post("/auth/demo", json={"user_id": 1})).status_code == 403
    assert (await production_api.get("/metrics")).status_code == 403
    admin = {"X-Admin-Key": STRONG_ADMIN_KEY}
    assert (await production_api.get("/metrics", headers=admin)).status_code == 200


async def test_production_answers_no_cross_origin_requests(production_api, api):
    preflight = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
    closed = await production_api.options("/ratings", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    opened = await api.options("/ratings", headers=preflight)
    assert opened.headers["access-control-allow-origin"] == "*"


async def test_docs_and_metrics_can_be_switched_off(api_settings):
    async with running_app(settings_like(api_settings, docs_enabled=False, metrics_enabled=False)) as client:
        for path in ("/docs", "/redoc", "/openapi.json", "/metrics"):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get("/health")).status_code == 200


# --- bodies and input -----------------------------------------------------------------------------


async def test_a_body_over_64_kib_is_413_declared_or_streamed(api):
    headers = await sign_in(api, 15)
    big = {"user_id": 15, "movie_id": 1, "rating": 4.0, "padding": "x" * 100_000}
    for path in ("/ratings", "/auth/demo", "/users"):
        response = await api.post(path, json=big, headers=headers)
        assert response.status_code == 413 and "64 KiB" in response.json()["detail"], path

    async def chunks():  # no Content-Length: the limit counts what arrives
        for _ in range(100):
            yield b" " * 1024

    streamed = await api.post(
        "/ratings", content=chunks(), headers={**headers, "content-type": "application/json"}
    )
    assert streamed.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        '{"user_id": 16, "movie_id": 1, "rating": NaN}',
        '{"user_id": 16, "movie_id": 1, "rating": Infinity}',
        '{"user_id": 16, "movie_id": 1, "rating": 1e400}',
        '{"user_id": NaN, "movie_id": 1, "rating": 4}',
        '{"user_id": true, "movie_id": 1, "rating": 4}',
        '{"user_id": 16, "movie_id": 1.0, "rating": 4}',
        '{"user_id": 16, "movie_id": "1", "rating": 4}',
        '{"user_id": 16, "movie_id": 1, "rating": true}',
        '{"user_id": 16, "movie_id": 99999999999999999999, "rating": 4}',
        "[1, 2]",
        '{"user_id": 16,',
    ],
)
async def test_odd_rating_bodies_are_422_not_500(api, body):
    headers = {**(await sign_in(api, 16)), "content-type": "application/json"}
    response = await api.post("/ratings", content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"] and response.json()["errors"]


@pytest.mark.parametrize(
    "body", ['{"user_id": NaN}', '{"user_id": true}', '{"user_id": 1.0}', '{"user_id": 1e400}']
)
async def test_odd_demo_logins_are_422(api, body):
    response = await api.post("/auth/demo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text


async def test_control_characters_and_long_queries_are_422_without_echo(api):
    assert (await api.get("/movies", params={"q": "a\x00b"})).status_code == 422
    assert (await api.get("/movies", params={"genre": "Drama\x00"})).status_code == 422
    long_query = "godfather" * 100
    response = await api.get("/movies", params={"q": long_query})
    assert response.status_code == 422 and long_query not in response.text
    genres = await api.get(
        "/recommendations", params={"user_id": 1, "genres": "x" * 400}, headers=await sign_in(api, 1)
    )
    assert genres.status_code == 422 and "x" * 100 not in genres.text


async def test_a_non_ascii_or_malformed_token_is_401(api):
    for token in ("tøken", "a.b.c", "Bearer", "x" * 5000):
        response = await api.get("/users/1", headers={"Authorization": f"Bearer {token}".encode()})
        assert response.status_code == 401, token
    admin = await api.get("/users/1", headers={"X-Admin-Key": "kéy".encode("latin-1")})
    assert admin.status_code == 403


async def test_every_error_answer_is_documented_with_the_one_error_schema(api):
    spec = (await api.get("/openapi.json")).json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    documented = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                    # /health answers 503 with its usual report, which says what is degraded.
                    expected = "Health" if (path, code) == ("/health", "503") else "ErrorBody"
                    assert schema == expected, (method, path, code)
                    documented += 1
            assert {"400", "413", "422", "503"} <= set(operation["responses"]), (method, path)
    assert spec["paths"]["/auth/token"]["post"]["responses"]["429"]
    assert spec["paths"]["/users/{user_id}/ratings"]["get"]["responses"]["403"]
    assert documented > 50


# --- the UI's headers ---------------------------------------------------------------------------------


async def test_the_ui_is_served_with_a_strict_content_security_policy(api):
    page = await api.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert (await api.get("/js/app.js")).headers["content-type"].startswith("text/javascript")


# --- a wedged store -----------------------------------------------------------------------------------


@pytest_asyncio.fixture(loop_scope="session")
async def wedgeable_app(tmp_path, api_settings, ml100k):
    """An app on a store of its own, so that stopping that store's process wedges nothing else."""
    server = EmbeddedFalkorDB(tmp_path / "falkordb", port=free_port())
    server.start()
    (tmp_path / "datasets").symlink_to(api_settings.data_dir / "datasets", target_is_directory=True)
    settings = settings_like(
        api_settings, data_dir=tmp_path, falkordb_port=server.port, falkordb_password=None, train_epochs=1
    )
    try:
        async with running_app(settings) as client:
            yield client, server.status().pid
    finally:
        server.stop()


async def test_a_wedged_store_is_a_503_within_about_two_seconds(wedgeable_app):
    client, pid = wedgeable_app
    headers = {"X-Admin-Key": ADMIN_KEY}
    assert (await client.get("/users/1", headers=headers)).status_code == 200
    os.kill(pid, signal.SIGSTOP)  # alive, holding its port, answering nothing
    try:
        for path in ("/health", "/users/1", "/movies/1"):
            started = time.perf_counter()
            response = await client.get(path, headers=headers)
            elapsed = time.perf_counter() - started
            assert response.status_code == 503 and elapsed < 3.0, (path, elapsed)
            assert (
                "did not answer within 2 s" in response.text
                or response.json().get("store_reachable") is False
            )
    finally:
        os.kill(pid, signal.SIGCONT)
    assert (await client.get("/users/1", headers=headers)).status_code == 200


def test_a_kept_alive_connection_survives_bad_input(live_service_url):
    """Over a real socket: after each 4xx the server keeps the connection (no reconnect needed)."""
    with httpx.Client(base_url=live_service_url, timeout=30) as client:
        first = client.get("/health")
        connection = first.extensions["network_stream"]
        for request in (
            client.build_request("GET", "/movies", params={"q": "a\x00b"}),
            client.build_request(
                "POST", "/auth/demo", content='{"user_id": NaN}', headers={"content-type": "application/json"}
            ),
            client.build_request("GET", "/users/1", headers={"Authorization": "Bearer tøken".encode()}),
        ):
            response = client.send(request)
            assert 400 <= response.status_code < 500 and response.headers.get("connection") != "close"
        assert client.get("/health").extensions["network_stream"] is connection
