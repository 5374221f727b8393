"""Accessibility as a test. axe-core runs on every view at desktop (1280) and phone (390) width and fails
on any violation of impact moderate or worse. Then what axe cannot see: the keyboard path to the first
movie (the skip link lands on the list), where the focus goes after a card leaves, half-star targets a
finger can hit, the sign-in prompt on one line, and the contrast of an empty star.

ml-100k has no people (its Freebase links are refused on import), so the person view is its not-found
page; the person page itself is covered by the API's tests of /people.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.frontend.a11y_support import (
    DESKTOP,
    PHONE,
    axe_violations,
    demo_session,
    describe,
    new_context,
    new_user_session,
    settle,
    store_session,
)
from tests.frontend.test_ui import card_ids

RATER = 101  # a MovieLens user with a long history: My ratings is full
PICKS = [50, 172, 181, 1, 121]

# view -> (address, who is signed in: None, "demo" or "new")
VIEWS = {
    "start": ("#/", None),
    "onboarding": ("#/start", None),
    "for-you": ("#/for-you", "demo"),
    "for-you-new-user": ("#/for-you", "new"),
    "browse": ("#/search", None),
    "search-results": ("#/search?q=star", "demo"),
    "movie": ("#/movie/50", "demo"),
    "movie-signed-out": ("#/movie/50", None),
    "movie-not-found": ("#/movie/999999", "demo"),
    "person-not-found": ("#/person/nm0000001", None),
    "my-ratings": ("#/ratings", "demo"),
    "my-ratings-picks": ("#/ratings", "new"),
    "account": ("#/account", "demo"),
    "account-set-password": ("#/account", "new"),
    "not-found": ("#/no/such/page", None),
}


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def viewport(request: pytest.FixtureRequest) -> dict:
    return request.param


@pytest.fixture
def context(browser: Browser, viewport: dict) -> Iterator[BrowserContext]:
    context = new_context(browser, viewport)
    yield context
    context.close()


def open_page(context: BrowserContext, base_url: str, address: str) -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base_url}/{address}")
    settle(page)
    assert not errors, f"uncaught errors in the page: {errors}"
    return page


@pytest.mark.parametrize("view", list(VIEWS))
def test_axe_finds_nothing_moderate_or_worse(context: BrowserContext, base_url: str, view: str) -> None:
    address, who = VIEWS[view]
    if who == "demo":
        store_session(context, demo_session(base_url, RATER))
    elif who == "new":
        store_session(context, new_user_session(base_url, PICKS))
    page = open_page(context, base_url, address)

    violations = axe_violations(page)

    assert not violations, f"axe on {view} ({page.viewport_size['width']} px wide):\n{describe(violations)}"


def tabs_to(page: Page, first_item: str, most: int = 3) -> int | None:
    """Tab from the top of a freshly loaded page (following the skip link when it has the focus) until
    the focus is in ``first_item``; how many Tabs that took, or None after ``most``."""
    for tabs in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('skip-link')"):
            page.keyboard.press("Enter")
        elif page.locator(first_item).first.evaluate("(item) => item.contains(document.activeElement)"):
            return tabs
    return None


@pytest.mark.parametrize(
    ("address", "first_item", "skip_text"),
    [
        ("#/for-you", ".card", "Skip to recommendations"),
        ("#/search?q=star", "#search-results .tile", "Skip to results"),
        ("#/search", "#search-results .tile", "Skip to results"),
        ("#/ratings", "#my-ratings .rating-row", "Skip to your ratings"),
        ("#/start", ".pick", "Skip to the movies"),
    ],
)
def test_the_skip_link_leads_to_the_first_movie_within_three_tabs(
    page: Page, base_url: str, address: str, first_item: str, skip_text: str
) -> None:
    store_session(page.context, demo_session(base_url, RATER))
    page.goto(f"{base_url}/{address}")
    settle(page)

    tabs = tabs_to(page, first_item)

    assert tabs is not None and tabs <= 3, f"the first movie of {address} is more than 3 Tabs away"
    expect(page.locator(".skip-link")).to_have_text(skip_text)


def test_rating_with_the_keyboard_moves_the_focus_to_the_next_cards_stars(page: Page, base_url: str) -> None:
    store_session(page.context, demo_session(base_url, 102))
    page.goto(f"{base_url}/#/for-you")
    expect(page.locator(".card")).to_have_count(20)
    first, second, third = card_ids(page)[:3]
    stars = page.locator(f".card[data-movie-id='{first}']").get_by_role("slider")

    stars.focus()
    stars.press("4")
    stars.press("Enter")

    expect(page.locator(f".card[data-movie-id='{first}']")).to_have_count(0)
    expect(page.locator(".list-status")).to_have_text(re.compile(r"^Recommendations updated"))
    expect(page.locator(".card")).to_have_count(20)
    expect(page.locator(f".card[data-movie-id='{second}']").get_by_role("slider")).to_be_focused()

    # On from the stars to "Not interested": the focus goes on to the card after.
    page.keyboard.press("Tab")
    hide = page.locator(f".card[data-movie-id='{second}']").get_by_role(
        "button", name=re.compile("^Not interested")
    )
    expect(hide).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(f".card[data-movie-id='{second}']")).to_have_count(0)
    expect(page.locator(".toast").filter(has_text="won't recommend")).to_be_visible()
    expect(page.locator(".card")).to_have_count(20)
    expect(page.locator(".results")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator(f".card[data-movie-id='{third}']").get_by_role("slider")).to_be_focused()


def test_half_stars_are_targets_of_at_least_24_px_on_a_phone(page: Page, base_url: str) -> None:
    page.set_viewport_size(PHONE)
    store_session(page.context, demo_session(base_url, RATER))
    for address, stars in [
        ("#/for-you", ".card .stars"),
        ("#/movie/50", ".movie__rate .stars"),
        ("#/ratings", ".rating-row .stars"),
    ]:
        page.goto(f"{base_url}/{address}")
        settle(page)
        halves = page.locator(stars).first.locator(".star__hit")
        expect(halves).to_have_count(10)
        sizes = halves.evaluate_all(
            """(halves) => halves.map((half) => {
                const box = half.getBoundingClientRect();
                return [box.width, box.height];
            })"""
        )
        small = [size for size in sizes if min(size) < 24]
        assert not small, f"{address}: half-star targets under 24 px: {small}"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{address} scrolls sideways by {overflow}px"


def test_the_sign_in_prompt_on_a_movie_fits_one_line_on_a_phone(page: Page, base_url: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{base_url}/#/movie/50")

    prompt = page.get_by_role("link", name="Sign in to rate this movie")
    expect(prompt).to_be_visible()
    lines = prompt.evaluate(
        """(link) => {
            const text = [...link.childNodes].find(
                (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim(),
            );
            const range = document.createRange();
            range.selectNodeContents(text);
            return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
        }"""
    )
    assert lines == 1, f"the sign-in prompt wraps onto {lines} lines"


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours (the foreground opaque)."""

    def luminance(color: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"[\d.]+", color)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_an_empty_star_stands_out_from_its_card(page: Page, base_url: str) -> None:
    """WCAG 1.4.11: the parts of a control needed to use it have 3:1 against what is around them."""
    store_session(page.context, demo_session(base_url, 103))
    page.goto(f"{base_url}/#/for-you")
    card = page.locator(".card").first
    expect(card).to_be_visible()

    empty = card.locator(".star__glyph--base").first.evaluate("(glyph) => getComputedStyle(glyph).color")
    background = card.evaluate("(card) => getComputedStyle(card).backgroundColor")

    assert contrast(empty, background) >= 3.0, f"empty star {empty} on {background}"
