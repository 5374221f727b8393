"""Franchise (sequel / series) pairs found from MovieLens titles, plus a small hand-checked list: the
pairs a person expects to see in each other's "similar movies" (``ml.benchmarks.similarity``).

Rule (applied to normalised titles: parenthesised alternative titles dropped, trailing ", The"/", A"/
", An" dropped, lower-cased, punctuation other than ":" and "&" removed, leading article dropped):

* a title has a *sequel marker* at its first token that is a number ("2", "3-D" -> "3", "1992"), a
  roman numeral (II..X), ":", "part", or one of the weak markers "returns", "forever", "&"; its
  *stem* is the tokens before the marker (at least 4 characters);
* A (with a marker) and B are a pair when B's title *is* A's stem ("Die Hard 2" / "Die Hard"), B has
  the same stem ("Jaws 2" / "Jaws 3-D"), B is the stem's plural ("Alien: Resurrection" / "Aliens"),
  or -- for a stem of two or more words and a strong marker only -- the stem is a word prefix of B's
  title ("Star Trek VI: ..." / "Star Trek: Generations", "Die Hard 2" / "Die Hard: With a Vengeance");
* or B is "return / revenge / bride / son / curse of (the) <A's title>" ("Return of the Pink Panther");
* pairs a person rejected after reading the printed list (``REJECTED``) are dropped.

``HAND_GROUPS`` adds famous series whose titles share no stem (Star Wars, Indiana Jones, ...).
"""

from __future__ import annotations

import re
from itertools import combinations

import pandas as pd

ROMAN = {"ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
MARKER_WORDS = {"part", "returns", "forever", "&", ":"}
# a weak marker ("Batman Returns", "Love & Human Remains") only pairs with the bare stem or the same stem
WEAK_MARKERS = {"returns", "forever", "&"}
OF_PATTERNS = ("return of", "revenge of", "bride of", "son of", "curse of", "escape from")
# stems shorter than this many characters are not trusted as a franchise name on their own
MIN_STEM_CHARS = 4
# read and rejected: same words, not the same series
REJECTED: set[frozenset[str]] = {
    frozenset({"Robin Hood: Men in Tights", "Robin Hood: Prince of Thieves"}),
    frozenset({"Killer (Bulletproof Heart)", "Killer: A Journal of Murder"}),
}

# Famous ml-100k series whose titles do not share a stem (checked by hand), as (title, year) groups;
# every pair inside a group counts.
HAND_GROUPS: list[list[tuple[str, int]]] = [
    [("Star Wars", 1977), ("Empire Strikes Back, The", 1980), ("Return of the Jedi", 1983)],
    [("Raiders of the Lost Ark", 1981), ("Indiana Jones and the Last Crusade", 1989)],
    [("Grumpy Old Men", 1993), ("Grumpier Old Men", 1995)],
    [("Evil Dead II", 1987), ("Army of Darkness", 1993)],
    [("Wrong Trousers, The", 1993), ("Close Shave, A", 1995), ("Grand Day Out, A", 1992)],
    [("Escape from New York", 1981), ("Escape from L.A.", 1996)],
    [("Aladdin", 1992), ("Aladdin and the King of Thieves", 1996)],
    [("Alien", 1979), ("Aliens", 1986)],
    [("Jurassic Park", 1993), ("Lost World: Jurassic Park, The", 1997)],
    [("Jean de Florette", 1986), ("Manon of the Spring (Manon des sources)", 1986)],
    [("Pather Panchali", 1955), ("Aparajito", 1956), ("World of Apu, The (Apur Sansar)", 1959)],
    [("Love Bug, The", 1969), ("Herbie Rides Again", 1974)],
    [("Brady Bunch Movie, The", 1995), ("Very Brady Sequel, A", 1996)],
    [("Nightmare on Elm Street, A", 1984), ("Wes Craven's New Nightmare", 1994)],
]


def normalise(title: str) -> list[str]:
    t = re.sub(r"\([^)]*\)", " ", title)  # alternative / original-language titles
    t = re.sub(r",\s*(the|a|an|les|la|le|il|das|der|die|el)\s*$", "", t.strip(), flags=re.I)
    t = t.lower().replace(":", " : ").replace("&", " & ")
    t = re.sub(r"(\d+)-d\b", r"\1", t)  # "Jaws 3-D" -> "jaws 3"
    t = re.sub(r"[^a-z0-9:& ]+", " ", t)
    words = t.split()
    if words and words[0] in {"the", "a", "an"}:
        words = words[1:]
    return words


def _is_marker(word: str) -> bool:
    return word.isdigit() or word in ROMAN or word in MARKER_WORDS


def stem(words: list[str]) -> list[str] | None:
    """Tokens before the first sequel marker, or None when the title has no marker."""
    for i, w in enumerate(words):
        if _is_marker(w):
            return words[:i]
    return None


def _prefix_of(prefix: list[str], words: list[str]) -> bool:
    if len(prefix) > len(words):
        return False
    head = words[: len(prefix)]
    if head == prefix:
        return True
    return head[:-1] == prefix[:-1] and head[-1] == prefix[-1] + "s"  # Alien -> Aliens


def franchise_pairs(movies: pd.DataFrame, hand: bool = True) -> pd.DataFrame:
    """Unordered pairs ``a < b`` of movie ids in one franchise, with the rule that found them."""
    norm = {int(m): normalise(t) for m, t in zip(movies["movie_id"], movies["title"], strict=False)}
    by_first: dict[str, list[int]] = {}
    for m, w in norm.items():
        if w:
            by_first.setdefault(w[0], []).append(m)
            if w[0].endswith("s"):
                by_first.setdefault(w[0][:-1], []).append(m)
    found: dict[tuple[int, int], str] = {}
    for x, wx in norm.items():
        s = stem(wx)
        if not s or len(" ".join(s)) < MIN_STEM_CHARS:
            continue
        strong = wx[len(s)] not in WEAK_MARKERS
        for y in by_first.get(s[0], []):
            wy = norm[y]
            if y == x:
                continue
            same = wy == s or stem(wy) == s or wy == s[:-1] + [s[-1] + "s"]
            if same or (strong and len(s) >= 2 and _prefix_of(s, wy)):
                found.setdefault((min(x, y), max(x, y)), "stem")
    of_index: dict[str, int] = {}
    for m, w in norm.items():
        t = " ".join(w)
        if len(t) >= MIN_STEM_CHARS:
            of_index[t] = m
    for y, wy in norm.items():
        t = " ".join(wy).split(" : ")[0]
        for p in OF_PATTERNS:
            if t.startswith(p + " "):
                rest = t[len(p) + 1 :]
                rest = rest[4:] if rest.startswith("the ") else rest
                x = of_index.get(rest)
                if x is not None and x != y:
                    found.setdefault((min(x, y), max(x, y)), "of")
    title = dict(zip(movies["movie_id"].astype(int), movies["title"], strict=False))
    found = {p: r for p, r in found.items() if frozenset((title[p[0]], title[p[1]])) not in REJECTED}
    if hand:
        by_title_year = {
            (t, int(y)): int(m)
            for m, t, y in zip(movies["movie_id"], movies["title"], movies["year"].fillna(-1), strict=False)
        }
        for group in HAND_GROUPS:
            ids = [by_title_year[g] for g in group if g in by_title_year]
            for a, b in combinations(sorted(ids), 2):
                found.setdefault((a, b), "hand")
    rows = [(a, b, r, title[a], title[b]) for (a, b), r in sorted(found.items())]
    return pd.DataFrame(rows, columns=["a", "b", "rule", "title_a", "title_b"])
