"""Freebase triples about real franchises in RecBole's ``.kg``/``.link`` format, keyed by MovieLens ids.

The ids are those of ml-1m (and ml-20m...), as in the ``ml-100k.link`` RecBole ships: 480 is Jurassic Park
there, while in ml-100k 480 is North by Northwest. ``ML1M_FILMS`` and ``ML100K_FILMS`` give what each
dataset calls the same ids, so the same files can be applied where they fit and where they do not.
"""

from __future__ import annotations

from pathlib import Path

from ml.data.knowledge_graph import KnowledgeGraphFiles

# id: (title, year, genres) as ml-1m's movies.dat lists them
ML1M_FILMS = {
    480: ("Jurassic Park", 1993, "Action|Adventure|Sci-Fi"),
    1544: ("Lost World: Jurassic Park, The", 1997, "Action|Adventure|Sci-Fi|Thriller"),
    260: ("Star Wars: Episode IV - A New Hope", 1977, "Action|Adventure|Fantasy|Sci-Fi"),
    1196: ("Star Wars: Episode V - The Empire Strikes Back", 1980, "Action|Adventure|Drama|Sci-Fi|War"),
    1210: ("Star Wars: Episode VI - Return of the Jedi", 1983, "Action|Adventure|Romance|Sci-Fi|War"),
    1387: ("Jaws", 1975, "Action|Horror"),
    1388: ("Jaws 2", 1978, "Action|Horror"),
    1380: ("Grease", 1978, "Comedy|Musical|Romance"),
    1381: ("Grease 2", 1982, "Comedy|Musical|Romance"),
    1223: ("Grand Day Out, A", 1992, "Animation|Comedy"),
    1148: ("Wrong Trousers, The", 1993, "Animation|Comedy"),
}

# the same ids as ml-100k's u.item names them: (title, year, genres)
ML100K_FILMS = {
    480: ("North by Northwest", 1959, "Thriller"),
    1544: ("It Takes Two", 1995, "Comedy"),
    260: ("Event Horizon", 1997, "Sci-Fi"),
    1196: ("Savage Nights (Nuits fauves, Les)", 1992, "Drama"),
    1210: ("Virtuosity", 1995, "Sci-Fi"),
    1387: ("Fall", 1997, "Romance"),
    1388: ("Gabbeh", 1996, "Drama"),
    1380: ("Hollow Reed", 1996, "Drama"),
    1381: ("Losing Chase", 1996, "Drama"),
    1223: ("King of the Hill", 1993, "Drama"),
    1148: ("Tom & Viv", 1994, "Drama"),
}

ENTITIES = {
    480: "m.jurassic_park",
    1544: "m.lost_world",
    260: "m.star_wars",
    1196: "m.empire_strikes_back",
    1210: "m.return_of_the_jedi",
    1387: "m.jaws",
    1388: "m.jaws_2",
    1380: "m.grease",
    1381: "m.grease_2",
    1223: "m.grand_day_out",
    1148: "m.wrong_trousers",
}

# RecBole's dump states most facts from both ends; a non-person relation (language) is left out on load.
TRIPLES = [
    ("m.jurassic_park", "film.film.sequel", "m.lost_world"),
    ("m.lost_world", "film.film.prequel", "m.jurassic_park"),
    ("m.star_wars", "film.film.sequel", "m.empire_strikes_back"),
    ("m.empire_strikes_back", "film.film.sequel", "m.return_of_the_jedi"),
    ("m.return_of_the_jedi", "film.film.prequel", "m.empire_strikes_back"),
    ("m.jaws_2", "film.film.prequel", "m.jaws"),
    ("m.grease", "film.film.sequel", "m.grease_2"),
    ("m.grand_day_out", "film.film.sequel", "m.wrong_trousers"),
    ("m.jurassic_park", "film.film.directed_by", "m.spielberg"),
    ("m.spielberg", "film.director.film", "m.jurassic_park"),
    ("m.spielberg", "film.director.film", "m.lost_world"),
    ("m.jaws", "film.film.directed_by", "m.spielberg"),
    ("m.star_wars", "film.film.directed_by", "m.lucas"),
    ("m.star_wars", "film.film.actor", "m.hamill"),
    ("m.empire_strikes_back", "film.film.actor", "m.hamill"),
    ("m.star_wars", "film.film.language", "m.english"),
]

# What the triples mean under MovieLens ids.
CREDITS = [
    ("m.hamill", 260, "ACTED_IN"),
    ("m.hamill", 1196, "ACTED_IN"),
    ("m.lucas", 260, "DIRECTED"),
    ("m.spielberg", 480, "DIRECTED"),
    ("m.spielberg", 1387, "DIRECTED"),
    ("m.spielberg", 1544, "DIRECTED"),
]
SEQUELS = [(260, 1196), (480, 1544), (1196, 1210), (1223, 1148), (1380, 1381), (1387, 1388)]


def kg_lines() -> str:
    return "".join(f"{head}\t{relation}\t{tail}\n" for head, relation, tail in TRIPLES)


def link_lines() -> str:
    return "".join(f"{movie_id}\t{entity}\n" for movie_id, entity in ENTITIES.items())


def recbole_item_lines(films: dict[int, tuple[str, int, str]]) -> str:
    return "".join(
        f"{movie_id}\t{title}\t{year}\t{genres.replace('|', ' ')}\n"
        for movie_id, (title, year, genres) in films.items()
    )


def write_knowledge_graph(stem: Path) -> KnowledgeGraphFiles:
    """``stem.kg`` and ``stem.link`` with their RecBole headers."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    files = KnowledgeGraphFiles.named(stem)
    files.triples.write_text("head_id:token\trelation_id:token\ttail_id:token\n" + kg_lines())
    files.links.write_text("item_id:token\tentity_id:token\n" + link_lines())
    return files
