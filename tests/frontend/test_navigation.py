"""Finding the way: a page with ways on for an address that leads nowhere, Back to search results as they
were left (pages and scroll position), and signing in or starting fresh that returns to where it started."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.frontend.a11y_support import demo_session, settle, store_session


@pytest.mark.parametrize(
    ("address", "heading"),
    [
        ("#/movie/0", "Movie not found"),
        ("#/movie/999999", "Movie not found"),
        ("#/movie/abc", "Movie not found"),
        ("#/person/nm0000001", "Person not found"),
        ("#/person/%E0%A4%A", "Person not found"),
        ("#/no/such/page", "Page not found"),
    ],
)
def test_an_address_that_leads_nowhere_gets_a_page_with_ways_on(
    page: Page, base_url: str, address: str, heading: str
) -> None:
    page.goto(f"{base_url}/{address}")

    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("main [role='alert'], main .state--error")).to_have_count(0)
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Input should be")
    ways = page.get_by_role("navigation", name="Ways on")
    expect(ways.get_by_role("link", name="Browse movies")).to_have_attribute("href", "#/search")
    expect(ways.get_by_role("link", name="Start page")).to_have_attribute("href", "#/")
    assert page.title().startswith(heading)

    ways.get_by_role("button", name="Search by title").click()
    expect(page.get_by_role("combobox", name="Search movies and people")).to_be_focused()
    ways.get_by_role("link", name="Browse movies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browse movies")


def test_a_signed_in_person_is_offered_their_recommendations_from_a_missing_movie(
    page: Page, base_url: str
) -> None:
    store_session(page.context, demo_session(base_url, 104))
    page.goto(f"{base_url}/#/movie/999999")

    link = page.get_by_role("navigation", name="Ways on").get_by_role("link", name="Your recommendations")
    expect(link).to_have_attribute("href", "#/for-you")


def test_back_to_search_results_brings_back_their_pages_and_scroll_position(
    page: Page, base_url: str
) -> None:
    page.goto(f"{base_url}/#/search?genre=Drama")
    tiles = page.locator("#search-results .tile")
    expect(tiles).to_have_count(24)
    more = page.get_by_role("button", name="Show more")
    more.click()
    expect(tiles).to_have_count(48)
    more.click()
    expect(tiles).to_have_count(72)
    chosen = tiles.nth(60)
    chosen.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 1000
    movie_id = chosen.get_attribute("data-movie-id")

    chosen.click()
    expect(page).to_have_url(re.compile(rf"#/movie/{movie_id}$"))
    expect(page.locator(".movie__title")).to_be_visible()
    page.go_back()

    expect(page).to_have_url(re.compile(r"#/search\?genre=Drama$"))
    expect(tiles).to_have_count(72)
    page.wait_for_function(f"Math.abs(window.scrollY - {scrolled}) <= 2")
    expect(page.locator(f"#search-results .tile[data-movie-id='{movie_id}']")).to_be_focused()


def test_a_new_visit_to_search_starts_at_the_top_with_one_page(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/search?genre=Drama")
    tiles = page.locator("#search-results .tile")
    page.get_by_role("button", name="Show more").click()
    expect(tiles).to_have_count(48)
    page.goto(f"{base_url}/#/movie/50")
    expect(page.locator(".movie__title")).to_be_visible()

    page.evaluate("location.hash = '#/search?genre=Drama'")  # a new entry in the history, not the way back
    expect(page.locator(".movie__title")).to_have_count(0)
    settle(page)
    expect(tiles).to_have_count(24)
    assert page.evaluate("window.scrollY") == 0


def test_signing_in_from_a_movie_page_comes_back_to_it(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/movie/50")
    expect(page.locator("#account").get_by_role("link", name="Sign in")).to_have_attribute(
        "href", "#/?next=%2Fmovie%2F50"
    )

    page.get_by_role("link", name="Sign in to rate this movie").click()
    page.get_by_label("MovieLens user id").fill("105")
    page.get_by_role("button", name="Continue", exact=True).click()

    expect(page).to_have_url(re.compile(r"#/movie/50$"))
    expect(page.get_by_role("slider", name="Your rating for Star Wars")).to_be_visible()


def test_starting_fresh_from_a_movie_page_comes_back_to_it(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/movie/50")
    page.get_by_role("link", name="Sign in to rate this movie").click()
    page.get_by_role("link", name="Start fresh").click()
    expect(page).to_have_url(re.compile(r"#/start\?next=%2Fmovie%2F50$"))

    unpicked = page.locator(".pick[aria-pressed='false']")
    for _ in range(5):
        unpicked.first.click()  # the one just clicked is pressed now: .first is the next movie
    page.get_by_role("button", name="Show my recommendations").click()

    expect(page).to_have_url(re.compile(r"#/movie/50$"))
    expect(page.get_by_role("slider", name="Your rating for Star Wars")).to_be_visible()
    expect(page.locator(".account__user")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Welcome!")).to_be_visible()


def test_signing_in_instead_of_starting_fresh_still_comes_back(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/movie/50")
    page.get_by_role("link", name="Sign in to rate this movie").click()
    page.get_by_role("link", name="Start fresh").click()
    page.locator("#account").get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"#/\?next=%2Fmovie%2F50$"))


def test_a_page_that_needs_signing_in_is_where_signing_in_leads(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/ratings")
    expect(page.get_by_role("heading", name="Find your next favourite film")).to_be_visible()

    page.get_by_label("MovieLens user id").fill("106")
    page.get_by_role("button", name="Continue", exact=True).click()

    expect(page).to_have_url(re.compile(r"#/ratings$"))
    settle(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your ratings")
