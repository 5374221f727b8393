"""Search in the browser: a new user finds the movies they love while picking, and people show up in
search with a link to their page (a real headless Chromium against the real service)."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.frontend.live_service import ADMIN_HEADERS

GODFATHER = 127


def test_a_new_user_finds_a_loved_movie_by_search_and_it_joins_the_picks(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/start")
    expect(page.locator(".pick").first).to_be_visible()
    search = page.get_by_label("Find a movie you love")

    search.fill("godfater")  # a typo, and no article

    matches = page.get_by_role("group", name="Movies matching “godfater”")
    expect(matches).to_be_visible()
    godfather = matches.locator(".pick").first  # the best match, not the popular list's tile
    expect(godfather).to_have_attribute("data-movie-id", str(GODFATHER))
    expect(godfather).to_contain_text("The Godfather")
    godfather.click()
    expect(godfather).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".pick-bar__count")).to_have_text("1 of 5 picked")
    expect(page.locator(f".pick-tray .pick-chip[data-movie-id='{GODFATHER}']")).to_be_visible()

    search.fill("")  # back to the popular movies; the pick stays
    expect(page.get_by_role("group", name="Popular movies", exact=True)).to_be_visible()
    unpicked = page.locator(".pick[aria-pressed='false']")
    for _ in range(4):
        unpicked.first.click()  # the one just clicked is pressed now: .first is the next movie
    expect(page.locator(".pick-bar__count")).to_have_text("5 picked — ready")
    page.get_by_role("button", name="Show my recommendations").click()

    expect(page).to_have_url(re.compile(r"#/for-you"))
    expect(page.locator(".card").first).to_be_visible()
    user_id = int(re.search(r"\d+", page.locator(".account__user").inner_text()).group())
    history = httpx.get(f"{base_url}/users/{user_id}/ratings", headers=ADMIN_HEADERS, timeout=30).json()
    picked = {pick["movie"]["id"] for pick in history["picks"]}
    assert len(picked) == 5 and GODFATHER in picked


def test_people_matching_a_search_link_to_their_page(page: Page, base_url: str) -> None:
    movie = {
        "title": "Princess Mononoke",
        "year": 1997,
        "genres": ["Animation", "Fantasy"],
        "people": [{"name": "Hayao Miyazaki", "role": "DIRECTED"}],
    }
    created = httpx.post(f"{base_url}/admin/movies", json=movie, headers=ADMIN_HEADERS, timeout=30)
    assert created.status_code == 201, created.text

    page.goto(f"{base_url}/#/search?q=miyazaki")
    people = page.get_by_role("region", name="People")
    person = people.get_by_role("link", name="Hayao Miyazaki")
    expect(person).to_be_visible()
    expect(people).to_contain_text("Princess Mononoke")

    person.click()

    expect(page).to_have_url(re.compile(r"#/person/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hayao Miyazaki")
    expect(page.locator(".tile", has_text="Princess Mononoke")).to_be_visible()
