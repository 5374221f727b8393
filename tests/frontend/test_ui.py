"""The web UI end to end: a real headless Chromium against the real service (API and UI on one origin).

Each test signs in as its own user, so that no test depends on what another one rated.
"""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.frontend.live_service import ADMIN_HEADERS, free_port

MOVIELENS_USERS = 943


def sign_in(page: Page, base_url: str, user_id: int) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("MovieLens user id").fill(str(user_id))
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page).to_have_url(re.compile(r"#/for-you"))
    expect(page.locator(".card").first).to_be_visible()


def card_ids(page: Page) -> list[int]:
    return [
        int(value)
        for value in page.locator(".card").evaluate_all("cards => cards.map(c => c.dataset.movieId)")
    ]


def mark_document(page: Page) -> None:
    """A flag that survives only as long as the document: it proves that nothing reloaded the page."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def history_of(base_url: str, user_id: int) -> dict:
    response = httpx.get(f"{base_url}/users/{user_id}/ratings", headers=ADMIN_HEADERS, timeout=30)
    return response.raise_for_status().json()


def ratings_of(base_url: str, user_id: int) -> dict[int, float]:
    return {item["movie"]["id"]: item["rating"] for item in history_of(base_url, user_id)["items"]}


def test_demo_sign_in_shows_recommendation_cards(page: Page, base_url: str) -> None:
    sign_in(page, base_url, 1)

    cards = page.locator(".card")
    expect(cards).to_have_count(20)
    expect(page.get_by_role("heading", name="Recommended for you")).to_be_visible()
    expect(page.locator("#account")).to_contain_text("User 1")
    first = cards.first
    expect(first.locator(".card__title a")).not_to_be_empty()
    expect(first.locator(".card__year")).to_have_text(re.compile(r"^\d{4}$|unknown"))
    expect(first.locator(".tag").first).to_be_visible()
    expect(first.get_by_role("img", name=re.compile(r"^Predicted rating \d\.\d of 5 stars$"))).to_be_visible()
    expect(first.locator(".predicted__value")).to_have_text(re.compile(r"^\d\.\d★$"))
    expect(first.locator(".reason")).to_have_text(re.compile(r"\w+"))
    expect(first.get_by_role("slider", name=re.compile(r"^Rate "))).to_be_visible()
    # What was shown is what the API recommends, in its order.
    api_ids = [
        item["movie"]["id"]
        for item in httpx.get(
            f"{base_url}/recommendations", params={"user_id": 1, "k": 20}, headers=ADMIN_HEADERS, timeout=30
        ).json()["items"]
    ]
    assert card_ids(page) == api_ids


def test_genre_chip_shows_only_movies_of_that_genre(page: Page, base_url: str) -> None:
    sign_in(page, base_url, 2)
    mark_document(page)

    page.get_by_role("group", name="Filter by genre").get_by_role("button", name="Comedy", exact=True).click()

    expect(page.get_by_role("button", name="Comedy", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"genres=Comedy"))
    expect(page.locator(".card:not(:has(.tag[data-genre='Comedy']))")).to_have_count(0)
    expect(page.locator(".results")).not_to_have_attribute("aria-busy", "true")
    assert page.locator(".card").count() > 0
    assert_same_document(page)

    page.get_by_role("button", name="All genres").click()
    expect(page.locator(".card:not(:has(.tag[data-genre='Comedy']))").first).to_be_visible()


def test_two_genres_say_any_of_them_and_offer_all_of_them(page: Page, base_url: str) -> None:
    sign_in(page, base_url, 2)
    chips = page.get_by_role("group", name="Filter by genre")
    chips.get_by_role("button", name="Comedy", exact=True).click()
    chips.get_by_role("button", name="Romance", exact=True).click()

    expect(page.locator(".genre-mode__text")).to_have_text("Showing movies in Comedy or Romance.")
    mode = page.get_by_role("group", name="Movies in")
    expect(mode.get_by_role("button", name="Any of them")).to_have_attribute("aria-pressed", "true")
    mode.get_by_role("button", name="All of them").click()

    expect(page.locator(".genre-mode__text")).to_have_text("Showing movies in Comedy and Romance.")
    expect(page).to_have_url(re.compile(r"mode=all"))
    expect(page.locator(".results")).not_to_have_attribute("aria-busy", "true")
    both = ".card:has(.tag[data-genre='Comedy']):has(.tag[data-genre='Romance'])"
    expect(page.locator(f".card:not({both})")).to_have_count(0)
    assert page.locator(".card").count() > 0


def test_rating_a_card_removes_it_and_refills_the_list(page: Page, base_url: str) -> None:
    sign_in(page, base_url, 5)
    expect(page.locator(".card")).to_have_count(20)
    before = card_ids(page)
    rated = before[0]
    mark_document(page)

    page.locator(f".card[data-movie-id='{rated}'] .star__hit[data-value='4']").click()

    expect(page.locator(f".card[data-movie-id='{rated}']")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Rated")).to_contain_text("4★")
    expect(page.locator(".card--new").first).to_be_visible()
    expect(page.locator(".card")).to_have_count(20)
    after = card_ids(page)
    assert rated not in after
    arrived = set(after) - set(before)
    # One rating nudges the list: the rated card leaves, a few arrive, the rest stay.
    assert 1 <= len(arrived) <= 5, f"{len(arrived)} of 20 cards changed"
    expect(page.locator(".list-status")).to_have_text(f"Recommendations updated: {len(arrived)} new.")
    assert_same_document(page)
    assert ratings_of(base_url, 5)[rated] == 4.0


def test_rating_with_the_keyboard_in_half_stars(page: Page, base_url: str) -> None:
    sign_in(page, base_url, 6)
    first = page.locator(".card").first
    movie_id = int(first.get_attribute("data-movie-id"))
    stars = first.get_by_role("slider")

    stars.focus()
    for _ in range(7):  # 0.5 steps: 3.5 stars
        stars.press("ArrowRight")
    expect(stars).to_have_attribute("aria-valuetext", "3.5 stars, press Enter to save")
    stars.press("Enter")

    expect(page.locator(f".card[data-movie-id='{movie_id}']")).to_have_count(0)
    expect(page.locator(".card")).to_have_count(20)
    assert ratings_of(base_url, 6)[movie_id] == 3.5


def test_new_user_picks_five_movies_and_gets_a_personalised_list(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="Start fresh").click()
    expect(page.get_by_role("heading", name="Pick movies you like")).to_be_visible()
    finish = page.get_by_role("button", name="Show my recommendations")
    expect(finish).to_be_disabled()

    picks = page.locator(".pick")
    for index in range(3):
        picks.nth(index).click()
    expect(page.locator(".pick-bar__count")).to_have_text("3 of 5 picked")
    page.get_by_role("group", name="Show popular movies in a genre").get_by_role(
        "button", name="Sci-Fi"
    ).click()
    expect(page.locator(".pick-results")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator(".pick-grid")).not_to_have_class(re.compile("is-refreshing"))
    unpicked = page.locator(".pick[aria-pressed='false']")
    unpicked.nth(0).click()
    unpicked.nth(0).click()  # the one clicked before is pressed now: nth(0) is the next movie
    expect(page.locator(".pick-bar__count")).to_have_text("5 picked — ready")
    expect(page.locator(".pick-tray .pick-chip")).to_have_count(5)
    expect(finish).to_be_enabled()
    chosen = [
        int(v)
        for v in page.locator(".pick-tray .pick-chip").evaluate_all(
            "chips => chips.map(c => c.dataset.movieId)"
        )
    ]
    assert len(set(chosen)) == 5

    finish.click()

    expect(page).to_have_url(re.compile(r"#/for-you"))
    expect(page.locator(".card")).to_have_count(20)
    user_text = page.locator(".account__user").inner_text()
    user_id = int(re.search(r"\d+", user_text).group())
    assert user_id > MOVIELENS_USERS
    assert not set(card_ids(page)) & set(chosen), "liked movies must not be recommended back"
    expect(page.locator(".page-header__lead")).to_contain_text("based on 5 movies you picked")
    expect(page.locator(".reason").filter(has_text="You picked").first).to_be_visible()
    history = history_of(base_url, user_id)
    assert history["items"] == [], "picks are not ratings"
    assert {pick["movie"]["id"] for pick in history["picks"]} == set(chosen)


def test_search_then_movie_page_then_a_similar_movie(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    search = page.get_by_role("combobox", name="Search movies and people")
    search.fill("star wars")
    option = page.get_by_role("option", name=re.compile(r"^Star Wars"))
    expect(option).to_be_visible()
    search.press("ArrowDown")
    expect(page.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"#/movie/50$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Star Wars")
    # ml-100k has no people (its Freebase links are refused on import): no section, no words about them
    expect(page.locator("#people-title")).to_have_count(0)
    expect(page.get_by_text("Freebase")).to_have_count(0)
    similar = page.locator("#similar .tile")
    expect(similar.first).to_be_visible()
    similar_id = similar.first.get_attribute("data-movie-id")
    similar_title = similar.first.locator(".tile__title").inner_text()

    similar.first.click()

    expect(page).to_have_url(re.compile(rf"#/movie/{similar_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(similar_title)


def test_search_page_lists_matching_titles(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    search = page.get_by_role("combobox", name="Search movies and people")
    search.fill("toy")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"#/search\?q=toy"))
    expect(page.locator("#search-results .tile", has_text="Toy Story")).to_be_visible()
    expect(page.locator(".list-status")).to_contain_text("match")


def test_own_ratings_are_listed_and_can_be_changed(page: Page, base_url: str) -> None:
    sign_in(page, base_url, 3)
    page.get_by_role("link", name="My ratings").click()

    rows = page.locator(".rating-row")
    expect(rows.first).to_be_visible()
    expected = ratings_of(base_url, 3)
    expect(rows).to_have_count(min(len(expected), 50))
    first = rows.first
    movie_id = int(first.get_attribute("data-movie-id"))
    new_rating = 1.5 if expected[movie_id] != 1.5 else 2.5

    first.locator(f".star__hit[data-value='{new_rating}']").click()

    expect(page.get_by_role("status").filter(has_text="Updated")).to_be_visible()
    expect(first.get_by_role("slider")).to_have_attribute("aria-valuetext", f"Rated {new_rating:g} stars")
    assert ratings_of(base_url, 3)[movie_id] == new_rating


def test_unknown_genre_in_the_address_shows_the_api_message(page: Page, base_url: str) -> None:
    sign_in(page, base_url, 4)
    page.goto(f"{base_url}/#/for-you?genres=Space-Opera")

    alert = page.locator(".state--error")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Space-Opera")
    expect(alert.get_by_role("button", name="Try again")).to_be_visible()


def test_ui_served_by_a_static_server_talks_to_the_api_from_the_address(
    page: Page, base_url: str, static_ui_url: str
) -> None:
    page.goto(f"{static_ui_url}/?api={base_url}")
    page.get_by_label("MovieLens user id").fill("8")
    page.get_by_role("button", name="Continue", exact=True).click()

    expect(page.locator(".card").first).to_be_visible()
    expect(page.locator("#banner")).to_be_hidden()


def test_views_load_when_first_visited(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/")
    expect(page.locator("h1")).to_be_visible()
    loaded = "() => performance.getEntriesByType('resource').map((e) => e.name)"
    not_yet = ("/views/movie.js", "/views/ratings.js", "/views/for-you.js")
    assert not any(name.endswith(not_yet) for name in page.evaluate(loaded))

    page.goto(f"{base_url}/#/movie/50")
    expect(page.locator(".movie__title")).to_be_visible()
    assert any(name.endswith("/views/movie.js") for name in page.evaluate(loaded))


def test_api_down_shows_a_clear_error_message(page: Page, static_ui_url: str) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    page.goto(f"{static_ui_url}/?api={closed}")

    banner = page.locator("#banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Can't reach CineGraph right now")
    expect(banner).not_to_contain_text("127.0.0.1")  # no internal host or port in what a person reads
    expect(banner.get_by_role("button", name="Retry")).to_be_visible()

    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.locator("#demo-error")).to_contain_text("Can't reach CineGraph")

    page.goto(f"{static_ui_url}/?api={closed}#/movie/1")
    expect(page.locator(".state--error")).to_contain_text("Can't reach")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()


def test_phone_width_needs_no_sideways_scrolling(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base_url, 9)
    for path in ("#/for-you", "#/movie/50", "#/ratings", "#/search?q=star"):
        page.goto(f"{base_url}/{path}")
        expect(page.locator("main h1")).to_be_visible()
        expect(page.locator("main [aria-busy='true'], main .skeletons")).to_have_count(0)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at phone width"


def start_fresh_with_five_picks(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="Start fresh").click()
    picks = page.locator(".pick")
    for index in range(5):
        picks.nth(index).click()
    page.get_by_role("button", name="Show my recommendations").click()
    expect(page.locator(".card")).to_have_count(20)


def test_a_new_user_is_warned_before_signing_out_and_comes_back_with_a_password(
    page: Page, base_url: str
) -> None:
    start_fresh_with_five_picks(page, base_url)
    user_id = int(re.search(r"\d+", page.locator(".account__user").inner_text()).group())
    expect(page.get_by_role("link", name="Set a password")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Before you sign out")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="no way back")).to_be_visible()
    username = f"fresh{user_id}"
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Save and sign out").click()
    expect(page.locator(".account-form .form-error")).to_contain_text("at least 8 characters")
    page.get_by_label("Password").fill("a good password")
    page.get_by_role("button", name="Save and sign out").click()
    expect(page.get_by_role("heading", name="Find your next favourite film")).to_be_visible()
    expect(page.locator("#account")).to_contain_text("Sign in")

    page.get_by_label("Password").fill("a wrong password")
    page.locator("#signin-username").fill(username)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#signin-error")).to_contain_text("Wrong username or password")
    page.get_by_label("Password").fill("a good password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"#/for-you"))
    expect(page.locator(".account__user")).to_have_text(username)
    expect(page.get_by_role("link", name="Set a password")).to_have_count(0)
    page.get_by_role("link", name="My ratings").click()
    expect(page.locator("#my-picks .rating-row")).to_have_count(5)  # the five picks are there again
    assert len(history_of(base_url, user_id)["picks"]) == 5


def test_signing_out_anyway_forgets_a_user_without_a_password(page: Page, base_url: str) -> None:
    start_fresh_with_five_picks(page, base_url)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign out anyway").click()
    expect(page.get_by_role("heading", name="Find your next favourite film")).to_be_visible()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('cinegraph.session'))") == []
