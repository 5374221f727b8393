"""The UI's pure helpers (titles, initials, API error messages), run as ES modules in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page


@pytest.fixture
def ui(page: Page, static_ui_url: str) -> Page:
    page.goto(f"{static_ui_url}/?api=http://127.0.0.1:9")  # nothing needs to answer for these
    return page


def call(page: Page, module: str, expression: str):
    return page.evaluate(f"async () => {{ const m = await import('./js/{module}'); return {expression}; }}")


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Usual Suspects, The", "The Usual Suspects"),
        ("Toy Story", "Toy Story"),
        (
            "Old Lady Who Walked in the Sea, The (Vieille qui marchait dans la mer, La)",
            "The Old Lady Who Walked in the Sea (Vieille qui marchait dans la mer, La)",
        ),
        ("Enfer, L'", "L'Enfer"),
    ],
)
def test_titles_read_with_their_article_first(ui: Page, title: str, shown: str) -> None:
    assert call(ui, "format.js", f"m.displayTitle({title!r})") == shown


@pytest.mark.parametrize(
    ("title", "letters"),
    [
        ("Usual Suspects, The", "US"),
        ("Star Wars", "SW"),
        ("Se7en", "S"),
        ("2001: A Space Odyssey", "2S"),
        ("Ran", "R"),
    ],
)
def test_poster_initials_skip_articles(ui: Page, title: str, letters: str) -> None:
    assert call(ui, "format.js", f"m.initials({title!r})") == letters


def test_api_errors_become_sentences(ui: Page) -> None:
    assert (
        call(ui, "api.js", "m.messageFromBody({detail: 'movie 9 does not exist'}, 404)")
        == "Movie 9 does not exist."
    )
    validation = (
        "m.messageFromBody({detail: [{loc: ['body', 'rating'], msg: 'Input should be at most 5'}]}, 422)"
    )
    assert call(ui, "api.js", validation) == "Input should be at most 5."
    assert call(ui, "api.js", "m.messageFromBody(null, 502)") == "The API answered 502 (bad gateway)."


def test_api_address_comes_from_the_query_then_the_meta_tag(ui: Page) -> None:
    resolve = "m.resolveApiBase({search: %r}, document)"
    assert call(ui, "api.js", resolve % "?api=http://h:1/") == "http://h:1"
    assert call(ui, "api.js", resolve % "") == ""  # the meta tag is empty: same origin


def test_every_movie_gets_a_poster_of_its_own(ui: Page) -> None:
    colours = call(
        ui,
        "poster.js",
        "[1, 2, 1].map(id => m.posterColors({id, genres: ['Action']})).map(c => c.top + c.bottom)",
    )
    assert colours[0] == colours[2] != colours[1]
