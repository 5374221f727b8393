"""The stars never pretend: a preview under the pointer is drawn unlike a saved rating, stars that slide
under a still pointer preview nothing, and a save that fails puts back the stars that were saved."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, Route, expect

from tests.frontend.a11y_support import demo_session, store_session
from tests.frontend.test_ui import card_ids, ratings_of


def centre(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def fills(stars: Locator) -> list[str]:
    return stars.locator(".star").evaluate_all("(stars) => stars.map((star) => star.dataset.fill)")


def filled_star_look(stars: Locator) -> dict:
    return stars.locator(".star[data-fill='1'] .star__glyph--fill path").first.evaluate(
        """(path) => { const s = getComputedStyle(path);
                       return { fill: s.fill, opacity: s.fillOpacity, stroke: s.stroke }; }"""
    )


def refuse_ratings(page: Page) -> None:
    """POST /ratings answers 503, as during an outage; reading ratings still works."""

    def handle(route: Route) -> None:
        if route.request.method == "POST":
            route.fulfill(
                status=503, content_type="application/json", body='{"detail": "The store is not answering."}'
            )
        else:
            route.continue_()

    page.route(re.compile(r"/ratings$"), handle)


def test_a_preview_under_the_pointer_is_drawn_unlike_a_saved_rating(page: Page, base_url: str) -> None:
    store_session(page.context, demo_session(base_url, 110))
    page.goto(f"{base_url}/#/ratings")
    stars = page.locator("#my-ratings .rating-row").first.get_by_role("slider")
    expect(stars).to_be_visible()
    saved = float(stars.get_attribute("data-value"))
    saved_look = filled_star_look(stars)
    other = 5 if saved < 5 else 1

    page.mouse.move(*centre(stars.locator(f".star__hit[data-value='{other}']")))

    expect(stars).to_have_attribute("data-preview", "")
    assert fills(stars).count("1") == other
    assert filled_star_look(stars) != saved_look, "the preview looks like a saved rating"
    expect(stars).to_have_attribute("aria-valuetext", re.compile(rf"^Rated {saved:g} stars?$"))

    page.mouse.move(0, 0)

    expect(stars).not_to_have_attribute("data-preview", "")
    assert filled_star_look(stars) == saved_look


def test_stars_that_slide_under_a_still_pointer_preview_nothing(page: Page, base_url: str) -> None:
    store_session(page.context, demo_session(base_url, 111))
    page.goto(f"{base_url}/#/for-you")
    expect(page.locator(".card")).to_have_count(20)
    rated = card_ids(page)[0]
    x, y = centre(page.locator(f".card[data-movie-id='{rated}'] .star__hit[data-value='4']"))
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    expect(page.locator(f".card[data-movie-id='{rated}']")).to_have_count(0)
    expect(page.locator(".list-status")).to_have_text(re.compile(r"^Recommendations updated"))

    page.mouse.move(x, y)  # the browser hit-tests again; the pointer has not moved

    under = page.evaluate(f"document.elementFromPoint({x}, {y}).closest('.card')?.dataset.movieId")
    assert under is not None and int(under) != rated, "no other card slid under the pointer"
    stars = page.locator(f".card[data-movie-id='{under}']").get_by_role("slider")
    assert fills(stars) == ["0"] * 5, "the next card looks rated"
    expect(page.locator(".stars[data-preview]")).to_have_count(0)
    expect(stars).to_have_attribute("aria-valuetext", "Not rated")


def test_a_failed_save_puts_back_no_stars_on_a_recommendation(page: Page, base_url: str) -> None:
    store_session(page.context, demo_session(base_url, 112))
    page.goto(f"{base_url}/#/for-you")
    expect(page.locator(".card")).to_have_count(20)
    movie_id = card_ids(page)[0]
    card = page.locator(f".card[data-movie-id='{movie_id}']")
    refuse_ratings(page)

    card.locator(".star__hit[data-value='4']").click()

    expect(page.locator(".toast--error")).to_contain_text("Couldn't save your rating")
    stars = card.get_by_role("slider")
    expect(stars).not_to_have_attribute("aria-disabled", "true")
    assert fills(stars) == ["0"] * 5, "the stars stay lit beside the error"
    expect(stars).to_have_attribute("aria-valuetext", "Not rated")
    expect(stars).not_to_have_attribute("data-preview", "")
    assert movie_id not in ratings_of(base_url, 112)


def test_a_failed_save_puts_back_the_saved_stars_on_my_ratings(page: Page, base_url: str) -> None:
    store_session(page.context, demo_session(base_url, 113))
    page.goto(f"{base_url}/#/ratings")
    row = page.locator("#my-ratings .rating-row").first
    stars = row.get_by_role("slider")
    expect(stars).to_be_visible()
    before = fills(stars)
    saved = float(stars.get_attribute("data-value"))
    refuse_ratings(page)

    row.locator(f".star__hit[data-value='{5 if saved < 5 else 1}']").click()

    expect(page.locator(".toast--error")).to_contain_text("Couldn't save your rating")
    expect(stars).not_to_have_attribute("aria-disabled", "true")
    assert fills(stars) == before
    expect(stars).to_have_attribute("aria-valuetext", re.compile(rf"^Rated {saved:g} stars?$"))
    expect(stars).not_to_have_attribute("data-preview", "")
