"""``cinegraph bench search``: latency of ``GET /movies?q=`` through the real app over HTTP.

For each catalogue size the benchmark imports a catalogue into a scratch graph of the embedded FalkorDB,
starts ``uvicorn service.main:create_app`` (one worker, one training epoch: search latency does not
depend on the model; its data directory is ``<data dir>/bench-search/<size>-movies-seed-<seed>``, so a
second run loads the model the first trained) in a subprocess on that graph, and asks it 200 queries a
person would type, made
from the catalogue's own titles with a seeded generator (:func:`realistic_queries`): prefixes as
typed, titles with their article in front or MovieLens' ", The" behind, typos of one or two edits,
accents left off, a few significant words. It prints one JSON line per catalogue:

- latency of one client asking one query after another (``--rounds`` passes over the 200), p50/p99;
- how often the movie a query was made from came first, or in the first three;
- ``--concurrency`` clients searching at once: answers per second, errors by kind (HTTP status, or the
  client's exception with its root cause), p50/p99 under that load.

The clients let a connection go after ``CLIENT_KEEPALIVE_EXPIRY_S`` idle, well before the service closes it
(``SERVER_KEEP_ALIVE_S``): with both at 5 s (httpx's and uvicorn's defaults) a request sent on a connection
the server was closing at that moment was dropped, 0-3 in 30,000 (see ``CLIENT_KEEPALIVE_EXPIRY_S``).

Catalogues: ``1682`` is ml-100k (1,663 movies after hygiene); a larger number is ml-100k plus synthetic
movies (``ml.data.synthetic`` ratings, users and IMDb-format people) whose titles are drawn from the
words of ml-100k's titles, with their frequencies, lengths and trailing articles (:func:`word_titles`).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

from ml.data import Dataset, default_dataset, load_dataset
from service.config import Settings
from service.reasons import display_title
from service.store.factory import connect_store, embedded_server

GRAPH = "cinegraph_bench_search"
ML100K_MOVIES = 1682  # as published; 1,663 after hygiene
START_TIMEOUT_S = 1800.0  # at 60,000 movies the service trains a model and fits its cold-movie encoders
TRAILING_ARTICLE = re.compile(r"^(?P<rest>.+), (?P<article>The|A|An|Les|La|Le|L'|Il|Das|Der|Die|El)$")
ARTICLES = {"The", "A", "An", "Les", "La", "Le", "L'", "Il", "Das", "Der", "Die", "El"}
QUERY_KINDS = ("prefix", "title", "movielens", "no article", "typo", "two typos", "unaccented", "words")
SERVER_KEEP_ALIVE_S = 5
"""uvicorn's ``--timeout-keep-alive`` (its default, stated): the service closes connections idle this long."""
CLIENT_KEEPALIVE_EXPIRY_S = 2.0
"""The clients reuse a connection idle at most this long. Below the server's timeout with a margin, for the
server's idle clock starts when it has sent a response and the client's only when it has read it (tens of
ms later under load). With both at 5 s, a pool that keeps its first connections busy leaves its last ones
idle for seconds, and now and then one was reused just as uvicorn's timer closed it: the request met a
closed socket (``RemoteProtocolError`` "Server disconnected without sending a response", or ``ReadError``
from a connection reset), and the server logged nothing. Reproduced with uvicorn at 1 s under a search load:
11 of 400 requests on connections idle 0-30 ms short of the timeout were dropped; none of 400 with the
clients' expiry at half of it."""


def register(bench: argparse._SubParsersAction) -> None:
    parser = bench.add_parser("search", help="latency of GET /movies?q= over HTTP: 200 realistic queries")
    parser.add_argument("--movies", default="1682,60000", help="catalogue sizes (1682: ml-100k)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5, help="passes of one client over the queries")
    parser.add_argument("--concurrency", type=int, default=50, help="clients searching at once")
    parser.add_argument("--concurrent-requests", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(handler=lambda args: bench_search(args, Settings()))


def bench_search(args: argparse.Namespace, settings: Settings) -> int:
    if settings.uses_neo4j:
        print("error: bench search runs against the embedded store (it creates and drops a scratch graph)")
        return 1
    server = embedded_server(settings)
    server.start()
    settings = settings.model_copy(update={"graph_name": GRAPH})
    base = default_dataset(settings.data_dir)
    for size in (int(text) for text in args.movies.split(",")):
        dataset = base if size <= ML100K_MOVIES else synthetic_catalogue(base, size, args.seed)
        queries = realistic_queries(dataset, args.queries, args.seed)
        asyncio.run(import_graph(settings, dataset))
        try:
            # The service's data directory outlives the run: its model is trained once per catalogue.
            scratch = settings.data_dir / "bench-search" / f"{size}-movies-seed-{args.seed}"
            with running_service(settings, scratch, server.password()) as url:
                report = measure(url, queries, args)
        finally:
            asyncio.run(drop_graph(settings))
        print(json.dumps({"movies": len(dataset.movies), "queries": len(queries), **report}), flush=True)
    return 0


# --- the catalogue and the queries -----------------------------------------------------------------


def word_titles(base_titles: list[str], n: int, rng: np.random.Generator) -> list[str]:
    """``n`` titles made of the words of ``base_titles``: as many words as they have, words drawn with
    their frequency (softened, so that rarer words appear too), and the trailing articles
    (``", The"``) as often as the base titles carry them."""
    words: Counter[str] = Counter()
    lengths = []
    articles = []
    for title in base_titles:
        match = TRAILING_ARTICLE.match(title)
        articles.append(match.group("article") if match else None)
        body = re.sub(r"\(.*?\)", " ", match.group("rest") if match else title).split()
        lengths.append(len(body))
        words.update(word for word in body if any(c.isalnum() for c in word))
    vocabulary = np.array(list(words), dtype=object)
    weights = np.array(list(words.values()), dtype=np.float64) ** 0.5
    # A title starts with a capitalised word that is not an article ("Of", "The" come later, if at all).
    first = np.array([w[0].isupper() and w not in ARTICLES and w != "Of" for w in vocabulary])
    sizes = rng.choice(np.array(lengths), n)
    firsts = rng.choice(vocabulary[first], n, p=weights[first] / weights[first].sum())
    rest = rng.choice(vocabulary, sizes.sum() - n, p=weights / weights.sum())
    trailing = rng.choice(np.array(articles, dtype=object), n)
    bounds = np.concatenate([[0], np.cumsum(sizes - 1)])
    titles = []
    for i in range(n):
        body = " ".join([firsts[i], *rest[bounds[i] : bounds[i + 1]]])
        titles.append(f"{body}, {trailing[i]}" if trailing[i] else body)
    return titles


def synthetic_catalogue(base: Dataset, movies: int, seed: int) -> Dataset:
    """ml-100k's movies and ratings plus synthetic movies up to ``movies`` in all, with word titles,
    their own ratings (a synthetic 300k, power-law) and IMDb-format people."""
    from ml.data.synthetic import SyntheticSize, write_ml25m

    extra = movies - len(base.movies)
    with tempfile.TemporaryDirectory() as scratch:
        synthetic = load_dataset(
            write_ml25m(Path(scratch) / "syn", SyntheticSize(3000, extra, 300_000), seed)
        )
    offset = int(base.movies["movie_id"].max()) + 1000
    user_offset = int(base.users["user_id"].max())
    rng = np.random.default_rng(seed)
    titles = word_titles(list(base.movies["title"]), len(synthetic.movies), rng)
    shifted = {"movie_id": lambda frame: frame["movie_id"] + offset}
    added_movies = synthetic.movies.assign(title=titles, **shifted)
    added_ratings = _every_movie_rated(synthetic, rng).assign(
        user_id=lambda frame: frame["user_id"] + user_offset, **shifted
    )
    added_users = synthetic.users.assign(user_id=synthetic.users["user_id"] + user_offset)
    return dataclasses.replace(
        base,
        name=f"ml-100k+synthetic-{movies}",
        movies=pd.concat([base.movies, added_movies], ignore_index=True),
        ratings=pd.concat([base.ratings, added_ratings], ignore_index=True),
        users=pd.concat([base.users, added_users], ignore_index=True),
        credits=synthetic.credits.assign(**shifted),
        people=synthetic.people,
        links=synthetic.links.assign(**shifted),
    )


def _every_movie_rated(dataset: Dataset, rng: np.random.Generator) -> pd.DataFrame:
    """The ratings plus one for each movie nobody rated (from a random user): the service would otherwise
    build vectors for ten thousand cold movies at start-up, minutes that measure nothing of search."""
    unrated = np.setdiff1d(dataset.movies["movie_id"].to_numpy(), dataset.ratings["movie_id"].to_numpy())
    extra = pd.DataFrame(
        {
            "user_id": rng.choice(dataset.users["user_id"].to_numpy(), len(unrated)),
            "movie_id": unrated,
            "rating": rng.choice(np.arange(1, 11) / 2, len(unrated)),
            "timestamp": rng.choice(dataset.ratings["timestamp"].to_numpy(), len(unrated)),
        }
    )
    return pd.concat([dataset.ratings, extra.astype(dataset.ratings.dtypes.to_dict())], ignore_index=True)


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _typo(word: str, rng: np.random.Generator) -> str:
    """One edit a typist makes: a letter dropped, doubled, swapped with the next, or mistyped."""
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(4))
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    letters = "etaoinsrhl"
    return word[:i] + letters[int(rng.integers(len(letters)))] + word[i + 1 :]


def realistic_queries(dataset: Dataset, n: int, seed: int) -> list[dict[str, object]]:
    """``n`` queries, each made from one movie (drawn by its number of ratings: people look for what
    they have heard of), of the kinds in ``QUERY_KINDS`` in turn. Each is ``{"q", "kind", "movie_id"}``."""
    rng = np.random.default_rng(seed)
    counts = dataset.ratings["movie_id"].value_counts()
    movies = dataset.movies.assign(ratings=dataset.movies["movie_id"].map(counts).fillna(0) + 1)
    weights = (movies["ratings"] / movies["ratings"].sum()).to_numpy()
    queries: list[dict[str, object]] = []
    while len(queries) < n:
        row = movies.iloc[int(rng.choice(len(movies), p=weights))]
        kind = QUERY_KINDS[len(queries) % len(QUERY_KINDS)]
        query = _query_of_kind(kind, str(row["title"]), rng)
        if query is not None:
            queries.append({"q": query, "kind": kind, "movie_id": int(row["movie_id"])})
    return queries


def _query_of_kind(kind: str, title: str, rng: np.random.Generator) -> str | None:
    shown = display_title(re.sub(r"\s*\(.*?\)", "", title)).strip()
    bare = TRAILING_ARTICLE.sub(r"\g<rest>", re.sub(r"\s*\(.*?\)", "", title)).strip()
    words = [w for w in re.split(r"[^\w']+", bare) if w]
    long_words = [w for w in words if len(w) >= 5]
    if kind == "prefix":
        cut = int(rng.integers(max(3, len(shown) // 3), max(4, len(shown))))
        return shown[:cut].lower()
    if kind == "title":
        return shown
    if kind == "movielens":
        return title if TRAILING_ARTICLE.match(title) else None
    if kind == "no article":
        return bare.lower()
    if kind == "typo" and long_words:
        word = long_words[int(rng.integers(len(long_words)))]
        return bare.lower().replace(word.lower(), _typo(word.lower(), rng), 1)
    if kind == "two typos" and long_words:
        word = max(long_words, key=len)
        if len(word) < 8:
            return None
        return bare.lower().replace(word.lower(), _typo(_typo(word.lower(), rng), rng), 1)
    if kind == "unaccented":
        return _unaccented(shown) if _unaccented(shown) != shown else shown.upper()
    if kind == "words" and len(long_words) >= 2:
        return " ".join(sorted(long_words, key=len)[-2:]).lower()
    return None


# --- the store and the service ---------------------------------------------------------------------


async def import_graph(settings: Settings, dataset: Dataset, *, progress: bool = False) -> dict[str, float]:
    """``dataset`` alone in ``settings.graph_name`` (emptied first); seconds per import step."""
    store = connect_store(settings)
    try:
        await store.backend.drop()
        return await store.import_dataset(dataset, progress=progress)
    finally:
        await store.close()


async def drop_graph(settings: Settings) -> None:
    store = connect_store(settings)
    try:
        await store.backend.drop()
    finally:
        await store.close()


class running_service:
    """``uvicorn service.main:create_app`` in a subprocess on the scratch graph; its URL while inside.

    ``env`` adds or overrides ``CINEGRAPH_*`` variables (None unsets one); ``log_config`` is a logging
    config for uvicorn's ``--log-config`` (JSON), e.g. to keep the service's INFO lines. ``ready_after_s``:
    seconds from starting the process to its first healthy answer."""

    def __init__(
        self,
        settings: Settings,
        data_dir: Path,
        password: str,
        *,
        env: dict[str, str | None] | None = None,
        log_config: Path | None = None,
    ) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        merged = {
            **os.environ,
            "CINEGRAPH_DATA_DIR": str(data_dir),
            "CINEGRAPH_GRAPH_NAME": settings.graph_name,
            "CINEGRAPH_FALKORDB_PORT": str(settings.falkordb_port),
            "CINEGRAPH_FALKORDB_PASSWORD": password,
            "CINEGRAPH_TRAIN_EPOCHS": "1",
            "CINEGRAPH_SEARCH_PER_MINUTE": "0",
            "CINEGRAPH_MOVIE_SYNC_INTERVAL_S": "3600",
            **(env or {}),
        }
        self.env = {name: value for name, value in merged.items() if value is not None}
        self.command = [sys.executable, "-m", "uvicorn", "service.main:create_app", "--factory"]
        self.command += ["--port", str(self.port), "--log-level", "warning"]
        self.command += ["--timeout-keep-alive", str(SERVER_KEEP_ALIVE_S)]
        if log_config is not None:
            self.command += ["--log-config", str(log_config)]
        self.process: subprocess.Popen | None = None
        self.ready_after_s: float | None = None

    def __enter__(self) -> str:
        started = time.monotonic()
        self.process = subprocess.Popen(self.command, env=self.env)
        url = f"http://127.0.0.1:{self.port}"
        deadline = started + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited with {self.process.returncode}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    self.ready_after_s = time.monotonic() - started
                    return url
            except httpx.HTTPError:
                pass
            time.sleep(0.1)  # the port opens only when start-up is done: refused at once until then
        self.__exit__()
        raise RuntimeError(f"the service did not become healthy within {START_TIMEOUT_S:.0f} s")

    def __exit__(self, *_exc: object) -> None:
        assert self.process is not None
        self.process.terminate()  # uvicorn still starting (training) ignores it: then kill
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)


# --- the measurement -------------------------------------------------------------------------------


def latency_percentiles(seconds: list[float], percentiles: tuple[int, ...] = (50, 99)) -> dict[str, float]:
    """``{"p50_ms": …, "p99_ms": …}`` of latencies in seconds (linear interpolation, numpy's default);
    the 100th percentile is named ``max_ms``."""
    ms = np.array(seconds) * 1000
    return {"max_ms" if p == 100 else f"p{p}_ms": round(float(np.percentile(ms, p)), 2) for p in percentiles}


def client_limits(connections: int | None = None) -> httpx.Limits:
    """A pool that retires idle connections before the service does (``CLIENT_KEEPALIVE_EXPIRY_S``)."""
    return httpx.Limits(
        max_connections=connections,
        max_keepalive_connections=connections,
        keepalive_expiry=CLIENT_KEEPALIVE_EXPIRY_S,
    )


def error_kind(error: BaseException) -> str:
    """What went wrong, as the client saw it: the exception, and the error at the root of its chain
    ("ReadError (ConnectionResetError: [Errno 104] Connection reset by peer)")."""
    kind = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    root = error  # httpx's error wraps httpcore's, which wraps the socket's
    while (below := root.__cause__ or root.__context__) is not None:
        root = below
    root_kind = f"{type(root).__name__}: {root}" if str(root) else type(root).__name__
    return kind if root_kind == kind else f"{kind} ({root_kind})"


def measure(url: str, queries: list[dict[str, object]], args: argparse.Namespace) -> dict[str, object]:
    with httpx.Client(base_url=url, timeout=30, limits=client_limits()) as client:
        ranks = []
        for query in queries:  # one pass to warm up, and to see what each query finds
            ids = [m["id"] for m in client.get("/movies", params={"q": query["q"]}).json()["items"]]
            ranks.append(ids.index(query["movie_id"]) if query["movie_id"] in ids else None)
        latencies = []
        for _ in range(args.rounds):
            for query in queries:
                started = time.perf_counter()
                response = client.get("/movies", params={"q": query["q"]})
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()
    in_top_3 = Counter(q["kind"] for r, q in zip(ranks, queries, strict=True) if r is not None and r < 3)
    asked = Counter(q["kind"] for q in queries)
    found_by_kind = {kind: f"{in_top_3[kind]}/{asked[kind]}" for kind in QUERY_KINDS}
    return {
        "one_client": {"requests": len(latencies), **latency_percentiles(latencies)},
        "found_first": round(sum(r == 0 for r in ranks) / len(ranks), 3),
        "found_in_top_3": round(sum(r is not None and r < 3 for r in ranks) / len(ranks), 3),
        "top_3_by_kind": found_by_kind,
        "concurrent": asyncio.run(
            concurrent_load(
                url,
                lambda client, i: client.get("/movies", params={"q": queries[i % len(queries)]["q"]}),
                args.concurrency,
                args.concurrent_requests,
            )
        ),
    }


async def concurrent_load(
    url: str,
    send: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    clients: int,
    total: int,
    percentiles: tuple[int, ...] = (50, 99),
) -> dict[str, object]:
    """``clients`` clients sending requests ``send(client, i)`` for i in 0..total-1 between them, each
    taking the next i when its answer came: throughput, errors by kind, latency percentiles."""
    latencies: list[float] = []
    errors = Counter[str]()
    next_request = iter(range(total))
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=client_limits(clients)) as client:

        async def one_client() -> None:
            for i in next_request:
                started = time.perf_counter()
                try:
                    response = await send(client, i)
                    if response.status_code != 200:
                        errors[f"HTTP {response.status_code}"] += 1
                except httpx.HTTPError as error:
                    errors[error_kind(error)] += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": total,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "requests_per_s": round(total / elapsed, 1),
        **latency_percentiles(latencies, percentiles),
    }
