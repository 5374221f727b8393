"""``cinegraph bench retrain-serving``: the latency of ``GET /recommendations`` while the service retrains
itself (``POST /admin/retrain``), beside a busy core, and what leaving a core to the requests buys.

The dataset (``--dataset``, ml-100k unless told) is imported into a scratch graph of the embedded FalkorDB,
and a model trained on it for the service to load at start-up (``service.serve_benchmark.prepare_model``,
reused by a later run). ``uvicorn service.main:create_app`` (one worker) is started on them, warmed up
with ``--warmup`` requests, then loaded by ``--clients`` clients asking ``GET /recommendations`` for users
drawn at random (``service.serve_benchmark.draw_requests``), each with that user's bearer token, in
phases of at least ``--requests`` requests:

1. idle: nothing else running;
2. retrain: ``POST /admin/retrain`` (with ``CINEGRAPH_ADMIN_KEY``) as the phase starts; the clients go on
   past ``--requests`` until ``GET /admin/retrain`` says the retrain finished;
3. the same beside a busy core: a process spinning on the last CPU (``ml.cpus.busy_core``);
4. phase 3 again on a service started with ``CINEGRAPH_RETRAIN_SPARE_CPUS=0``: the retrain trains on
   every CPU instead of leaving one to the requests.

A retrain's duration runs from its POST to the first poll (every ``POLL_S``) that saw it finished; the
requests "during the retrain" are those sent within, and their latency is the phase's figure (the idle
phase's: all of its requests). The parts of the retrain come from the service's own log lines ("training
took 12.34 s", ``service.observability.logged_duration``), and the cores it used from its CPU time over
the window (``/proc/PID/stat``, requests' and the retrain's child process's included). The retrain
trains as the service would: ``--train-epochs`` unset lets early stopping decide.

The clients run in this process on the same machine: they take CPU from the service too.

Prints one JSON line per phase, then a markdown table; ``--json-out`` writes the whole report.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from ml.cpus import available_cpus, busy_core
from ml.data import resolve_dataset
from ml.data.fetch import DEFAULT_DATASET
from service.config import Settings
from service.search_benchmark import (
    client_limits,
    drop_graph,
    error_kind,
    import_graph,
    latency_percentiles,
    running_service,
)
from service.serve_benchmark import (
    PERCENTILES,
    draw_requests,
    get_recommendations,
    logged_durations,
    one_client,
    prepare_model,
    service_log_config,
    user_tokens,
)
from service.store.factory import embedded_server

log = logging.getLogger(__name__)

GRAPH = "cinegraph_bench_retrain_serving"
POLL_S = 0.25
RETRAIN_TIMEOUT_S = 1800.0
DEFAULT_SPARE_CPUS: int = Settings.model_fields["retrain_spare_cpus"].default

Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class Phase:
    name: str
    retrain: bool
    busy_core: bool
    spare_cpus: int
    """``CINEGRAPH_RETRAIN_SPARE_CPUS`` of the service the phase runs on."""


PHASES = (
    Phase("idle", retrain=False, busy_core=False, spare_cpus=DEFAULT_SPARE_CPUS),
    Phase("retrain", retrain=True, busy_core=False, spare_cpus=DEFAULT_SPARE_CPUS),
    Phase("retrain, busy core", retrain=True, busy_core=True, spare_cpus=DEFAULT_SPARE_CPUS),
    Phase("retrain on every CPU, busy core", retrain=True, busy_core=True, spare_cpus=0),
)


@dataclass(frozen=True)
class Sent:
    """One request as the client saw it: when it was sent (``time.perf_counter``), how long its answer
    took, and what went wrong (None: a 200)."""

    at: float
    seconds: float
    error: str | None = None


def register(bench: argparse._SubParsersAction) -> None:
    parser = bench.add_parser(
        "retrain-serving",
        help="GET /recommendations latency while the service retrains, beside a busy core, with and "
        "without a core left to requests",
    )
    parser.add_argument("--dataset", default=DEFAULT_DATASET, help="a dataset name or directory")
    parser.add_argument(
        "--train-epochs", type=int, help="epochs of each training (unset: early stopping, as the service)"
    )
    parser.add_argument("--requests", type=int, default=1_000, help="per phase, at least")
    parser.add_argument("--warmup", type=int, default=200, help="per service started")
    parser.add_argument("--clients", type=int, default=4, help="clients at once")
    parser.add_argument("--genre-share", type=float, default=0.25, help="share of requests within a genre")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json-out", help="write the report (JSON) here too")
    parser.set_defaults(handler=lambda args: bench_retrain_serving(args, Settings()))


def bench_retrain_serving(args: argparse.Namespace, settings: Settings) -> int:
    if settings.uses_neo4j:
        print("error: bench retrain-serving runs against the embedded store (it creates a scratch graph)")
        return 1
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would load the client
    server = embedded_server(settings)
    server.start()
    settings = settings.model_copy(update={"graph_name": GRAPH})
    dataset = resolve_dataset(args.dataset, settings.data_dir)
    genres = sorted({genre for movie_genres in dataset.movies["genres"] for genre in movie_genres})
    users = dataset.ratings["user_id"].unique()
    requests = draw_requests(users, genres, args.warmup + args.requests, args.genre_share, args.seed)
    report: dict[str, object] = {
        "dataset": dataset.name,
        "ratings": len(dataset.ratings),
        "cpus": available_cpus(),
        "clients": args.clients,
        "requests_per_phase": args.requests,
        "train_epochs": args.train_epochs,
    }
    note = {"dataset": dataset.name, "ratings": len(dataset.ratings), "epochs": args.train_epochs}
    asyncio.run(import_graph(settings, dataset, progress=True))
    del dataset
    service_dir = (settings.data_dir / "bench-retrain-serving" / str(report["dataset"])).resolve()
    service_settings = settings.model_copy(
        update={"data_dir": service_dir, "train_epochs": args.train_epochs}
    )
    try:
        report["start_up_model"] = asyncio.run(prepare_model(settings, service_settings, note, False))
        report["phases"] = []
        for spare_cpus, phases in services(PHASES):
            with serving(settings, service_dir, server.password(), spare_cpus, args.train_epochs) as service:
                one_client(service.url, requests[: args.warmup], user_tokens(requests, settings))
                for phase in phases:
                    measured = measure_phase(service, phase, requests[args.warmup :], settings, args)
                    print(json.dumps(measured), flush=True)
                    report["phases"].append(measured)
    finally:
        asyncio.run(drop_graph(settings))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(markdown_table(report))
    return 0


def services(phases: tuple[Phase, ...]) -> list[tuple[int, list[Phase]]]:
    """The phases grouped by the service they need, in order: one service per run of phases with the same
    ``spare_cpus`` (the setting is read at start-up)."""
    return [(spare, list(group)) for spare, group in itertools.groupby(phases, key=lambda p: p.spare_cpus)]


# --- the service --------------------------------------------------------------------------------------


@dataclass
class Service:
    url: str
    pid: int
    log_file: Path
    spare_cpus: int


def service_env(spare_cpus: int, train_epochs: int | None) -> dict[str, str | None]:
    """The service's settings for a phase: the CPUs a retrain leaves, and its epochs (unset: as deployed)."""
    return {
        "CINEGRAPH_RETRAIN_SPARE_CPUS": str(spare_cpus),
        "CINEGRAPH_TRAIN_EPOCHS": None if train_epochs is None else str(train_epochs),
    }


@contextlib.contextmanager
def serving(
    settings: Settings, service_dir: Path, password: str, spare_cpus: int, train_epochs: int | None
) -> Iterator[Service]:
    """The service on the scratch graph and the checkpoint in ``service_dir``, logging its INFO lines."""
    service_dir.mkdir(parents=True, exist_ok=True)
    log_file = service_dir / f"service-spare-{spare_cpus}.log"
    log_file.unlink(missing_ok=True)
    config_file = service_dir / "logging.json"
    config_file.write_text(json.dumps(service_log_config(log_file)))
    env = service_env(spare_cpus, train_epochs)
    service = running_service(settings, service_dir, password, env=env, log_config=config_file)
    try:
        with service as url:
            assert service.process is not None
            yield Service(url, service.process.pid, log_file, spare_cpus)
    except RuntimeError as error:  # it did not start, or a retrain failed to: its log says why
        raise RuntimeError(f"{error}; see its log, {log_file}") from error


# --- one phase ----------------------------------------------------------------------------------------


def measure_phase(
    service: Service,
    phase: Phase,
    requests: list[tuple[int, str]],
    settings: Settings,
    args: argparse.Namespace,
) -> dict[str, object]:
    tokens = user_tokens(requests, settings)

    def send(client: httpx.AsyncClient, i: int) -> Awaitable[httpx.Response]:
        return get_recommendations(client, *requests[i % len(requests)], tokens)

    admin_key = settings.admin_key.get_secret_value() if phase.retrain else None
    log_offset = service.log_file.stat().st_size if service.log_file.exists() else 0
    with busy_core() if phase.busy_core else contextlib.nullcontext() as core:
        sent, retrain, cores = asyncio.run(
            load(service.url, service.pid, send, args.clients, args.requests, admin_key)
        )
    window = retrain.pop("window") if retrain is not None else None
    report: dict[str, object] = {
        "phase": phase.name,
        "busy_core": core,
        "retrain_spare_cpus": phase.spare_cpus,
        "service_cpu_cores": cores,
        **phase_latencies(sent, window),
    }
    if retrain is not None:
        with service.log_file.open() as log_text:
            log_text.seek(log_offset)
            parts = logged_parts(log_text.read())
        report["retrain"] = {**retrain, "parts_s": parts}
    return report


async def load(
    url: str, pid: int, send: Send, clients: int, requests: int, admin_key: str | None
) -> tuple[list[Sent], dict[str, object] | None, float | None]:
    """``clients`` clients sending ``send(client, i)`` for i = 0, 1, … until ``requests`` are sent and,
    with an admin key, the retrain started as they begin has finished. Every request, the retrain
    (:func:`retrain_while_loaded`) or None, and the cores the service used over the whole load."""
    sent: list[Sent] = []
    numbers = itertools.count()
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=client_limits(clients + 1)) as client:
        retrain = asyncio.create_task(retrain_while_loaded(client, admin_key, pid)) if admin_key else None

        def more(i: int) -> bool:
            return i < requests or (retrain is not None and not retrain.done())

        async def one_client() -> None:
            for i in numbers:
                if not more(i):
                    return
                started = time.perf_counter()
                try:
                    response = await send(client, i)
                    error = None if response.status_code == 200 else f"HTTP {response.status_code}"
                except httpx.HTTPError as failure:
                    error = error_kind(failure)
                sent.append(Sent(started, time.perf_counter() - started, error))

        cpu_before, started = process_cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        cores = cores_used(cpu_before, process_cpu_seconds(pid), time.perf_counter() - started)
        retrained = await retrain if retrain is not None else None
    return sent, retrained, cores


async def retrain_while_loaded(client: httpx.AsyncClient, admin_key: str, pid: int) -> dict[str, object]:
    """``POST /admin/retrain``, then ``GET /admin/retrain`` every ``POLL_S`` until it is no longer running:
    its outcome, its window (``time.perf_counter``), its seconds, the service's cores over it."""
    headers = {"X-Admin-Key": admin_key}
    cpu_before, started = process_cpu_seconds(pid), time.perf_counter()
    response = await client.post("/admin/retrain", headers=headers)
    if response.status_code != 202:
        raise RuntimeError(f"POST /admin/retrain answered {response.status_code}: {response.text}")
    while (status := (await client.get("/admin/retrain", headers=headers)).json())["state"] == "running":
        if time.perf_counter() - started > RETRAIN_TIMEOUT_S:
            raise RuntimeError(f"the retrain did not finish within {RETRAIN_TIMEOUT_S:.0f} s")
        await asyncio.sleep(POLL_S)
    finished = time.perf_counter()
    return {
        "state": status["state"],
        "error": status.get("error"),
        "model_version": status.get("model_version"),
        "seconds": round(finished - started, 2),
        "window": (started, finished),
        "service_cpu_cores": cores_used(cpu_before, process_cpu_seconds(pid), finished - started),
    }


# --- the parts ----------------------------------------------------------------------------------------


def summary(sent: list[Sent], seconds: float) -> dict[str, object]:
    """Requests, their rate over ``seconds``, errors by kind and latency percentiles (of every request,
    the failed ones too: a client waited for them)."""
    errors = Counter(request.error for request in sent if request.error is not None)
    block: dict[str, object] = {
        "requests": len(sent),
        "requests_per_s": round(len(sent) / seconds, 1) if seconds > 0 else None,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
    }
    if sent:
        block.update(latency_percentiles([request.seconds for request in sent], PERCENTILES))
    return block


def phase_latencies(sent: list[Sent], retrain_window: tuple[float, float] | None) -> dict[str, object]:
    """The phase's requests: all of them, and with a retrain those sent while it ran (from its POST to the
    poll that saw it finished)."""
    span = max((r.at + r.seconds for r in sent), default=0.0) - min((r.at for r in sent), default=0.0)
    latencies: dict[str, object] = {"all": summary(sent, span)}
    if retrain_window is not None:
        begin, end = retrain_window
        latencies["during_retrain"] = summary([r for r in sent if begin <= r.at <= end], end - begin)
    return latencies


def cpu_seconds_from_stat(stat: str) -> float:
    """User plus system CPU seconds of a process and of its children it has waited for (the retrain's
    child process, once it ended) from its ``/proc/PID/stat`` line (fields 14 to 17, in clock ticks;
    counted after the command name, which may hold spaces and parentheses)."""
    fields = stat.rsplit(")", 1)[1].split()
    return sum(int(field) for field in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float | None:
    try:
        return cpu_seconds_from_stat(Path(f"/proc/{pid}/stat").read_text())
    except (OSError, IndexError, ValueError):
        return None


def cores_used(before: float | None, after: float | None, seconds: float) -> float | None:
    if before is None or after is None or seconds <= 0:
        return None
    return round((after - before) / seconds, 2)


def logged_parts(log_text: str) -> dict[str, float]:
    """Seconds of each part the service's and the model code's loggers timed (a part logged twice is
    summed): for a retrain, its export, training, similar movies…"""
    parts: dict[str, float] = {}
    for part, seconds, _peak_rss_mb in logged_durations(log_text):
        parts[part] = round(parts.get(part, 0.0) + seconds, 2)
    return parts


# --- the table ------------------------------------------------------------------------------------------


def markdown_table(report: dict[str, object]) -> str:
    """One row per phase: what ran beside the requests, the retrain, and the latency of the requests sent
    while it ran (all the phase's where there was none)."""
    header = (
        "| phase | busy core | CPUs the retrain leaves | retrain | its training | requests (during it) "
        "| p50 / p95 / p99 / max | req/s | errors | service cores |"
    )
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for phase in report["phases"]:
        retrain = phase.get("retrain")
        measured = phase["during_retrain"] if retrain else phase["all"]
        everything = phase["all"]
        cores = retrain["service_cpu_cores"] if retrain else phase["service_cpu_cores"]
        cells = [
            phase["phase"],
            "–" if phase["busy_core"] is None else f"CPU {phase['busy_core']}",
            str(phase["retrain_spare_cpus"]) if retrain else "–",
            _retrain(retrain),
            _training(retrain),
            f"{everything['requests']:,}" + (f" ({measured['requests']:,})" if retrain else ""),
            _latencies(measured),
            "–" if measured.get("requests_per_s") is None else f"{measured['requests_per_s']:,.0f}",
            str(everything["errors"]),
            "–" if cores is None else f"{cores:.2f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(
        f"\n{report['dataset']} ({report['ratings']:,} ratings), one uvicorn worker, {report['clients']} "
        f"clients on the same machine ({report['cpus']} CPUs); latency of the requests sent during the "
        "retrain (the idle phase: all); service cores: its CPU time over the retrain's wall time (the idle "
        "phase: over the phase's)."
    )
    return "\n".join(lines)


def _retrain(retrain: dict[str, object] | None) -> str:
    if not retrain:
        return "–"
    failed = "" if retrain["state"] == "succeeded" else f" ({retrain['state']})"
    return f"{retrain['seconds']:.1f} s{failed}"


def _training(retrain: dict[str, object] | None) -> str:
    training_s = retrain and retrain["parts_s"].get("training")
    return "–" if training_s is None else f"{training_s:.1f} s"


def _latencies(block: dict[str, object]) -> str:
    if not block.get("requests"):
        return "–"
    return f"{block['p50_ms']:.1f} / {block['p95_ms']:.1f} / {block['p99_ms']:.1f} / {block['max_ms']:.1f} ms"
