"""Reasons name movies as people say them: the article MovieLens files last comes first again."""

from __future__ import annotations

import pytest

from service.reasons import display_title


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("Usual Suspects, The", "The Usual Suspects"),
        ("Toy Story", "Toy Story"),
        (
            "Horseman on the Roof, The (Hussard sur le toit, Le)",
            "The Horseman on the Roof (Hussard sur le toit, Le)",
        ),
        ("Blue Angel, The (Blaue Engel, Der)", "The Blue Angel (Blaue Engel, Der)"),
        ("Enfer, L'", "L'Enfer"),
        ("Good, the Bad and the Ugly, The", "The Good, the Bad and the Ugly"),
        ("Three Colors: Red", "Three Colors: Red"),
    ],
)
def test_titles_in_reasons_read_with_their_article_first(stored: str, shown: str) -> None:
    assert display_title(stored) == shown
