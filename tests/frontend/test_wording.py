"""What the UI says: counts that agree with their nouns and verbs, no "unknown" genre to choose, and
titles as people say them ("The Horseman on the Roof") wherever a title from the API reaches the screen,
reasons built by the service included."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.frontend.a11y_support import demo_session, settle, store_session

# MovieLens files the article last, also before an original title in brackets.
STORED_WITH_ARTICLE_LAST = re.compile(r", (The|A|An)(\s*\(|$)")


def test_one_match_is_one_movie_that_matches(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/search?q=horseman")
    expect(page.locator(".list-status")).to_have_text("1 movie matches “horseman”")

    page.goto(f"{base_url}/#/search?q=star")
    expect(page.locator(".list-status")).to_have_text(re.compile(r"^\d+ movies match “star”$"))


def test_one_match_among_the_movies_to_pick(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/start")
    page.get_by_label("Find a movie you love").fill("horseman")
    expect(page.locator(".list-status")).to_have_text("1 movie matches “horseman”")


def test_a_rating_of_one_is_one_star(page: Page, base_url: str) -> None:
    store_session(page.context, demo_session(base_url, 120))
    page.goto(f"{base_url}/#/movie/50")
    stars = page.get_by_role("slider", name="Your rating for Star Wars")
    stars.focus()
    stars.press("1")
    expect(stars).to_have_attribute("aria-valuetext", "1 star, press Enter to save")
    stars.press("Enter")
    expect(stars).to_have_attribute("aria-valuetext", "Rated 1 star")


def test_no_genre_called_unknown_is_offered(page: Page, base_url: str) -> None:
    store_session(page.context, demo_session(base_url, 121))
    page.goto(f"{base_url}/#/for-you?genres=unknown")
    chips = page.get_by_role("group", name="Filter by genre")
    expect(chips.get_by_role("button", name="Drama")).to_be_visible()
    expect(chips.get_by_role("button", name="unknown")).to_have_count(0)

    page.goto(f"{base_url}/#/search")
    genre = page.get_by_label("Genre")
    expect(genre.locator("option[value='Drama']")).to_have_count(1)
    expect(genre.locator("option", has_text=re.compile("^unknown$", re.I))).to_have_count(0)

    page.goto(f"{base_url}/#/start")
    chips = page.get_by_role("group", name="Show popular movies in a genre")
    expect(chips.get_by_role("button", name="Drama")).to_be_visible()
    expect(chips.get_by_role("button", name="unknown")).to_have_count(0)


def test_titles_and_reasons_read_with_the_article_first(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/movie/113")  # "Horseman on the Roof, The (Hussard sur le toit, Le)"
    settle(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The Horseman on the Roof (Hussard sur le toit, Le)"
    )
    reasons = page.locator("#similar .tile__reason")
    expect(reasons.filter(has_text="The Horseman on the Roof").first).to_be_visible()

    # Every text on the page but "Listed as …", which shows the stored title on purpose.
    texts = page.locator("main").evaluate(
        """(main) => {
            const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
            const texts = [];
            while (walker.nextNode()) {
                const node = walker.currentNode;
                if (!node.parentElement.closest(".movie__original")) texts.push(node.textContent);
            }
            return texts;
        }"""
    )
    leaks = [text for text in texts if STORED_WITH_ARTICLE_LAST.search(text.strip())]
    assert not leaks, f"titles as stored, not as read: {leaks}"
