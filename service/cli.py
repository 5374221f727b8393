"""The ``cinegraph`` command: data, database, import, training, evaluation, serving and benchmarks."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from ml import commands as ml_commands
from ml.cpus import use_available_cpus
from ml.data import DatasetError, fetch_default_dataset, fetch_grouplens, resolve_dataset
from ml.data.fetch import DEFAULT_DATASET, GROUPLENS_BASE_URL, datasets_dir
from ml.data.hygiene import describe
from ml.data.imdb import LINKS_FILE, fetch_imdb_people, read_imdb_people, read_links_csv
from service.config import Settings, UnsafeSettings
from service.serving_model import build_serving_model, ensure_store_has_data
from service.store.backends import StoreUnavailable
from service.store.embedded import EmbeddedStoreError
from service.store.factory import connect_store, embedded_server

log = logging.getLogger("cinegraph")


class CommandError(Exception):
    """A failure the user can act on: printed as one line, exit code 1."""


def with_settings(
    handler: Callable[[argparse.Namespace, Settings], int],
) -> Callable[[argparse.Namespace], int]:
    """Handlers of the service's commands take the settings, read when the command runs."""
    return lambda args: handler(args, Settings())


def print_json(value: object) -> None:
    print(json.dumps(value, indent=2, default=str))


# --- data -----------------------------------------------------------------------------------------


def data_fetch(args: argparse.Namespace, settings: Settings) -> int:
    if args.dataset == DEFAULT_DATASET and args.url is None:
        path = fetch_default_dataset(settings.data_dir)
    else:
        path = fetch_grouplens(
            args.dataset, settings.data_dir, base_url=args.url or GROUPLENS_BASE_URL, sha256=args.sha256
        )
    print_json({"dataset": args.dataset, "path": str(path)})
    return 0


def data_synth(args: argparse.Namespace, settings: Settings) -> int:
    from ml.data.synthetic import SIZES, TASTE_SHARE, SyntheticSize, write_ml1m, write_ml25m

    taste_share = TASTE_SHARE if args.taste_share is None else args.taste_share
    if not 0.0 <= taste_share <= 1.0:
        raise CommandError(f"--taste-share must be between 0 and 1, not {taste_share}")

    size = SIZES[args.size]
    if args.ratings:
        scale = args.ratings / size.ratings
        size = SyntheticSize(
            max(int(size.users * scale), 1), max(int(size.movies * scale**0.5), 1), args.ratings
        )
    writer = write_ml1m if args.format == "ml-1m" else write_ml25m
    out = (
        Path(args.out)
        if args.out
        else settings.data_dir / "datasets" / f"synthetic-{args.size}-{args.format}"
    )
    writer(out, size, seed=args.seed, taste_share=taste_share)
    print_json({"path": str(out), "format": args.format, **size.__dict__, "taste_share": taste_share})
    return 0


def data_people(args: argparse.Namespace, settings: Settings) -> int:
    """IMDb's people for a dataset with links.csv, filtered into ``<dataset>/imdb/`` for the loader."""
    named = datasets_dir(settings.data_dir) / args.dataset
    dataset_dir = named if named.is_dir() else Path(args.dataset)
    if not dataset_dir.is_dir():
        raise CommandError(
            f"no dataset {args.dataset!r}: give a path, or the name of one fetched into {named.parent} "
            "(cinegraph data fetch --dataset NAME)"
        )
    if not (dataset_dir / LINKS_FILE).is_file():
        raise CommandError(
            f"{dataset_dir} has no {LINKS_FILE}, so its movies cannot be found on IMDb; the csv flavours "
            "(ml-latest-small, ml-latest, ml-20m, ml-25m, ml-32m) ship one"
        )
    target = fetch_imdb_people(
        dataset_dir, settings.data_dir / "downloads", base_url=args.source_url or settings.imdb_base_url
    )
    links = read_links_csv(dataset_dir / LINKS_FILE)
    found = read_imdb_people(target, links)
    print_json(
        {
            "dataset": dataset_dir.name,
            "path": str(target),
            "linked_movies": int(links["imdb_id"].notna().sum()),
            "movies_with_credits": int(found.credits["movie_id"].nunique()),
            "people": len(found.people),
            "credits": len(found.credits),
        }
    )
    return 0


# --- database -------------------------------------------------------------------------------------


def require_embedded(settings: Settings) -> None:
    if settings.uses_neo4j:
        raise CommandError(
            f"the graph store is Neo4j at {settings.neo4j_uri}; start and stop it with Neo4j's own tools "
            "(or docker compose)"
        )


def db_start(args: argparse.Namespace, settings: Settings) -> int:
    require_embedded(settings)
    server = embedded_server(settings)
    started = server.start()
    print_json({**server.status().as_dict(), "started_now": started})
    return 0


def db_stop(args: argparse.Namespace, settings: Settings) -> int:
    require_embedded(settings)
    stopped = embedded_server(settings).stop()
    print_json({"stopped": stopped})
    return 0


def db_status(args: argparse.Namespace, settings: Settings) -> int:
    if settings.uses_neo4j:
        asyncio.run(_with_store(settings, lambda store: store.ping()))
        print_json(
            {
                "backend": "neo4j",
                "uri": settings.neo4j_uri,
                "database": settings.neo4j_database,
                "running": True,
            }
        )
        return 0
    status = embedded_server(settings).status()
    print_json(status.as_dict())
    return 0 if status.running else 3


def db_stats(args: argparse.Namespace, settings: Settings) -> int:
    ensure_store_running(settings)
    print(json.dumps(asyncio.run(_with_store(settings, lambda store: store.stats()))))
    return 0


def ensure_store_running(settings: Settings) -> None:
    if not settings.uses_neo4j:
        embedded_server(settings).start()


async def _with_store(settings: Settings, action: Callable):
    store = connect_store(settings)
    try:
        return await action(store)
    finally:
        await store.close()


# --- import ---------------------------------------------------------------------------------------


def import_command(args: argparse.Namespace, settings: Settings) -> int:
    dataset = resolve_dataset(args.dataset, settings.data_dir)
    if args.batch_size:
        settings = settings.model_copy(update={"import_batch_size": args.batch_size})
    ensure_store_running(settings)

    async def run(store):
        timings = await store.import_dataset(dataset, progress=not args.quiet)
        stats = await store.stats()
        return {
            "dataset": dataset.name,
            "seconds": round(sum(timings.values()), 2),
            **stats,
            **describe(dataset),
            "warnings": list(dataset.warnings),
        }

    print(json.dumps(asyncio.run(_with_store(settings, run))))
    return 0


# --- model and service ----------------------------------------------------------------------------


def train_command(args: argparse.Namespace, settings: Settings) -> int:
    """Train on everything in the store (the default dataset if it is empty) and save a checkpoint."""
    if args.epochs:
        settings = settings.model_copy(update={"train_epochs": args.epochs})
    ensure_store_running(settings)

    async def run(store):
        await ensure_store_has_data(store, settings)
        model = await build_serving_model(store, settings, force_retrain=True, nproc=args.nproc)
        recommender = model.recommender
        return {
            "checkpoint": str(settings.checkpoint_path),
            "version": model.version,
            "users": len(recommender.user_ids),
            "movies": len(recommender.item_ids),
            "metrics": recommender.metrics,
        }

    print_json(asyncio.run(_with_store(settings, run)))
    return 0


def prepare_service(settings: Settings) -> bool:
    """Start the store, import and train if needed, before any API worker starts.

    Returns whether this call started the embedded store (and so should stop it)."""
    started = False if settings.uses_neo4j else embedded_server(settings).start()

    async def run(store):
        await ensure_store_has_data(store, settings)
        await build_serving_model(store, settings)

    asyncio.run(_with_store(settings, run))
    return started


def serve_command(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    started_store = prepare_service(settings)
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit lets the
    # `finally` below stop the embedded store that this command started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(
        f"CineGraph: UI on http://{args.host}:{args.port}/  API docs on http://{args.host}:{args.port}/docs",
        flush=True,
    )
    try:
        uvicorn.run(
            "service.main:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
            log_level="info", access_log=args.access_log,
        )  # fmt: skip
    finally:
        if started_store:
            embedded_server(settings).stop()
    return 0


def up_command(args: argparse.Namespace, settings: Settings) -> int:
    """Everything a first run needs: fetch the data, start the store, import, train, serve."""
    fetch_default_dataset(settings.data_dir)
    return serve_command(args, settings)


def add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="API worker processes (they share the store)")
    parser.add_argument("--access-log", action="store_true", help="log every request")


# --- wiring ---------------------------------------------------------------------------------------


def data_dir() -> Path:
    return Settings().data_dir


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cinegraph", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="datasets").add_subparsers(dest="data_command", required=True)
    fetch = data.add_parser("fetch", help="download a dataset into the data directory")
    fetch.add_argument(
        "--dataset", default=DEFAULT_DATASET, help="ml-100k (offline, default) or a GroupLens name"
    )
    fetch.add_argument("--url", help=f"base URL of the archives (default {GROUPLENS_BASE_URL})")
    fetch.add_argument("--sha256", help="expected SHA-256 of the archive (default: the published .md5)")
    fetch.set_defaults(handler=with_settings(data_fetch))
    synth = data.add_parser(
        "synth",
        help="write a synthetic MovieLens-like dataset (power-law shape, planted taste; ml-25m: IMDb people)",
    )
    synth.add_argument(
        "--size", choices=["100k", "1m", "10m", "25m"], default="1m", help="published size to mimic"
    )
    synth.add_argument("--ratings", type=int, help="another number of ratings (users and movies scale along)")
    synth.add_argument(
        "--format", choices=["ml-1m", "ml-25m"], default="ml-25m", help="'::' .dat or .csv files"
    )
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument(
        "--taste-share",
        type=float,
        help="share of ratings drawn from the users' taste clusters (default 0.75; 0: popularity only)",
    )
    synth.add_argument("--out", help="directory (default: <data dir>/datasets/synthetic-<size>-<format>)")
    synth.set_defaults(handler=with_settings(data_synth))
    people = data.add_parser(
        "people", help="named people from IMDb for a dataset with links.csv (downloads GBs once)"
    )
    people.add_argument("dataset", metavar="NAME_OR_PATH", help="a fetched dataset's name, or its directory")
    people.add_argument("--source-url", help="base URL of IMDb's files (default CINEGRAPH_IMDB_BASE_URL)")
    people.set_defaults(handler=with_settings(data_people))

    db = commands.add_parser("db", help="the graph database").add_subparsers(dest="db_command", required=True)
    for name, handler, text in [
        ("start", db_start, "start the embedded FalkorDB (reused if running)"),
        ("stop", db_stop, "stop the embedded FalkorDB, saving its data"),
        ("status", db_status, "is the store running? (exit 3 when not)"),
        ("stats", db_stats, "counts of users, movies, ratings, genres and people as JSON"),
    ]:
        db.add_parser(name, help=text).set_defaults(handler=with_settings(handler))

    importer = commands.add_parser("import", help="import a dataset into the graph (idempotent)")
    importer.add_argument(
        "--dataset", default=DEFAULT_DATASET, help="ml-100k, a fetched dataset name, or a path"
    )
    importer.add_argument("--batch-size", type=int, help="rows per UNWIND batch")
    importer.add_argument("--quiet", action="store_true", help="no progress bar")
    importer.set_defaults(handler=with_settings(import_command))

    train = commands.add_parser("train", help="train the recommender on the graph store and save it")
    train.add_argument(
        "--epochs", type=int, help="at most this many epochs (default: early stopping decides)"
    )
    train.add_argument(
        "--nproc", type=int, default=1, help="data-parallel training processes (torch.distributed: gloo/NCCL)"
    )
    train.set_defaults(handler=with_settings(train_command))

    serve = commands.add_parser("serve", help="run the API and UI (imports and trains first if needed)")
    add_serve_options(serve)
    serve.set_defaults(handler=with_settings(serve_command))
    up = commands.add_parser("up", help="first run: fetch ml-100k, start the store, import, train, serve")
    add_serve_options(up)
    up.set_defaults(handler=with_settings(up_command))

    ml_commands.register(commands, data_dir)
    bench = commands.add_parser("bench", help="benchmarks that print numbers").add_subparsers(
        dest="bench_command", required=True
    )
    from service import benchmarks

    benchmarks.register_bench_import(bench)
    benchmarks.register_bench_scale(bench)
    benchmarks.register_bench_recommend(bench)
    benchmarks.register_bench_search(bench)
    benchmarks.register_bench_serve(bench)
    benchmarks.register_bench_retrain_serving(bench)
    ml_commands.register_bench_train(bench, data_dir)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    use_available_cpus()
    try:
        return args.handler(args)
    except ValidationError as error:
        # Field and message only: the input values may be secrets.
        problems = "; ".join(
            f"CINEGRAPH_{'_'.join(map(str, item['loc'])).upper()}: {item['msg']}"
            for item in error.errors(include_input=False, include_url=False)
        )
        print(f"error: invalid settings: {problems}", file=sys.stderr)
        return 2
    except UnsafeSettings as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (CommandError, EmbeddedStoreError, StoreUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
