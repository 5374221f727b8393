"""Whether IMDb people found through a dataset's ``links.csv`` are about the dataset's films.

The IMDb files are keyed by IMDb's own ids, so they cannot be keyed by another dataset's ids the way
Freebase links can (``ml.data.link_check``); what can go wrong is the way to them:

- **Files filtered for another dataset** (an ``imdb/`` folder copied from ml-latest-small into ml-32m),
  or from a dump that lacks the titles: most of the dataset's linked films are then not in the files.
  IMDb lists principals or crew for nearly every film, so a low share means the files are not these.
- **A ``links.csv`` whose imdbIds mean other films** (a hand-made dataset numbering its own movies):
  the credits then go to films of random years, and many name people born years after the film came
  out. Under the right links that is a rare data error; MovieLens and IMDb may disagree on a release
  year by one, so a person born the year after is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MIN_LINKED_MOVIES_FOUND = 0.5
"""Below this share of the dataset's linked films being in the files, the files are for something else."""
MAX_BORN_AFTER_FILM = 0.05
"""Above this share of dated credits going to people born after the film, the links mean other films."""
MIN_DATED_CREDITS = 20
"""Fewer credits with both a film year and a birth year than this are too few to judge the links by."""
YEARS_OF_SLACK = 1


@dataclass(frozen=True)
class ImdbCheck:
    """The evidence about IMDb people for one dataset, and the verdict a person can read."""

    source: str
    linked_movies: int
    linked_movies_found: int
    dated_credits: int
    born_after_film: int

    @property
    def files_miss_the_films(self) -> bool:
        return _share(self.linked_movies_found, self.linked_movies) < MIN_LINKED_MOVIES_FOUND

    @property
    def links_mean_other_films(self) -> bool:
        return (
            self.dated_credits >= MIN_DATED_CREDITS
            and _share(self.born_after_film, self.dated_credits) > MAX_BORN_AFTER_FILM
        )

    @property
    def passed(self) -> bool:
        return not self.files_miss_the_films and not self.links_mean_other_films

    @property
    def message(self) -> str:
        evidence = (
            f"{_count(self.linked_movies_found, self.linked_movies)} linked films are in the files, "
            f"{_count(self.born_after_film, self.dated_credits)} dated credits name a person born after "
            "the film"
        )
        if self.passed:
            verdict = "people accepted"
        elif self.files_miss_the_films:
            verdict = "the files lack most of the dataset's films (filtered for another dataset?)"
        else:
            verdict = "links.csv looks to link other films"
        if not self.passed:
            verdict += "; IMDb people not imported"
        return f"{self.source}: {evidence}; {verdict}"


def check_imdb_people(
    source: str,
    linked_movies: int,
    linked_movies_found: int,
    credits: pd.DataFrame,
    people: pd.DataFrame,
    movies: pd.DataFrame,
) -> ImdbCheck:
    """Score ``credits`` (person_id, movie_id) by the birth years of ``people`` and the ``movies``' years."""
    born = people.set_index("person_id")["birth_year"]
    released = movies.drop_duplicates("movie_id").set_index("movie_id")["year"]
    years = pd.DataFrame(
        {
            "born": credits["person_id"].map(born).astype("Float64"),
            "released": credits["movie_id"].map(released).astype("Float64"),
        }
    ).dropna()
    return ImdbCheck(
        source=source,
        linked_movies=linked_movies,
        linked_movies_found=linked_movies_found,
        dated_credits=len(years),
        born_after_film=int((years["born"] > years["released"] + YEARS_OF_SLACK).sum()),
    )


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _count(part: int, whole: int) -> str:
    return f"{part} of {whole} ({_share(part, whole):.0%})"
