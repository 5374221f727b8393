"""``cinegraph bench import``: import and export timings of a dataset in the configured graph store."""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import tempfile
import time
from pathlib import Path

import redis

from ml.data import load_dataset, resolve_dataset
from ml.data.fetch import DEFAULT_DATASET
from ml.similarity import MovieSimilarity
from service.catalogue import Catalogue
from service.config import Settings
from service.store.factory import connect_store, embedded_server


def register_bench_import(bench: argparse._SubParsersAction) -> None:
    parser = bench.add_parser("import", help="time import and export of a dataset in a scratch graph")
    parser.add_argument("--dataset", default=DEFAULT_DATASET)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.set_defaults(handler=lambda args: bench_import(args, Settings()))


def register_bench_scale(bench: argparse._SubParsersAction) -> None:
    parser = bench.add_parser(
        "scale", help="synthetic MovieLens-like data at 1m/10m/25m: load and import rates"
    )
    parser.add_argument("--sizes", default="1m", help="comma-separated: 100k,1m,10m,25m")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.set_defaults(handler=lambda args: bench_scale(args, Settings()))


def bench_scale(args: argparse.Namespace, settings: Settings) -> int:
    """Generate each size as ml-25m csv files, load them with the one loader, import into a scratch graph."""
    from ml.data.synthetic import SIZES, write_ml25m

    if settings.uses_neo4j:
        print("error: bench scale runs against the embedded store")
        return 1
    settings = settings.model_copy(
        update={
            "graph_name": "cinegraph_scale",
            "import_batch_size": args.batch_size or settings.import_batch_size,
        }
    )
    server = embedded_server(settings)
    server.start()
    for name in args.sizes.split(","):
        size = SIZES[name]
        with tempfile.TemporaryDirectory(dir=settings.data_dir) as scratch:
            started = time.perf_counter()
            directory = write_ml25m(Path(scratch) / f"synthetic-{name}", size)
            generate_s = time.perf_counter() - started
            started = time.perf_counter()
            dataset = load_dataset(directory)
            load_s = time.perf_counter() - started
            result = asyncio.run(_measure_import(settings, dataset))
        print(
            json.dumps(
                {
                    "size": name,
                    **size.__dict__,
                    "generate_s": round(generate_s, 1),
                    "load_s": round(load_s, 1),
                    **result,
                    "client_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                }
            ),
            flush=True,
        )
    return 0


async def _measure_import(settings: Settings, dataset) -> dict[str, object]:
    store = connect_store(settings)
    try:
        await store.backend.drop()
        steps = await store.import_dataset(dataset, progress=True)
        started = time.perf_counter()
        exported = await store.export_interactions()
        export_s = time.perf_counter() - started
        # What serving start-up does next with the export: the catalogue, then similar movies.
        started = time.perf_counter()
        catalogue = await Catalogue.load(store, exported)
        catalogue_s = time.perf_counter() - started
        started = time.perf_counter()
        MovieSimilarity.fit(catalogue.rating_matrix(exported), catalogue.genre_matrix(), catalogue.ids)
        similar_s = time.perf_counter() - started
        password = embedded_server(settings).password()
        with redis.Redis(
            host=settings.falkordb_host, port=settings.falkordb_port, password=password
        ) as client:
            memory = client.info("memory")
        await store.backend.drop()
    finally:
        await store.close()
    return {
        "import_s": round(sum(steps.values()), 1),
        "ratings_import_s": round(steps["ratings"], 1),
        "ratings_per_s": round(len(dataset.ratings) / steps["ratings"]),
        "export_s": round(export_s, 1),
        "exported": len(exported),
        "catalogue_s": round(catalogue_s, 1),
        "similar_movies_s": round(similar_s, 1),
        "db_peak_memory_mb": round(memory["used_memory_peak"] / 2**20),
    }


def register_bench_search(bench: argparse._SubParsersAction) -> None:
    """``bench search``: GET /movies?q= over HTTP at ml-100k and 60k movies (``service.search_benchmark``)."""
    from service import search_benchmark

    search_benchmark.register(bench)


def register_bench_serve(bench: argparse._SubParsersAction) -> None:
    """``bench serve``: the service at 100k-25M ratings over HTTP: start-up, memory, GET /recommendations
    (``service.serve_benchmark``)."""
    from service import serve_benchmark

    serve_benchmark.register(bench)


def register_bench_retrain_serving(bench: argparse._SubParsersAction) -> None:
    """``bench retrain-serving``: GET /recommendations while the service retrains, beside a busy core
    (``service.retrain_benchmark``)."""
    from service import retrain_benchmark

    retrain_benchmark.register(bench)


def register_bench_recommend(bench: argparse._SubParsersAction) -> None:
    parser = bench.add_parser("recommend", help="latency of the ranking path (scores, filters, reasons)")
    parser.add_argument("--movies", type=int, default=60_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--ratings", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.set_defaults(handler=lambda args: bench_recommend(args))


def bench_recommend(args: argparse.Namespace) -> int:
    """Time what GET /recommendations does after reading the history, on a catalogue of ``--movies``.

    The model is trained for one epoch on synthetic data of that size: latency depends on the sizes of
    the embedding tables, not on how well they are trained.
    """
    import numpy as np

    from ml.data.synthetic import SyntheticSize, generate
    from ml.recommender import Recommender
    from ml.train import TrainConfig
    from service.personalization import UserVectors
    from service.recommending import recommend_movies
    from service.serving_model import ServingModel
    from service.store.graph_store import Interactions, MovieLinks, UserHistory

    ratings, movies, _ = generate(SyntheticSize(args.users, args.movies, args.ratings), seed=0)
    started = time.perf_counter()
    # One epoch and no item–item edges: query latency depends on the table sizes only.
    recommender = Recommender.fit(ratings, TrainConfig(max_epochs=1, item_neighbors=0), progress=False)
    train_s = time.perf_counter() - started
    interactions = Interactions(
        ratings["user_id"].to_numpy(), ratings["movie_id"].to_numpy(),
        ratings["rating"].to_numpy(np.float32), ratings["timestamp"].to_numpy(),
    )  # fmt: skip
    rows = [
        {"id": m, "title": t, "year": int(y), "genres": g}
        for m, t, y, g in zip(
            movies["movie_id"], movies["title"], movies["year"], movies["genres"], strict=True
        )
    ]
    catalogue = Catalogue.build(rows, interactions)
    empty = np.array([], dtype=object)
    genre_pairs = movies[["movie_id", "genres"]].explode("genres").dropna()
    links = MovieLinks(
        genre_pairs["movie_id"].to_numpy(np.int64), genre_pairs["genres"].to_numpy(object),
        np.array([], dtype=np.int64), empty, empty, empty,
    )  # fmt: skip
    model = ServingModel.build(recommender, catalogue, interactions, links)
    histories = {
        user: [
            {"movie_id": m, "rating": r, "ts": t}
            for m, r, t in zip(*(group[c].tolist() for c in ("movie_id", "rating", "timestamp")), strict=True)
        ]
        for user, group in ratings.groupby("user_id")
    }
    rng = np.random.default_rng(0)
    users = rng.choice(list(histories), args.requests)
    genre_choices = [[], [], ["Action"], ["Comedy", "Romance"], ["Horror"]]
    latencies = {"trained user": [], "folded-in user": []}
    for i, user in enumerate(users):
        vectors = UserVectors()
        rows = histories[int(user)]
        kind = "folded-in user" if i % 2 else "trained user"
        if kind == "folded-in user":
            rows = [{**rows[0], "ts": 2**40}, *rows[1:]]  # newer than the model: fold-in path
        history = UserHistory(ratings=rows, picks=[])
        started = time.perf_counter()
        vector = vectors.vector(model, int(user), history)
        recommend_movies(model, int(user), vector, history, genre_choices[i % len(genre_choices)], 20)
        latencies[kind].append(time.perf_counter() - started)
    report = {
        "movies": args.movies,
        "users": args.users,
        "ratings": args.ratings,
        "train_1_epoch_s": round(train_s, 1),
    }
    for kind, values in latencies.items():
        ms = np.array(values) * 1000
        report[kind] = {
            "p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p99_ms": round(float(np.percentile(ms, 99)), 2),
        }
    print(json.dumps(report))
    return 0


def bench_import(args: argparse.Namespace, settings: Settings) -> int:
    if settings.uses_neo4j:
        print("error: bench import runs against the embedded store (it creates and drops a scratch graph)")
        return 1
    dataset = resolve_dataset(args.dataset, settings.data_dir)
    settings = settings.model_copy(
        update={
            "graph_name": "cinegraph_bench",
            "import_batch_size": args.batch_size or settings.import_batch_size,
        }
    )
    embedded_server(settings).start()
    print(json.dumps(asyncio.run(_measure(settings, dataset))))
    return 0


async def _measure(settings: Settings, dataset) -> dict[str, object]:
    store = connect_store(settings)
    try:
        await store.backend.drop()
        started = time.perf_counter()
        steps = await store.import_dataset(dataset, progress=False)
        import_s = time.perf_counter() - started
        started = time.perf_counter()
        interactions = await store.export_interactions()
        export_s = time.perf_counter() - started
        started = time.perf_counter()
        await store.export_movie_links()
        export_links_s = time.perf_counter() - started
        started = time.perf_counter()
        await store.import_dataset(dataset, progress=False)
        reimport_s = time.perf_counter() - started
        stats = await store.stats()
        await store.backend.drop()
    finally:
        await store.close()
    return {
        "dataset": dataset.name,
        "batch_size": settings.import_batch_size,
        "import_s": round(import_s, 2),
        "import_steps_s": {k: round(v, 2) for k, v in steps.items()},
        "ratings_per_s": round(len(dataset.ratings) / steps["ratings"]),
        "export_interactions_s": round(export_s, 3),
        "export_movie_links_s": round(export_links_s, 3),
        "reimport_s": round(reimport_s, 2),
        "exported_ratings": len(interactions),
        **stats,
    }
