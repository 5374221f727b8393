"""Feedback a person controls, in the browser: undo a rating from its toast, remove a rating (also with
the Delete key), and "Not interested" on a recommendation, undone from its toast or from My ratings.

What the UI did is read back from the store through the API (admin key); each test has its own user.
"""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.frontend.live_service import ADMIN_HEADERS
from tests.frontend.test_ui import assert_same_document, card_ids, mark_document, ratings_of, sign_in


def not_interested_of(base_url: str, user_id: int) -> list[int]:
    response = httpx.get(f"{base_url}/users/{user_id}/not-interested", headers=ADMIN_HEADERS, timeout=30)
    return [item["movie"]["id"] for item in response.raise_for_status().json()["items"]]


def similar_ids(base_url: str, movie_id: int) -> list[int]:
    response = httpx.get(f"{base_url}/movies/{movie_id}/similar", params={"k": 12}, timeout=30)
    return [item["movie"]["id"] for item in response.raise_for_status().json()["items"]]


def toast_with(page: Page, text: str):
    return page.locator(".toast").filter(has_text=text)


def test_undo_on_the_rating_toast_removes_a_first_rating_and_the_card_returns(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, 60)
    expect(page.locator(".card")).to_have_count(20)
    rated = card_ids(page)[0]
    mark_document(page)

    page.locator(f".card[data-movie-id='{rated}'] .star__hit[data-value='4']").click()
    expect(page.locator(f".card[data-movie-id='{rated}']")).to_have_count(0)
    assert ratings_of(base_url, 60)[rated] == 4.0

    toast_with(page, "Rated").get_by_role("button", name="Undo").click()

    expect(toast_with(page, "Removed your rating")).to_be_visible()
    expect(page.locator(f".card[data-movie-id='{rated}']")).to_have_count(1)  # recommended again
    assert rated not in ratings_of(base_url, 60)
    assert_same_document(page)


def test_undo_on_the_rating_toast_restores_the_previous_rating(page: Page, base_url: str) -> None:
    sign_in(page, base_url, 61)
    page.get_by_role("link", name="My ratings").click()
    first = page.locator(".rating-row").first
    expect(first).to_be_visible()
    movie_id = int(first.get_attribute("data-movie-id"))
    before = ratings_of(base_url, 61)[movie_id]
    changed = 1.5 if before != 1.5 else 2.5

    first.locator(f".star__hit[data-value='{changed}']").click()
    expect(toast_with(page, "Updated")).to_be_visible()
    assert ratings_of(base_url, 61)[movie_id] == changed

    toast_with(page, "Updated").get_by_role("button", name="Undo").click()

    row = page.locator(f".rating-row[data-movie-id='{movie_id}']")
    expect(row.get_by_role("slider")).to_have_attribute("aria-valuetext", f"Rated {before:g} stars")
    assert ratings_of(base_url, 61)[movie_id] == before


def test_the_delete_key_on_the_stars_removes_a_rating_and_undo_puts_it_back(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, 62)
    movie_id, rating = next(iter(ratings_of(base_url, 62).items()))
    page.goto(f"{base_url}/#/movie/{movie_id}")
    stars = page.get_by_role("slider", name=re.compile("^Your rating for"))
    expect(stars).to_have_attribute("aria-valuetext", f"Rated {rating:g} stars")
    expect(stars).to_have_attribute("aria-keyshortcuts", "Delete Backspace 0")

    stars.focus()
    stars.press("Delete")

    expect(stars).to_have_attribute("aria-valuetext", "Not rated")
    expect(page.locator(".movie__rate-note")).to_have_text("Rating removed")  # a polite live region
    expect(page.get_by_role("button", name=re.compile("^Remove your rating"))).to_be_hidden()
    removed = toast_with(page, "Removed your rating")
    expect(removed).to_have_attribute("role", "status")
    assert movie_id not in ratings_of(base_url, 62)

    removed.get_by_role("button", name="Undo").click()

    expect(stars).to_have_attribute("aria-valuetext", f"Rated {rating:g} stars")
    assert ratings_of(base_url, 62)[movie_id] == rating


def test_a_rating_is_removed_from_my_ratings(page: Page, base_url: str) -> None:
    sign_in(page, base_url, 63)
    page.get_by_role("link", name="My ratings").click()
    rows = page.locator("#my-ratings .rating-row")
    expect(rows.first).to_be_visible()
    count = rows.count()
    movie_id = int(rows.first.get_attribute("data-movie-id"))

    rows.first.get_by_role("button", name=re.compile("^Remove your rating")).click()

    expect(page.locator(f"#my-ratings .rating-row[data-movie-id='{movie_id}']")).to_have_count(0)
    expect(rows).to_have_count(count - 1)
    expect(toast_with(page, "Removed your rating")).to_be_visible()
    assert movie_id not in ratings_of(base_url, 63)


def test_not_interested_removes_the_card_at_once_and_undo_brings_it_back(page: Page, base_url: str) -> None:
    sign_in(page, base_url, 64)
    expect(page.locator(".card")).to_have_count(20)
    hidden = card_ids(page)[0]
    mark_document(page)

    page.locator(f".card[data-movie-id='{hidden}']").get_by_role(
        "button", name=re.compile("^Not interested")
    ).click()

    expect(page.locator(f".card[data-movie-id='{hidden}']")).to_have_count(0)
    expect(toast_with(page, "won't recommend")).to_be_visible()
    expect(page.locator(".card")).to_have_count(20)  # refilled
    assert hidden not in card_ids(page)
    assert not_interested_of(base_url, 64) == [hidden]

    toast_with(page, "won't recommend").get_by_role("button", name="Undo").click()

    expect(page.locator(f".card[data-movie-id='{hidden}']")).to_have_count(1)
    assert not_interested_of(base_url, 64) == []
    assert_same_document(page)


def test_a_hidden_movie_leaves_similar_lists_and_is_shown_again_from_my_ratings(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, 65)
    hidden = card_ids(page)[0]
    neighbour = next(m for m in similar_ids(base_url, hidden) if hidden in similar_ids(base_url, m))
    page.locator(f".card[data-movie-id='{hidden}']").get_by_role(
        "button", name=re.compile("^Not interested")
    ).click()
    expect(toast_with(page, "won't recommend")).to_be_visible()

    page.goto(f"{base_url}/#/movie/{neighbour}")
    expect(page.locator("#similar .tile").first).to_be_visible()
    expect(page.locator(f"#similar .tile[data-movie-id='{hidden}']")).to_have_count(0)

    page.get_by_role("link", name="My ratings").click()
    row = page.locator(f"#my-hidden .rating-row[data-movie-id='{hidden}']")
    expect(row).to_be_visible()
    row.get_by_role("button", name=re.compile("^Show .* again$")).click()

    expect(page.locator("#my-hidden")).to_have_count(0)
    expect(toast_with(page, "can be recommended again")).to_be_visible()
    assert not_interested_of(base_url, 65) == []
    page.goto(f"{base_url}/#/movie/{neighbour}")
    expect(page.locator(f"#similar .tile[data-movie-id='{hidden}']")).to_have_count(1)
