"""``cinegraph bench serve``: the service at scale over HTTP: its start-up, its memory, and the latency of
``GET /recommendations``, on synthetic MovieLens-like data of 100k to 25M ratings (or on a directory of
ml-25m-format csv files).

For each size:

1. The ml-25m-format files (``cinegraph data synth --size S --format ml-25m``, seed 0), written once into
   ``--data-dir`` and read from there after, are imported into a scratch graph of the embedded FalkorDB.
2. A model is trained on the graph's export for ``--train-epochs`` epochs only and saved where the
   service looks for it (``<data dir>/bench-serve/<size>/models``): start-up and latency depend on the
   sizes of the tables, not on how well they are trained. ``--early-stopping`` trains as the service
   does at its first start instead (``train_and_save``, early stopping deciding), and reports the time,
   the process's peak memory during the training and the model's validation metrics. Its similar
   movies are fitted and saved beside it, as the service does after a training, so the start-up
   measured is a restart (the fit's time is reported with the training's). A later run reuses a
   checkpoint this benchmark trained on the same files for as many epochs (``--retrain`` trains anew).
3. ``uvicorn service.main:create_app`` (one worker, ``service.search_benchmark.running_service``) is
   started on that graph and checkpoint and timed until ``/health`` answers. The parts of its start-up
   come from its own log lines ("similar movies took 12.34 s (peak RSS 2048 MB)",
   ``service.observability.logged_duration``); the time before its lifespan starts (the interpreter,
   the imports, uvicorn) is the rest.
4. Memory: the service process's resident set from ``/proc/PID/status`` (VmRSS now, VmHWM its peak)
   after start-up, after the single client and after the concurrent clients; the FalkorDB server's.
5. Load: ``GET /recommendations`` for users drawn at random from those the model was trained on, each
   request with that user's bearer token (as the UI sends it), a ``--genre-share`` of them within one
   genre: ``--warmup`` requests unmeasured, then ``--requests`` from one client one after another, then
   ``--requests`` more from ``--concurrency`` clients at once. Latency is measured by the client on the
   same machine (it includes the HTTP round trip and the store read of the user's history).

Prints one JSON line per size, then a markdown table with a row per size; ``--json-out`` writes the list.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import re
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np

from ml.data import load_dataset
from ml.data.synthetic import SIZES, write_ml25m
from ml.recommender import CheckpointMismatch, Recommender
from service.catalogue import Catalogue
from service.config import Settings
from service.observability import DURATION_LINE, peak_rss_mb, process_memory
from service.search_benchmark import (
    client_limits,
    concurrent_load,
    drop_graph,
    error_kind,
    import_graph,
    latency_percentiles,
    running_service,
)
from service.security import issue_token
from service.serving_model import similar_movies, train_and_save
from service.store.embedded import EmbeddedFalkorDB
from service.store.factory import connect_store, embedded_server

log = logging.getLogger(__name__)

GRAPH = "cinegraph_bench_serve"
DEFAULT_DATA_DIR = "/tmp/cinegraph-scale/synth-{size}"
START_UP_TARGET_S = 120.0
P99_TARGET_MS = 25.0
PERCENTILES = (50, 95, 99, 100)
MODEL_NOTE = "bench-serve-model.json"
"""Beside the checkpoint: the files and epochs it was trained on, so that a later run may reuse it."""
LOG_LINE = re.compile(r" (?P<logger>(?:service|ml)(?:\.\w+)*): (?P<message>.*)$")
TRAINING_AT_START_UP = "training a model on"
MODEL_METRICS = ("valid_ndcg@20", "valid_recall@20", "epochs", "best_epoch", "interactions")
"""The trained model's metrics a report carries."""


def register(bench: argparse._SubParsersAction) -> None:
    parser = bench.add_parser(
        "serve", help="the service at scale: start-up, memory, GET /recommendations latency over HTTP"
    )
    parser.add_argument("--sizes", default="1m", help="synthetic sizes, comma-separated: 100k,1m,10m,25m")
    parser.add_argument("--dataset", help="a directory of ml-25m-format csv files, instead of --sizes")
    parser.add_argument(
        "--data-dir",
        default=DEFAULT_DATA_DIR,
        help="where each size's csv files are ({size} is replaced); written there when absent, else reused",
    )
    parser.add_argument("--train-epochs", type=int, default=1, help="epochs of the model served (few)")
    parser.add_argument(
        "--early-stopping",
        action="store_true",
        help="train as the service does at its first start (early stopping), not --train-epochs",
    )
    parser.add_argument("--retrain", action="store_true", help="train even if a matching checkpoint exists")
    parser.add_argument("--requests", type=int, default=2_000, help="per phase: one client, then several")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8, help="clients at once in the second phase")
    parser.add_argument("--genre-share", type=float, default=0.25, help="share of requests within a genre")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-out", help="write the reports (a JSON list) here too")
    parser.set_defaults(handler=lambda args: bench_serve(args, Settings()))


def bench_serve(args: argparse.Namespace, settings: Settings) -> int:
    if settings.uses_neo4j:
        print("error: bench serve runs against the embedded store (it creates and drops a scratch graph)")
        return 1
    chosen = datasets(args)
    unknown = [label for label, directory in chosen if not args.dataset and label not in SIZES]
    if unknown:
        print(f"error: no synthetic size {', '.join(unknown)} (one of {', '.join(SIZES)})")
        return 2
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would load the client
    server = embedded_server(settings)
    server.start()
    settings = settings.model_copy(update={"graph_name": GRAPH})
    reports = []
    for label, directory in chosen:
        reports.append(measure_size(label, directory, settings, server, args))
        print(json.dumps(reports[-1]), flush=True)
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(reports, indent=2) + "\n")
    print()
    print(markdown_table(reports))
    return 0


def datasets(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """(label, directory of ml-25m-format files) to measure, in order."""
    if args.dataset:
        return [(Path(args.dataset).name, Path(args.dataset))]
    return [(size, Path(args.data_dir.format(size=size))) for size in args.sizes.split(",")]


def synthetic_files(label: str, directory: Path) -> float | None:
    """Write synthetic size ``label`` into ``directory`` as ``cinegraph data synth --format ml-25m`` does,
    unless its files are there; seconds it took, None when they were."""
    if (directory / "ratings.csv").is_file() and (directory / "movies.csv").is_file():
        return None
    started = time.perf_counter()
    write_ml25m(directory, SIZES[label])
    return time.perf_counter() - started


# --- one size ---------------------------------------------------------------------------------------


def measure_size(
    label: str, directory: Path, settings: Settings, server: EmbeddedFalkorDB, args: argparse.Namespace
) -> dict[str, object]:
    report: dict[str, object] = {"size": label, "dataset": str(directory)}
    generated_s = synthetic_files(label, directory) if not args.dataset else None
    report["generate_s"] = None if generated_s is None else round(generated_s, 1)
    started = time.perf_counter()
    dataset = load_dataset(directory)
    report["load_s"] = round(time.perf_counter() - started, 1)
    report.update(ratings=len(dataset.ratings), users=int(dataset.ratings["user_id"].nunique()))
    report["movies"] = len(dataset.movies)
    genres = sorted({genre for movie_genres in dataset.movies["genres"] for genre in movie_genres})
    users = dataset.ratings["user_id"].unique()
    requests = draw_requests(users, genres, args.warmup + 2 * args.requests, args.genre_share, args.seed)
    steps = asyncio.run(import_graph(settings, dataset, progress=True))
    report["import_s"] = round(sum(steps.values()), 1)
    train_epochs = None if args.early_stopping else args.train_epochs
    note = {"dataset": str(directory.resolve()), "ratings": len(dataset.ratings), "epochs": train_epochs}
    del dataset
    gc.collect()

    service_dir = (settings.data_dir / "bench-serve" / label).resolve()
    service_settings = settings.model_copy(update={"data_dir": service_dir, "train_epochs": train_epochs})
    peak_before_model_mb = peak_rss_mb()  # preparing the model may start the peak afresh
    try:
        report["model"] = asyncio.run(prepare_model(settings, service_settings, note, args.retrain))
        report.update(serve(settings, service_settings, server, requests, args))
        if report["start_up"]["trained_at_start_up"]:
            log.warning("the service did not load the checkpoint and trained at start-up: see its log")
    finally:
        asyncio.run(drop_graph(settings))
    report["client_peak_rss_mb"] = max(peak_before_model_mb, peak_rss_mb())
    return report


async def prepare_model(
    settings: Settings, service_settings: Settings, note: dict[str, object], retrain: bool
) -> dict[str, object]:
    """A checkpoint for the service to load: the one this benchmark saved for the same files and epochs
    if this code still reads it, or one trained now on the graph's export (the service's own training
    path, ``train_and_save``)."""
    note_file = service_settings.models_dir / MODEL_NOTE
    saved = json.loads(note_file.read_text()) if note_file.is_file() else None
    if not retrain and saved == note and readable_checkpoint(service_settings.checkpoint_path):
        return {"epochs": note["epochs"], "trained_now": False, "train_s": None}
    note_file.unlink(missing_ok=True)
    store = connect_store(settings)
    try:
        interactions = await store.export_interactions()
        catalogue = await Catalogue.load(store, interactions)
    finally:
        await store.close()
    started = time.perf_counter()
    reset_peak_rss()
    recommender = await train_and_save(interactions, service_settings)
    train_s = time.perf_counter() - started
    train_peak_rss_mb = peak_rss_mb()
    # As the service does after a training: the similar movies are fitted for the new model and saved
    # beside it, so the start-up measured next is a restart that loads them.
    started = time.perf_counter()
    path = service_settings.similar_movies_path
    await asyncio.to_thread(similar_movies, recommender, catalogue, interactions, path, refit=True)
    similar_s = time.perf_counter() - started
    note_file.write_text(json.dumps(note))
    return {
        "epochs": note["epochs"],
        "trained_now": True,
        "train_s": round(train_s, 1),
        "train_peak_rss_mb": train_peak_rss_mb,
        "metrics": {name: recommender.metrics[name] for name in MODEL_METRICS if name in recommender.metrics},
        "similar_movies_fit_s": round(similar_s, 1),
    }


def reset_peak_rss() -> None:
    """Start this process's peak resident set (VmHWM) afresh from now, where Linux lets it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        log.warning("the peak memory of the training includes what came before it")


def readable_checkpoint(path: Path) -> bool:
    """Whether the service would load the checkpoint at ``path`` (not one of another code's config)."""
    if not path.is_file():
        return False
    try:
        Recommender.load(path)
    except CheckpointMismatch as error:
        log.warning("training anew: %s", error)
        return False
    return True


def serve(
    settings: Settings,
    service_settings: Settings,
    server: EmbeddedFalkorDB,
    requests: list[tuple[int, str]],
    args: argparse.Namespace,
) -> dict[str, object]:
    """Start the service on the scratch graph and the checkpoint, time it, load it, watch its memory."""
    service_dir = service_settings.data_dir
    service_dir.mkdir(parents=True, exist_ok=True)
    log_file = service_dir / "service.log"
    log_file.unlink(missing_ok=True)
    config_file = service_dir / "logging.json"
    config_file.write_text(json.dumps(service_log_config(log_file)))
    service = running_service(
        settings,
        service_dir,
        server.password(),
        env={"CINEGRAPH_TRAIN_EPOCHS": None if args.early_stopping else str(args.train_epochs)},
        log_config=config_file,
    )
    try:
        with service as url:
            assert service.process is not None and service.ready_after_s is not None
            start_up = start_up_breakdown(log_file.read_text(), service.ready_after_s)
            measured = load(url, service.process.pid, requests, settings, args)
            database_pid = server.status().pid
            measured["memory_mb"]["falkordb"] = process_memory(database_pid) if database_pid else None
    except RuntimeError as error:  # it did not start: its log says why
        raise RuntimeError(f"{error}; see its log, {log_file}") from error
    return {"start_up": start_up, **measured, "service_log": str(log_file)}


def load(
    url: str, pid: int, requests: list[tuple[int, str]], settings: Settings, args: argparse.Namespace
) -> dict[str, object]:
    """Warm-up, one client, then several at once (module docstring); the service's memory after each."""
    tokens = user_tokens(requests, settings)
    warmup, one, several = (
        requests[: args.warmup],
        requests[args.warmup : args.warmup + args.requests],
        requests[args.warmup + args.requests :],
    )
    memory = {"after_start_up": process_memory(pid)}
    one_client(url, warmup, tokens)
    sequential = one_client(url, one, tokens)
    memory["after_one_client"] = process_memory(pid)
    concurrent = asyncio.run(
        concurrent_load(
            url,
            lambda client, i: get_recommendations(client, *several[i], tokens),
            args.concurrency,
            len(several),
            PERCENTILES,
        )
    )
    memory["after_concurrent"] = process_memory(pid)
    return {"memory_mb": memory, "one_client": sequential, "concurrent": concurrent}


# --- the parts ----------------------------------------------------------------------------------------


def service_log_config(log_file: Path) -> dict[str, object]:
    """uvicorn's ``--log-config``: the service's and the model code's INFO lines, and every warning,
    into ``log_file`` (a plain ``uvicorn`` run configures no handler for them)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": str(log_file), "formatter": "plain"}
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
        "loggers": {"service": {"level": "INFO"}, "ml": {"level": "INFO"}},
    }


def logged_durations(log_text: str) -> list[tuple[str, float, int]]:
    """(part, seconds, peak RSS MB after it) of each duration line of the service's and the model code's
    loggers, in the order logged."""
    durations = []
    for line in log_text.splitlines():
        logged = LOG_LINE.search(line)
        duration = logged and DURATION_LINE.fullmatch(logged.group("message"))
        if duration:
            durations.append(
                (duration.group("part"), float(duration.group("seconds")), int(duration.group("peak_rss_mb")))
            )
    return durations


def start_up_breakdown(log_text: str, ready_after_s: float) -> dict[str, object]:
    """Where the start-up's time went: the parts the service logged (a part logged twice is summed), the
    rest of its lifespan ("other"), and the time before its lifespan began (interpreter, imports,
    uvicorn: from starting the process to the first healthy answer, less the lifespan)."""
    parts: dict[str, float] = {}
    peak_rss_mb: dict[str, int] = {}
    for part, seconds, peak in logged_durations(log_text):
        parts[part] = parts.get(part, 0.0) + seconds
        peak_rss_mb[part] = peak
    lifespan_s = parts.pop("start-up", None)
    peak_rss_mb.pop("start-up", None)
    breakdown: dict[str, object] = {"ready_s": round(ready_after_s, 2)}
    if lifespan_s is not None:
        breakdown["lifespan_s"] = round(lifespan_s, 2)
        breakdown["before_lifespan_s"] = round(max(ready_after_s - lifespan_s, 0.0), 2)
        parts["other"] = max(lifespan_s - sum(parts.values()), 0.0)
    breakdown["parts_s"] = {part: round(seconds, 2) for part, seconds in parts.items()}
    breakdown["peak_rss_mb_after"] = peak_rss_mb
    breakdown["trained_at_start_up"] = TRAINING_AT_START_UP in log_text
    return breakdown


def draw_requests(
    user_ids: np.ndarray, genres: list[str], n: int, genre_share: float, seed: int
) -> list[tuple[int, str]]:
    """``n`` (user id, genre) requests: users drawn uniformly with replacement, a ``genre_share`` of the
    requests with one genre drawn uniformly ("" for none)."""
    rng = np.random.default_rng(seed)
    users = rng.choice(np.asarray(user_ids, np.int64), n)
    within = rng.random(n) < genre_share
    drawn = rng.choice(np.array(genres or [""], dtype=object), n)
    return [(int(u), str(g) if w else "") for u, g, w in zip(users, drawn, within, strict=True)]


def user_tokens(requests: list[tuple[int, str]], settings: Settings) -> dict[int, str]:
    """A bearer token for each user of ``requests``, as the service issues them at sign-in."""
    secret = settings.secret_key.get_secret_value()
    return {user: issue_token(secret, user, settings.token_ttl_s) for user, _genre in requests}


def recommendation_request(user_id: int, genre: str, tokens: dict[int, str]) -> dict[str, object]:
    """The query and headers of ``GET /recommendations`` as the UI sends it for a signed-in user."""
    params: dict[str, object] = {"user_id": user_id}
    if genre:
        params["genres"] = genre
    return {"params": params, "headers": {"Authorization": f"Bearer {tokens[user_id]}"}}


async def get_recommendations(
    client: httpx.AsyncClient, user_id: int, genre: str, tokens: dict[int, str]
) -> httpx.Response:
    return await client.get("/recommendations", **recommendation_request(user_id, genre, tokens))


def one_client(url: str, requests: list[tuple[int, str]], tokens: dict[int, str]) -> dict[str, object]:
    """One client asking one request after another: latency percentiles (all, and within a genre) and
    errors by kind."""
    latencies: list[float] = []
    errors = Counter[str]()
    with httpx.Client(base_url=url, timeout=30, limits=client_limits()) as client:
        for user_id, genre in requests:
            started = time.perf_counter()
            try:
                response = client.get("/recommendations", **recommendation_request(user_id, genre, tokens))
                if response.status_code != 200:
                    errors[f"HTTP {response.status_code}"] += 1
            except httpx.HTTPError as error:
                errors[error_kind(error)] += 1
            latencies.append(time.perf_counter() - started)
    if not requests:
        return {"requests": 0, "errors": 0, "error_kinds": {}}
    in_genre = [s for s, (_user, genre) in zip(latencies, requests, strict=True) if genre]
    return {
        "requests": len(requests),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        **latency_percentiles(latencies, PERCENTILES),
        "within_a_genre": {"requests": len(in_genre), **(latency_percentiles(in_genre) if in_genre else {})},
    }


# --- the table ------------------------------------------------------------------------------------------

TABLE_PARTS = {
    "export": ("export of ratings", "export of movie links"),
    "catalogue": ("catalogue",),
    "checkpoint": ("checkpoint load",),
    "similar movies": ("similar movies load", "similar movies"),  # loaded, or fitted and saved
    "reasons": ("reasons",),
    "cold movies": ("cold-movie encoders", "vectors of unrated movies"),
    "fold-in": ("folding in users",),
}


def markdown_table(reports: list[dict[str, object]]) -> str:
    """One row per size: ratings, start-up and its main parts, memory, latency of each phase, errors."""
    header = (
        "| size | ratings | model | start-up | "
        + " | ".join(TABLE_PARTS)
        + " | before lifespan | service RSS: start-up → loaded (peak) | FalkorDB RSS "
        "| 1 client p50 / p95 / p99 / max | clients | p50 / p99 / max | req/s | errors |"
    )
    lines = [header, "|" + "---|" * (len(header.split("|")) - 2)]
    for report in reports:
        lines.append(_row(report))
    lines.append(
        f"\nTargets: start-up ≤ {START_UP_TARGET_S:.0f} s, GET /recommendations p99 ≤ {P99_TARGET_MS:.0f} ms "
        "(one worker). Each model was trained for the epochs shown only, or until early stopping."
    )
    return "\n".join(lines)


def _row(report: dict[str, object]) -> str:
    start_up, memory = report["start_up"], report["memory_mb"]
    one, several = report["one_client"], report["concurrent"]
    parts = start_up["parts_s"]
    cells = [
        str(report["size"]),
        f"{report['ratings']:,}",
        _model(report["model"]),
        f"**{start_up['ready_s']:.1f} s**" + (" (trained!)" if start_up["trained_at_start_up"] else ""),
        *(_seconds(sum(parts.get(name, 0.0) for name in names)) for names in TABLE_PARTS.values()),
        _seconds(start_up.get("before_lifespan_s", 0.0)),
        _memory(memory["after_start_up"], memory["after_concurrent"]),
        f"{memory['falkordb']['rss_mb']:,} MB" if memory.get("falkordb") else "–",
        _latencies(one),
        str(several["clients"]),
        f"{several['p50_ms']:.1f} / {several['p99_ms']:.1f} / {several['max_ms']:.1f} ms",
        f"{several['requests_per_s']:,.0f}",
        str(one["errors"] + several["errors"]),
    ]
    return "| " + " | ".join(cells) + " |"


def _model(model: dict[str, object]) -> str:
    epochs = model["epochs"]
    if epochs is not None:
        return f"{epochs} epoch{'s' if epochs != 1 else ''} only"
    metrics = model.get("metrics") or {}
    if "best_epoch" not in metrics:
        return "early stopping"
    trained = f"{metrics['epochs']} epochs (best {metrics['best_epoch']})"
    return f"early stopping: {trained} in {model['train_s']:,.0f} s"


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def _memory(after_start_up: dict[str, int] | None, loaded: dict[str, int] | None) -> str:
    if not after_start_up or not loaded:
        return "–"
    return f"{after_start_up['rss_mb']:,} → {loaded['rss_mb']:,} MB ({loaded['peak_rss_mb']:,})"


def _latencies(phase: dict[str, object]) -> str:
    if not phase.get("requests"):
        return "–"
    return f"{phase['p50_ms']:.1f} / {phase['p95_ms']:.1f} / {phase['p99_ms']:.1f} / {phase['max_ms']:.1f} ms"
