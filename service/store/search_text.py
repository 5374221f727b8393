"""Search text: titles and names as the full-text indexes hold them, and queries in the same form.

A title is indexed as ``Movie.search_title`` (:func:`search_title`): MovieLens' trailing article moved
to the front ("Godfather, The" → "the godfather"; also inside a parenthesised second title), accents
folded ("Misérables" → "miserables"), lower case, apostrophes dropped ("Schindler's" → "schindlers"),
and every other character that is not a letter or a digit turned into a space. A person's name is
indexed as ``Person.search_name`` (:func:`search_text`). Both are written on import and on every admin
write, so the database never needs to know how to fold an accent.

A query goes through the same function (:class:`SearchQuery`), so both sides meet whatever the person
typed: "The Godfather", "Godfather, The" and "godfather" are the same words. Only letters, digits and
spaces survive, so no operator of RediSearch (FalkorDB) or Lucene (Neo4j) can reach an index from a
query; the two query syntaxes are built from those words (:func:`redisearch_query`,
:func:`lucene_query`), one per backend adapter.

Each word of a query matches a word of the title as typed, and the last word, which may still be being
typed, also as a prefix; when that finds nothing, a second pass forgives typos: one edit in words of 3 to
5 letters, two from 6 (``GraphStore._search_passes``). A leading article is left out of the words looked
for (the index then also finds "Godfather, The" for "the godfather" and "godfather"), and a last word of
one or two letters ("star w") is checked by the statement as a word prefix, since the index would expand
it to only some of the words that begin with it. Titles that begin with the query come from a range
index (:attr:`SearchQuery.beginnings`). The statements rank what was found: exact title, then a title
that begins with the query, then every word present, then the rest (typos), each by popularity
(``search_movies.cypher``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ARTICLES = ("the", "a", "an", "les", "la", "le", "il", "das", "der", "die", "el", "los", "las")
"""Leading articles, normalised; MovieLens files a title's article behind it ("Misérables, Les")."""
MAX_WORDS = 10
"""Words of a query that count: a longer query is cut (no title needs more to be found)."""
INDEX_CANDIDATES = 500
"""Matches taken from the full-text index, in its own order (best TF-IDF first), to rank: a broad query
("the", "lov", two letters) matches thousands of titles, and ranking costs per match. Titles that begin
with the query come from the range index in full (:attr:`SearchQuery.beginnings`)."""
MIN_PREFIX_LETTERS = 3
"""The shortest query whose title beginnings are all looked up (shorter ones begin too many titles)."""
_TRAILING_ARTICLE = re.compile(
    r"^(?P<rest>.+), (?P<article>The|A|An|Les|La|Le|L'|Il|Das|Der|Die|El|Los|Las)$"
)
_PARENTHESISED = re.compile(r"\(([^()]*)\)")
_APOSTROPHES = str.maketrans("", "", "'’ʼ`´")
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans(
    {"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def search_text(text: str) -> str:
    """``text`` as the indexes hold it: lower case, accents folded, apostrophes dropped, anything but
    letters and digits a single space."""
    folded = text.casefold().translate(_APOSTROPHES).translate(_LETTERS_WITHOUT_DECOMPOSITION)
    letters = (c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in letters).split())


def _article_first(title: str) -> str:
    match = _TRAILING_ARTICLE.match(title.strip())
    if match is None:
        return title
    article = match.group("article")
    separator = "" if article.endswith("'") else " "  # L'Avventura
    return f"{article}{separator}{match.group('rest')}"


def search_title(title: str) -> str:
    """A movie title as the index holds it: "Horseman on the Roof, The (Hussard sur le toit, Le)" →
    "the horseman on the roof le hussard sur le toit"."""
    parts = [_PARENTHESISED.sub(" ", title), *_PARENTHESISED.findall(title)]
    return search_text(" ".join(_article_first(part) for part in parts))


def edits_allowed(word: str) -> int:
    """Typos forgiven in a word: none in short words (too many words are one edit from them)."""
    return 2 if len(word) >= 6 else 1 if len(word) >= 3 else 0


@dataclass(frozen=True)
class SearchQuery:
    """What a person typed, normalised as titles are (:func:`search_title`)."""

    words: tuple[str, ...]
    """The query's words without a leading article (unless it is the only word)."""
    article: str = ""
    """The leading article typed, if any ("the" of "the god")."""

    @classmethod
    def parse(cls, typed: str) -> SearchQuery:
        words = search_title(typed).split()[:MAX_WORDS]
        if len(words) > 1 and words[0] in ARTICLES:
            return cls(tuple(words[1:]), words[0])
        return cls(tuple(words))

    def __bool__(self) -> bool:
        return bool(self.words)

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def exact(self) -> list[str]:
        """Indexed texts that are this query exactly, with or without a leading article."""
        return [self.text, *(f"{article} {self.text}" for article in ARTICLES)]

    @property
    def beginnings(self) -> list[list[str]]:
        """[from, to) of the indexed texts that begin with the query, for a range index: with the article
        typed, or without one, with any article or none. None for a lone article or fewer than three
        letters (too many titles begin so)."""
        if self.article:
            beginnings = [f"{self.article} {self.text}"]
        elif len(self.text) >= MIN_PREFIX_LETTERS and self.text not in ARTICLES:
            beginnings = self.exact
        else:
            beginnings = []
        return [[text, text[:-1] + chr(ord(text[-1]) + 1)] for text in beginnings]

    @property
    def index_words(self) -> tuple[str, ...]:
        """The words the index looks for: a last word of one or two letters after others is left to
        the statement (``word_prefix``): as a prefix, the index would expand it to only some of the
        words that begin with it."""
        return self.words[:-1] if self.word_prefix else self.words

    @property
    def word_prefix(self) -> str:
        """A short last word, which some word of a match must start with ('' for none)."""
        return self.words[-1] if len(self.words) > 1 and len(self.words[-1]) <= 2 else ""

    @property
    def forgives_typos(self) -> bool:
        """Whether some word the index looks for is long enough to be matched with an edit."""
        return any(edits_allowed(word) for word in self.index_words)

    def params(self) -> dict[str, object]:
        """The parameters the search statements rank with (all but the backend's index query)."""
        return {
            "exact": self.exact,
            "beginnings": self.beginnings,
            "whole_words": list(self.words[:-1]),
            "last_word": self.words[-1],
            "word_prefix": self.word_prefix,
            "candidates": INDEX_CANDIDATES,
        }


def _word_options(query: SearchQuery, typos: bool) -> list[tuple[str, bool, int]]:
    """(word, also as a prefix, edits forgiven) for each word the index looks for; only the last word
    typed can be unfinished."""
    words, last_is_typed = query.index_words, not query.word_prefix
    return [
        (word, last_is_typed and i == len(words) - 1, edits_allowed(word) if typos else 0)
        for i, word in enumerate(words)
    ]


def redisearch_query(query: SearchQuery, typos: bool = True) -> str:
    """RediSearch syntax (FalkorDB's full-text index): ``(usual|%usual%) (suspcts|suspcts*|%%suspcts%%)``;
    groups side by side must all match, ``%w%``/``%%w%%`` is one/two edits, ``w*`` a prefix."""
    terms = []
    for word, prefix, edits in _word_options(query, typos):
        options = [word]
        if prefix:
            options.append(f"{word}*")
        if edits:
            options.append(f"{'%' * edits}{word}{'%' * edits}")
        terms.append(f"({'|'.join(options)})")
    return " ".join(terms)


def lucene_query(query: SearchQuery, typos: bool = True) -> str:
    """Lucene syntax (Neo4j's full-text index): ``+(usual usual~1) +(suspcts suspcts* suspcts~2)``;
    each ``+( )`` must match, ``w~N`` is N edits, ``w*`` a prefix."""
    terms = []
    for word, prefix, edits in _word_options(query, typos):
        options = [word]
        if prefix:
            options.append(f"{word}*")
        if edits:
            options.append(f"{word}~{edits}")
        terms.append(f"+({' '.join(options)})")
    return " ".join(terms)
