"""``cinegraph bench serve`` times the real service's start-up part by part from its own log lines, reads
its memory from ``/proc``, and loads ``GET /recommendations`` as signed-in users do."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from ml.data.synthetic import SyntheticSize, write_ml25m
from ml.recommender import Recommender
from service import serve_benchmark
from service.cli import main
from service.config import Settings
from service.observability import logged_duration, memory_from_status, process_memory
from service.search_benchmark import latency_percentiles, running_service
from service.serve_benchmark import (
    MODEL_NOTE,
    draw_requests,
    logged_durations,
    markdown_table,
    prepare_model,
    readable_checkpoint,
    recommendation_request,
    service_log_config,
    start_up_breakdown,
)
from tests.conftest import free_port
from tests.ml.synthetic import FAST_CONFIG, two_cluster_ratings

START_UP_LOG = """\
2026-12-05 02:55:54,642 INFO service.store.embedded: reusing the FalkorDB server on 127.0.0.1:6411
2026-12-05 02:55:54,833 INFO service.lifespan: store check took 0.20 s (peak RSS 578 MB)
2026-12-05 02:55:55,052 INFO service.serving_model: export of ratings took 1.50 s (peak RSS 600 MB)
2026-12-05 02:55:55,548 INFO service.serving_model: loaded model 20261205T025548Z-c4edf516 (trained 2026)
2026-12-05 02:55:55,801 INFO service.serving_model: similar movies took 3.00 s (peak RSS 900 MB)
2026-12-05 02:56:01,847 INFO service.lifespan: serving model 20261205T025548Z-c4edf516; 0 users folded in
2026-12-05 02:56:01,847 INFO service.lifespan: start-up took 5.00 s (peak RSS 900 MB)
"""


def test_a_duration_the_service_logs_is_read_back_with_its_part_seconds_and_peak_memory(tmp_path: Path):
    log_file = tmp_path / "service.log"
    config = service_log_config(log_file)
    handler = logging.FileHandler(log_file)
    handler.setFormatter(logging.Formatter(config["formatters"]["plain"]["format"]))
    logger = logging.getLogger("service.a_part_of_start_up")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with logged_duration(logger, "similar movies"):
            pass
    finally:
        logger.removeHandler(handler)
        handler.close()

    [(part, seconds, peak_rss_mb)] = logged_durations(log_file.read_text())
    assert part == "similar movies"
    assert 0 <= seconds < 1
    assert peak_rss_mb > 0


def test_start_up_is_the_parts_logged_the_rest_of_the_lifespan_and_the_time_before_it():
    breakdown = start_up_breakdown(START_UP_LOG, ready_after_s=8.0)

    assert breakdown["ready_s"] == 8.0
    assert breakdown["lifespan_s"] == 5.0
    assert breakdown["before_lifespan_s"] == 3.0  # interpreter, imports, uvicorn
    assert breakdown["parts_s"] == {
        "store check": 0.2,
        "export of ratings": 1.5,
        "similar movies": 3.0,
        "other": 0.3,
    }
    peaks = {"store check": 578, "export of ratings": 600, "similar movies": 900}
    assert breakdown["peak_rss_mb_after"] == peaks
    assert breakdown["trained_at_start_up"] is False


def test_only_duration_lines_of_the_service_and_the_model_code_are_parts():
    log = """\
2026-12-05 02:55:54,000 WARNING uvicorn.error: shutdown took 1.00 s (peak RSS 1 MB)
2026-12-05 02:55:54,001 INFO service.lifespan: serving model v1; 0 users folded in from newer ratings
2026-12-05 02:55:54,002 INFO ml.cold_items: cold-item encoder in 1.82s: {'ridge': 0.001}
2026-12-05 02:55:54,003 INFO ml.cold_items: encoders took 2.00 s (peak RSS 700 MB)
"""
    assert logged_durations(log) == [("encoders", 2.0, 700)]


def test_a_start_up_that_had_to_train_says_so():
    log = START_UP_LOG + (
        "2026-12-05 02:56:02,000 INFO service.serving_model: training a model on 100 ratings from the store\n"
        "2026-12-05 02:56:09,000 INFO service.serving_model: training took 7.00 s (peak RSS 950 MB)\n"
    )
    breakdown = start_up_breakdown(log, ready_after_s=15.0)
    assert breakdown["trained_at_start_up"] is True
    assert breakdown["parts_s"]["training"] == 7.0


def test_memory_is_read_from_proc_status_in_megabytes():
    status = "Name:\tpython\nVmPeak:\t 9999999 kB\nVmHWM:\t 2048000 kB\nVmRSS:\t 1024000 kB\nThreads:\t4\n"
    assert memory_from_status(status) == {"rss_mb": 1000, "peak_rss_mb": 2000}


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc on this system")
def test_the_memory_of_a_running_process_is_found_and_of_a_gone_one_is_none():
    memory = process_memory(os.getpid())
    assert memory is not None and 0 < memory["rss_mb"] <= memory["peak_rss_mb"]
    assert process_memory(2**22 + 1) is None  # above Linux's largest pid


def test_latencies_are_summarised_in_milliseconds_with_the_hundredth_percentile_named_max():
    seconds = [ms / 1000 for ms in range(1, 102)]  # 1 .. 101 ms
    assert latency_percentiles(seconds, (50, 95, 99, 100)) == {
        "p50_ms": 51.0,
        "p95_ms": 96.0,
        "p99_ms": 100.0,
        "max_ms": 101.0,
    }
    assert latency_percentiles(seconds) == {"p50_ms": 51.0, "p99_ms": 100.0}


def test_requests_are_for_known_users_and_a_share_of_them_within_one_genre():
    requests = draw_requests([3, 5, 8], ["Action", "Comedy"], 4000, genre_share=0.25, seed=0)

    assert len(requests) == 4000
    assert {user for user, _ in requests} == {3, 5, 8}
    assert {genre for _, genre in requests} == {"", "Action", "Comedy"}
    assert 0.22 < sum(bool(genre) for _, genre in requests) / 4000 < 0.28
    assert requests == draw_requests([3, 5, 8], ["Action", "Comedy"], 4000, genre_share=0.25, seed=0)


def test_a_request_carries_the_users_own_token_and_a_genre_only_when_there_is_one():
    tokens = {7: "token-of-7"}
    assert recommendation_request(7, "", tokens) == {
        "params": {"user_id": 7},
        "headers": {"Authorization": "Bearer token-of-7"},
    }
    assert recommendation_request(7, "Film-Noir", tokens)["params"] == {"user_id": 7, "genres": "Film-Noir"}


def test_the_service_is_started_with_its_log_config_and_the_epochs_of_the_benchmark(tmp_path: Path):
    config = tmp_path / "logging.json"
    epochs = {"CINEGRAPH_TRAIN_EPOCHS": "2"}
    service = running_service(Settings(data_dir=tmp_path), tmp_path, "pw", env=epochs, log_config=config)
    assert service.command[service.command.index("--log-config") + 1] == str(config)
    assert service.env["CINEGRAPH_TRAIN_EPOCHS"] == "2"
    levels = service_log_config(tmp_path / "service.log")["loggers"]
    assert levels == {"service": {"level": "INFO"}, "ml": {"level": "INFO"}}


@pytest.fixture
def saved_model(tmp_path: Path) -> Settings:
    """Settings of a service directory holding a checkpoint this code reads, and the benchmark's note."""
    service_settings = Settings(data_dir=tmp_path / "service", train_epochs=2)
    service_settings.models_dir.mkdir(parents=True)
    config = dataclasses.replace(FAST_CONFIG, max_epochs=1)
    Recommender.fit(two_cluster_ratings(), config, progress=False).save(service_settings.checkpoint_path)
    (service_settings.models_dir / MODEL_NOTE).write_text(json.dumps(NOTE))
    return service_settings


NOTE = {"dataset": "/data/synth-1m", "ratings": 1000, "epochs": 2}


def unreachable_store(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, falkordb_port=free_port(), falkordb_password="x")


async def test_a_checkpoint_this_benchmark_trained_on_the_same_files_and_epochs_is_reused(
    saved_model: Settings, tmp_path: Path
):
    # No store is running: reusing the checkpoint must not need one.
    model = await prepare_model(unreachable_store(tmp_path), saved_model, NOTE, retrain=False)
    assert model == {"epochs": 2, "trained_now": False, "train_s": None}


class ExportingStore:
    """Stands in for the graph store: only the export that training reads."""

    async def export_interactions(self) -> str:
        return "the graph's ratings"

    async def close(self) -> None:
        pass


async def test_a_checkpoint_for_other_files_or_epochs_or_that_this_code_cannot_read_is_trained_anew(
    saved_model: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    trained_on, similar_fitted = [], []
    metrics = {"valid_ndcg@20": 0.3, "epochs": 9, "best_epoch": 6, "train_seconds": 5}
    new_model = SimpleNamespace(metrics=metrics)

    async def train_and_save(interactions, settings):
        trained_on.append((interactions, settings.train_epochs))
        return new_model

    class FakeCatalogue:
        @staticmethod
        async def load(store, interactions):
            return "the catalogue"

    def similar_movies(recommender, catalogue, interactions, path, *, refit):
        similar_fitted.append((recommender, catalogue, interactions, path, refit))

    monkeypatch.setattr(serve_benchmark, "connect_store", lambda settings: ExportingStore())
    monkeypatch.setattr(serve_benchmark, "train_and_save", train_and_save)
    monkeypatch.setattr(serve_benchmark, "Catalogue", FakeCatalogue)
    monkeypatch.setattr(serve_benchmark, "similar_movies", similar_movies)
    for other in ({**NOTE, "epochs": 3}, {**NOTE, "ratings": 999}):
        model = await prepare_model(unreachable_store(tmp_path), saved_model, other, retrain=False)
        assert model["trained_now"] is True and model["similar_movies_fit_s"] >= 0
        assert model["metrics"] == {"valid_ndcg@20": 0.3, "epochs": 9, "best_epoch": 6}
        assert model["train_peak_rss_mb"] > 0
        assert json.loads((saved_model.models_dir / MODEL_NOTE).read_text()) == other
    assert trained_on == [("the graph's ratings", 2)] * 2
    # as after a training in the service: the new model's similar movies are fitted and saved beside it
    path = saved_model.similar_movies_path
    assert similar_fitted == [(new_model, "the catalogue", "the graph's ratings", path, True)] * 2

    assert readable_checkpoint(saved_model.checkpoint_path)
    saved_model.checkpoint_path.write_bytes(b"a checkpoint of another version")
    assert not readable_checkpoint(saved_model.checkpoint_path)


def report(size: str) -> dict[str, object]:
    phase = {"requests": 10, "errors": 0, "p50_ms": 5.0, "p95_ms": 9.0, "p99_ms": 12.0, "max_ms": 20.0}
    return {
        "size": size,
        "ratings": 1_000_209,
        "model": {"epochs": 1},
        "start_up": {
            "ready_s": 30.0,
            "before_lifespan_s": 6.0,
            "parts_s": {"export of ratings": 2.0, "export of movie links": 0.5, "similar movies": 4.0},
            "trained_at_start_up": False,
        },
        "memory_mb": {
            "after_start_up": {"rss_mb": 900, "peak_rss_mb": 1200},
            "after_concurrent": {"rss_mb": 910, "peak_rss_mb": 1200},
            "falkordb": {"rss_mb": 300, "peak_rss_mb": 400},
        },
        "one_client": phase,
        "concurrent": {**phase, "clients": 8, "requests_per_s": 150.0},
    }


def test_the_table_has_one_row_per_size_under_as_many_columns_and_says_how_little_the_model_trained():
    table = markdown_table([report("1m"), report("10m")])
    header, separator, *rows = table.splitlines()[:4]
    assert [row.split(" | ")[0] for row in rows] == ["| 1m", "| 10m"]
    assert header.count("|") == separator.count("|") == rows[0].count("|")
    assert "| 2.5 s |" in rows[0]  # both exports
    assert "1 epoch only" in rows[0]
    assert "trained for the epochs shown only, or until early stopping" in table


def test_a_model_trained_until_early_stopping_is_shown_with_its_epochs_and_time():
    trained = {"epochs": None, "train_s": 3612.4, "metrics": {"epochs": 25, "best_epoch": 22}}
    row = markdown_table([{**report("25m"), "model": trained}]).splitlines()[2]
    assert "| early stopping: 25 epochs (best 22) in 3,612 s |" in row
    reused = markdown_table([{**report("25m"), "model": {"epochs": None, "train_s": None}}]).splitlines()[2]
    assert "| early stopping |" in reused


def test_bench_serve_starts_the_service_on_a_small_graph_and_measures_it(cli_env: Path, capsys):
    dataset = write_ml25m(cli_env / "small", SyntheticSize(200, 300, 10_000))
    out = cli_env / "serve.json"
    argv = ["bench", "serve", "--dataset", str(dataset), "--requests", "30", "--warmup", "5"]
    assert main([*argv, "--concurrency", "2", "--json-out", str(out)]) == 0

    [measured] = json.loads(out.read_text())
    assert measured["ratings"] == 10_000
    model = measured["model"]
    assert model["epochs"] == 1 and model["trained_now"] is True
    assert model["metrics"]["epochs"] == 1 and model["metrics"]["interactions"] == 10_000
    assert 0 < model["train_peak_rss_mb"] <= measured["client_peak_rss_mb"]
    assert model["train_s"] > 0 and model["similar_movies_fit_s"] >= 0
    start_up = measured["start_up"]
    assert start_up["trained_at_start_up"] is False  # it loaded the checkpoint trained before it started
    assert {
        "store check", "export of ratings", "export of movie links", "catalogue", "checkpoint load",
        "similar movies load", "reasons", "cold-movie encoders", "model install", "folding in users",
    } <= set(start_up["parts_s"])  # fmt: skip
    assert "similar movies" not in start_up["parts_s"]  # a restart loads those fitted after the training
    assert start_up["ready_s"] >= start_up["lifespan_s"] >= start_up["parts_s"]["similar movies load"]
    assert measured["memory_mb"]["after_start_up"]["rss_mb"] > 0
    assert measured["memory_mb"]["falkordb"]["rss_mb"] > 0
    assert measured["one_client"]["requests"] == measured["concurrent"]["requests"] == 30
    assert measured["one_client"]["errors"] == measured["concurrent"]["errors"] == 0
    assert measured["one_client"]["p99_ms"] <= measured["one_client"]["max_ms"]
    assert "| small | 10,000 | 1 epoch only |" in capsys.readouterr().out
