"""``cinegraph bench import``: import and export timings of a dataset in the configured graph store."""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from ml.data import resolve_dataset
from ml.data.fetch import DEFAULT_DATASET
from service.config import Settings
from service.store.factory import connect_store, embedded_server


def register_bench_import(bench: argparse._SubParsersAction) -> None:
    parser = bench.add_parser("import", help="time import and export of a dataset in a scratch graph")
    parser.add_argument("--dataset", default=DEFAULT_DATASET)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.set_defaults(handler=bench_import)


def bench_import(args: argparse.Namespace, settings: Settings) -> int:
    if settings.uses_neo4j:
        print("error: bench import runs against the embedded store (it creates and drops a scratch graph)")
        return 1
    dataset = resolve_dataset(args.dataset, settings.data_dir)
    settings = settings.model_copy(
        update={"graph_name": "cinegraph_bench", "import_batch_size": args.batch_size or settings.import_batch_size}
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
