"""Whether an entity-link file (movie id -> Freebase entity) is keyed by the ids of the dataset it meets.

A link file says "movie 480 is Freebase film m.0x". Keyed by another dataset's ids, every fact reached
through it is about some other film: RecBole ships ``ml-100k.link`` keyed by MovieLens-1M/20M ids, so on
ml-100k "North by Northwest" gets Jurassic Park's sequel and Taxi Driver gets a director of Bio-Dome.
Nothing in a link file says which ids it means, so it is judged by what it implies about films whose
titles and years the dataset knows:

- **Sequel pairs** (``film.film.sequel``/``prequel`` between two linked films) name the same franchise,
  so most share a title word ("Jurassic Park" -> "Lost World: Jurassic Park, The"), and the sequel is
  not older than the film it follows. Under the wrong ids the pairs are random films: a shared word
  is rare and the years are in order about half the time.
- **Linked ids that are films of the dataset**: a file for another dataset names ids this one lacks.
- The share of the dataset's films that are linked is reported, not judged: RecBole's file links
  MovieLens ids up to 1682 only, a small share of ml-20m that is still true.

The Freebase triples hold no titles or release dates, so the films cannot be compared directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.data.hygiene import normalised_title

MIN_SEQUEL_PAIRS = 5
"""Fewer sequel pairs among the dataset's films than this is too little evidence to believe a file."""
MIN_SEQUEL_TITLE_SHARE = 0.5
"""RecBole's links on ml-1m, whose ids they are keyed by: 44 of 57 sequel pairs (77%); on ml-100k: 0 of 57."""
MIN_SEQUEL_YEARS_IN_ORDER = 0.8
"""The same links on ml-1m: 57 of 57 sequel pairs in year order; on ml-100k: 31 of 57 (54%)."""
MIN_LINKED_IDS_IN_DATASET = 0.5
"""Below this share of the file's ids being films of the dataset, the file is for another dataset."""

TITLE_WORDS_THAT_TELL_NOTHING = frozenset(
    {"a", "an", "the", "and", "of", "in", "on", "to", "for", "part", "episode"}
    | {"l", "la", "le", "les", "de", "des", "du", "el", "il", "der", "die", "das"}
    | {"ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
)
"""Articles, linking words and sequel numbers: shared by unrelated films, so they are not evidence."""


@dataclass(frozen=True)
class LinkCheck:
    """The evidence about one link file, and the verdict a person can read."""

    link_file: str
    linked_ids: int
    linked_ids_in_dataset: int
    movies: int
    sequel_pairs: int
    sharing_a_title_word: int
    with_both_years: int
    years_in_order: int

    @property
    def too_little_evidence(self) -> bool:
        return self.sequel_pairs < MIN_SEQUEL_PAIRS

    @property
    def looks_keyed_by_other_ids(self) -> bool:
        in_dataset = _share(self.linked_ids_in_dataset, self.linked_ids)
        title_share = _share(self.sharing_a_title_word, self.sequel_pairs)
        years_share = _share(self.years_in_order, self.with_both_years)
        return (
            in_dataset < MIN_LINKED_IDS_IN_DATASET
            or title_share < MIN_SEQUEL_TITLE_SHARE
            or (self.with_both_years > 0 and years_share < MIN_SEQUEL_YEARS_IN_ORDER)
        )

    @property
    def passed(self) -> bool:
        return not self.too_little_evidence and not self.looks_keyed_by_other_ids

    @property
    def evidence(self) -> str:
        return (
            f"{_count(self.sharing_a_title_word, self.sequel_pairs)} sequel pairs share a title word, "
            f"{_count(self.years_in_order, self.with_both_years)} are in year order; "
            f"{_count(self.linked_ids_in_dataset, self.linked_ids)} linked ids are films of the dataset, "
            f"{_count(self.linked_ids_in_dataset, self.movies)} films linked"
        )

    @property
    def message(self) -> str:
        if self.passed:
            verdict = "links accepted"
        elif self.too_little_evidence:
            verdict = f"too few sequel pairs to check the links (need {MIN_SEQUEL_PAIRS})"
        else:
            verdict = "links look keyed by other ids"
        if not self.passed:
            verdict += "; people and sequels not imported"
        return f"{self.link_file}: {self.evidence}; {verdict}"


def check_links(
    link_file: str, links: pd.DataFrame, sequels: pd.DataFrame, movies: pd.DataFrame
) -> LinkCheck:
    """Score ``links`` (movie_id, entity_id) by the ``sequels`` (movie_id, sequel_id) they imply.

    ``movies`` is the dataset's table (movie_id, title, year); pairs with a film outside it are not
    counted, as there is nothing to compare them with.
    """
    linked_ids = pd.unique(links["movie_id"].to_numpy(dtype=np.int64))
    known = movies.drop_duplicates("movie_id").set_index("movie_id")
    pairs = sequels[sequels["movie_id"].isin(known.index) & sequels["sequel_id"].isin(known.index)]
    first, then = known.loc[pairs["movie_id"]], known.loc[pairs["sequel_id"]]
    shares_word = [
        bool(_title_words(a) & _title_words(b)) for a, b in zip(first["title"], then["title"], strict=True)
    ]
    years = pd.DataFrame({"first": first["year"].to_numpy(), "then": then["year"].to_numpy()}).dropna()
    return LinkCheck(
        link_file=link_file,
        linked_ids=len(linked_ids),
        linked_ids_in_dataset=int(np.isin(linked_ids, known.index.to_numpy()).sum()),
        movies=len(known),
        sequel_pairs=len(pairs),
        sharing_a_title_word=sum(shares_word),
        with_both_years=len(years),
        years_in_order=int((years["first"] <= years["then"]).sum()),
    )


def _title_words(title: str) -> set[str]:
    words = set(normalised_title(title).split()) - TITLE_WORDS_THAT_TELL_NOTHING
    return {word for word in words if not word.isdigit()}


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _count(part: int, whole: int) -> str:
    return f"{part} of {whole} ({_share(part, whole):.0%})"
