"""Your own stars beside movies: a movie page and a page of search results show what the signed-in user
rated, asking the API for those movies' ratings only, never for the user's whole list."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import httpx
from playwright.sync_api import Page, expect

from tests.frontend.a11y_support import demo_session, store_session
from tests.frontend.test_ui import ratings_of

STAR_WARS, RETURN_OF_THE_JEDI = 50, 181


def ratings_requests(page: Page, user_id: int) -> list[str]:
    """The URLs of every GET /users/{user_id}/ratings the page sends from now on."""
    urls: list[str] = []
    path = f"/users/{user_id}/ratings"
    page.on(
        "request", lambda request: urls.append(request.url) if urlparse(request.url).path == path else None
    )
    return urls


def asked_movie_ids(url: str) -> set[int]:
    """The movie ids a ratings request asks for (none: it asked for the whole list)."""
    values = parse_qs(urlparse(url).query).get("movie_ids", [])
    return {int(movie_id) for value in values for movie_id in value.split(",")}


def rate(base_url: str, session: dict, movie_id: int, rating: float) -> None:
    body = {"user_id": session["userId"], "movie_id": movie_id, "rating": rating}
    headers = {"Authorization": f"Bearer {session['token']}"}
    httpx.post(f"{base_url}/ratings", json=body, headers=headers, timeout=30).raise_for_status()


def test_a_movie_page_shows_your_stars_asking_for_that_movie_only(page: Page, base_url: str) -> None:
    session = demo_session(base_url, 130)
    store_session(page.context, session)
    movie_id, rating = next(iter(ratings_of(base_url, 130).items()))
    requests = ratings_requests(page, 130)

    page.goto(f"{base_url}/#/movie/{movie_id}")

    stars = page.get_by_role("slider", name=re.compile("^Your rating for"))
    expect(stars).to_have_attribute("aria-valuetext", f"Rated {rating:g} stars")
    expect(page.locator(".movie__rate-note")).to_have_text(re.compile(r"^You rated it \d(\.5)?★$"))
    assert requests and all(asked_movie_ids(url) == {movie_id} for url in requests), requests


def test_a_movie_you_have_not_rated_shows_empty_stars(page: Page, base_url: str) -> None:
    session = demo_session(base_url, 131)
    store_session(page.context, session)
    unrated = next(m for m in range(1, 1683) if m not in ratings_of(base_url, 131))

    with page.expect_response(lambda response: "/users/131/ratings?" in response.url):
        page.goto(f"{base_url}/#/movie/{unrated}")

    expect(page.get_by_role("slider", name=re.compile("^Your rating for"))).to_have_attribute(
        "aria-valuetext", "Not rated"
    )
    expect(page.locator(".movie__rate-note")).to_be_empty()


def test_search_results_show_your_stars_on_the_movies_you_rated(page: Page, base_url: str) -> None:
    session = demo_session(base_url, 132)
    store_session(page.context, session)
    rate(base_url, session, STAR_WARS, 4.5)
    rate(base_url, session, RETURN_OF_THE_JEDI, 2.0)
    requests = ratings_requests(page, 132)

    page.goto(f"{base_url}/#/search?q=star%20wars")

    tiles = page.locator("#search-results .tile")
    expect(tiles.first).to_be_visible()
    expect(page.locator(f".tile[data-movie-id='{STAR_WARS}'] .tile__mine")).to_have_text("You: 4.5★")
    shown = {int(value) for value in tiles.evaluate_all("tiles => tiles.map(t => t.dataset.movieId)")}
    mine = {
        int(v)
        for v in page.locator(".tile:has(.tile__mine)").evaluate_all("ts => ts.map(t => t.dataset.movieId)")
    }
    rated = ratings_of(base_url, 132)
    assert mine == shown & set(rated)
    assert requests and all(asked_movie_ids(url) and asked_movie_ids(url) <= shown for url in requests), (
        requests
    )
