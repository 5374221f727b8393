"""Turning Freebase triples about films into the people and sequel edges of the movie graph.

The KB4Rec dump that RecBole ships states most facts twice, once from each end
(``film.film.directed_by`` and ``film.director.film``); both directions map to one edge here, and
duplicates collapse. Relations about things other than people (language, country, awards, ratings) are
left out: they add little to "why was this recommended" and a lot of nodes.
"""

from __future__ import annotations

import pandas as pd

from ml.data.dataset import CREDIT_COLUMNS, SEQUEL_COLUMNS

# relation -> role of the person; whether the film is the triple's head is derived from the links.
PERSON_ROLES = {
    "film.film.actor": "ACTED_IN",
    "film.actor.film": "ACTED_IN",
    "film.film.directed_by": "DIRECTED",
    "film.director.film": "DIRECTED",
    "film.film.written_by": "WROTE",
    "film.writer.film": "WROTE",
    "film.film.produced_by": "PRODUCED",
    "film.producer.film": "PRODUCED",
    "film.film.cinematography": "SHOT",
    "film.cinematographer.film": "SHOT",
}
ROLES = sorted(set(PERSON_ROLES.values()))


def credits_and_sequels(triples: pd.DataFrame, links: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``triples`` has columns head/relation/tail; ``links`` maps movie_id to its Freebase entity_id."""
    movie_by_entity = pd.Series(links["movie_id"].to_numpy(), index=links["entity_id"].to_numpy())
    movie_by_entity = movie_by_entity[~movie_by_entity.index.duplicated()]
    head_movie = triples["head"].map(movie_by_entity)
    tail_movie = triples["tail"].map(movie_by_entity)

    roles = triples["relation"].map(PERSON_ROLES)
    is_credit = roles.notna() & (head_movie.notna() ^ tail_movie.notna())
    film_is_head = head_movie.notna()
    credits = pd.DataFrame(
        {
            "person_id": triples["tail"].where(film_is_head, triples["head"]),
            "movie_id": head_movie.where(film_is_head, tail_movie),
            "role": roles,
        }
    )[is_credit]
    credits = credits.astype({"movie_id": "int64"}).drop_duplicates(ignore_index=True)

    both = head_movie.notna() & tail_movie.notna()
    sequel = both & (triples["relation"] == "film.film.sequel")
    prequel = both & (triples["relation"] == "film.film.prequel")
    sequels = pd.concat(
        [
            pd.DataFrame({"movie_id": head_movie[sequel], "sequel_id": tail_movie[sequel]}),
            pd.DataFrame({"movie_id": tail_movie[prequel], "sequel_id": head_movie[prequel]}),
        ]
    )
    sequels = sequels.astype("int64").drop_duplicates(ignore_index=True)
    return credits[CREDIT_COLUMNS], sequels[SEQUEL_COLUMNS]
