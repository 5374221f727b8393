"""How titles, names and queries are normalised for search, and the index syntax built from a query."""

from __future__ import annotations

import re

import pytest

from service.store.search_text import (
    SearchQuery,
    edits_allowed,
    lucene_query,
    redisearch_query,
    search_text,
    search_title,
)


@pytest.mark.parametrize(
    ("title", "indexed"),
    [
        ("Godfather, The", "the godfather"),
        ("Misérables, Les", "les miserables"),
        ("Schindler's List", "schindlers list"),
        ("Avventura, L'", "lavventura"),
        (
            "Horseman on the Roof, The (Hussard sur le toit, Le)",
            "the horseman on the roof le hussard sur le toit",
        ),
        ("Seven (Se7en)", "seven se7en"),
        ("Star Wars: Episode IV - A New Hope", "star wars episode iv a new hope"),
        ("Æon Flux", "aeon flux"),
        ("Nausicaä of the Valley of the Wind", "nausicaa of the valley of the wind"),
    ],
)
def test_a_title_is_indexed_with_its_article_in_front_accents_folded_and_no_punctuation(title, indexed):
    assert search_title(title) == indexed


def test_names_are_folded_like_titles_but_keep_their_word_order():
    assert search_text("Penélope Cruz") == "penelope cruz"
    assert search_text("Kaufman, Charlie") == "kaufman charlie"


@pytest.mark.parametrize(
    "typed", ["The Godfather", "Godfather, The", "godfather", "GODFATHER!", "  the   godfather "]
)
def test_every_way_of_typing_a_title_asks_for_the_same_words(typed):
    query = SearchQuery.parse(typed)
    assert query.words == ("godfather",)
    assert "the godfather" in query.exact and "godfather" in query.exact


def test_a_lone_article_is_a_word_and_a_query_without_letters_is_empty():
    assert SearchQuery.parse("The").words == ("the",)
    assert not SearchQuery.parse("!!! -- ***")
    assert not SearchQuery.parse("")


def test_a_short_last_word_is_matched_by_the_statement_not_expanded_by_the_index():
    query = SearchQuery.parse("star w")
    assert query.index_words == ("star",) and query.word_prefix == "w"
    assert SearchQuery.parse("godf").word_prefix == ""


def test_titles_that_begin_with_the_query_are_range_lookups_for_three_letters_or_more():
    assert SearchQuery.parse("godf").beginnings[:2] == [["godf", "godg"], ["the godf", "the godg"]]
    assert SearchQuery.parse("the g").beginnings == [["the g", "the h"]]  # the article as typed only
    assert SearchQuery.parse("go").beginnings == []  # too many titles begin so
    assert SearchQuery.parse("the").beginnings == []


def test_longer_words_forgive_more_typos():
    assert [edits_allowed(word) for word in ("it", "kng", "usual", "dubmer", "godfater")] == [0, 1, 1, 2, 2]


def test_redisearch_query_allows_typos_and_an_unfinished_last_word():
    query = SearchQuery.parse("usual suspcts")
    assert redisearch_query(query) == "(usual|%usual%) (suspcts|suspcts*|%%suspcts%%)"
    assert redisearch_query(query, typos=False) == "(usual) (suspcts|suspcts*)"


def test_lucene_query_requires_every_word_with_the_same_options():
    query = SearchQuery.parse("usual suspcts")
    assert lucene_query(query) == "+(usual usual~1) +(suspcts suspcts* suspcts~2)"
    assert lucene_query(query, typos=False) == "+(usual) +(suspcts suspcts*)"


HOSTILE = [
    '"unclosed',
    "@title:{x} | -y ~z",
    "%%fuzzy%% *wild* $param => [1 TO 5]",
    "AND OR NOT && || ! ^ ( ) { } [ ] : \\ /",
    "ünïcödé ' ` ´ ’ 東京物語",
]


@pytest.mark.parametrize("typed", HOSTILE)
def test_no_operator_of_either_index_survives_what_was_typed(typed):
    query = SearchQuery.parse(typed)
    assert all(re.fullmatch(r"\w+", word) for word in query.words)
    for built in (redisearch_query(query), lucene_query(query)):
        # Only the operators the builders write themselves, around words.
        assert re.fullmatch(r"[\w\s()|%*+~12]*", built), built
