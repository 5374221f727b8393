"""Movies, genres, health, metrics, retrain, restart, and the store going away and coming back."""

from __future__ import annotations

import asyncio

from tests.service.api.conftest import ADMIN_KEY, running_app, sign_in


async def test_search_is_paginated_and_filtered(api):
    first = (await api.get("/movies", params={"q": "star", "page": 1, "page_size": 5})).json()
    second = (await api.get("/movies", params={"q": "star", "page": 2, "page_size": 5})).json()
    assert first["total"] == second["total"] > 10
    assert len(first["items"]) == 5 and not {m["id"] for m in first["items"]} & {
        m["id"] for m in second["items"]
    }
    scifi = (await api.get("/movies", params={"q": "star", "genre": "Sci-Fi", "page_size": 100})).json()
    assert all("Sci-Fi" in m["genres"] for m in scifi["items"])
    assert (await api.get("/movies", params={"page": 0})).status_code == 422
    assert (await api.get("/movies", params={"genre": "Nope"})).status_code == 422


async def test_movie_details_hold_no_people_where_the_links_were_refused(api):
    response = await api.get("/movies/50")
    movie = response.json()
    assert movie["title"] == "Star Wars" and movie["year"] == 1977 and movie["ratings"] >= 583
    assert movie["people"] == []  # ml-100k's Freebase links are keyed by other ids (ml.data.link_check)
    assert (await api.get("/movies/99999")).status_code == 404


async def test_genres_and_popular(api):
    genres = (await api.get("/genres")).json()
    assert len(genres) == 19 and {"name": "Film-Noir", "movies": 24} in genres
    popular = (await api.get("/movies/popular", params={"genre": "Western", "k": 5})).json()["items"]
    assert len(popular) == 5 and all("Western" in m["genres"] for m in popular)


async def test_health_and_metrics(api):
    health = (await api.get("/health")).json()
    assert health["status"] == "ok" and health["store"] == "falkordb" and health["store_reachable"]
    assert health["model"]["users"] >= 943 and health["model"]["movies"] > 1500
    await api.get("/recommendations", params={"user_id": 3}, headers=await sign_in(api, 3))
    text = (await api.get("/metrics")).text
    assert 'cinegraph_http_requests_total{method="GET",route="/recommendations",status="200"}' in text
    assert "cinegraph_http_request_duration_seconds_bucket" in text
    assert f'version="{health["model"]["version"]}"' in text


async def test_openapi_docs_are_served(api):
    assert (await api.get("/docs")).status_code == 200
    paths = (await api.get("/openapi.json")).json()["paths"]
    assert {"/recommendations", "/ratings", "/users", "/movies/{movie_id}/similar"} <= set(paths)


async def test_retrain_needs_the_admin_key_and_swaps_the_model_without_failed_requests(api):
    assert (await api.post("/admin/retrain")).status_code == 403
    assert (await api.post("/admin/retrain", headers={"X-Admin-Key": "wrong"})).status_code == 403
    old_version = (await api.get("/health")).json()["model"]["version"]
    started = await api.post("/admin/retrain", headers={"X-Admin-Key": ADMIN_KEY})
    assert started.status_code == 202 and started.json()["state"] == "running"
    again = await api.post("/admin/retrain", headers={"X-Admin-Key": ADMIN_KEY})
    assert again.status_code == 409
    statuses = []
    user_4 = await sign_in(api, 4)
    async with asyncio.timeout(300):
        while (await api.get("/admin/retrain", headers={"X-Admin-Key": ADMIN_KEY})).json()[
            "state"
        ] == "running":
            response = await api.get("/recommendations", params={"user_id": 4, "k": 5}, headers=user_4)
            statuses.append(response.status_code)
            await asyncio.sleep(0.2)
    final = (await api.get("/admin/retrain", headers={"X-Admin-Key": ADMIN_KEY})).json()
    assert final["state"] == "succeeded", final
    assert set(statuses) <= {200}
    assert (await api.get("/health")).json()["model"]["version"] == final["model_version"] != old_version


async def test_a_restart_keeps_ratings_and_model_without_retraining(api, api_settings, caplog):
    headers = await sign_in(api, 12)
    await api.post("/ratings", json={"user_id": 12, "movie_id": 1300, "rating": 5.0}, headers=headers)
    version = (await api.get("/health")).json()["model"]["version"]
    caplog.set_level("INFO")
    async with running_app(api_settings) as restarted:
        assert (await restarted.get("/health")).json()["model"]["version"] == version
        assert "training a model" not in caplog.text
        ratings = (await restarted.get("/users/12/ratings", headers=headers)).json()["items"]
        assert 1300 in {i["movie"]["id"] for i in ratings}
        params = {"user_id": 12, "k": 50}
        recs = (await restarted.get("/recommendations", params=params, headers=headers)).json()["items"]
        assert 1300 not in {i["movie"]["id"] for i in recs}


async def test_store_down_is_503_and_the_service_recovers(api, falkordb_server):
    headers = await sign_in(api, 6)
    assert (await api.get("/recommendations", params={"user_id": 6}, headers=headers)).status_code == 200
    falkordb_server.stop()
    try:
        down = await api.get("/recommendations", params={"user_id": 6}, headers=headers)
        assert down.status_code == 503 and "unavailable" in down.json()["detail"]
        assert (await api.get("/health")).status_code == 503
    finally:
        falkordb_server.start()
    assert (await api.get("/recommendations", params={"user_id": 6}, headers=headers)).status_code == 200
    assert (await api.get("/health")).json()["store_reachable"] is True
