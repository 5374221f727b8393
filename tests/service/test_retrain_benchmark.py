"""``cinegraph bench retrain-serving`` loads ``GET /recommendations`` while the service retrains itself,
keeps loading until the retrain has finished, and tells the requests sent during it apart."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ml.data.synthetic import SyntheticSize, write_ml25m
from service.cli import main
from service.config import Settings
from service.retrain_benchmark import (
    PHASES,
    Sent,
    cores_used,
    cpu_seconds_from_stat,
    logged_parts,
    markdown_table,
    phase_latencies,
    service_env,
    services,
    summary,
)
from service.search_benchmark import running_service


def test_the_phases_go_from_idle_to_a_retrain_beside_a_busy_core_with_and_without_a_core_left():
    assert [(p.retrain, p.busy_core, p.spare_cpus) for p in PHASES] == [
        (False, False, 1),
        (True, False, 1),
        (True, True, 1),
        (True, True, 0),
    ]


def test_phases_in_a_row_that_need_the_same_setting_share_one_service():
    grouped = services(PHASES)
    assert [(spare, [phase.name for phase in phases]) for spare, phases in grouped] == [
        (1, ["idle", "retrain", "retrain, busy core"]),
        (0, ["retrain on every CPU, busy core"]),
    ]


def test_requests_sent_while_the_retrain_ran_are_summarised_apart_from_the_whole_phase():
    sent = [Sent(at=float(t), seconds=0.010) for t in range(10)]  # one a second, 10 ms each
    sent[4] = Sent(at=4.0, seconds=0.100)

    latencies = phase_latencies(sent, retrain_window=(3.0, 5.5))

    assert latencies["all"]["requests"] == 10
    during = latencies["during_retrain"]
    assert during["requests"] == 3  # sent at 3, 4 and 5
    assert during["max_ms"] == 100.0
    assert during["requests_per_s"] == round(3 / 2.5, 1)
    assert "during_retrain" not in phase_latencies(sent, retrain_window=None)


def test_a_failed_request_is_an_error_of_its_kind_and_its_wait_still_counts_as_latency():
    sent = [Sent(0.0, 0.002), Sent(0.1, 0.004, "HTTP 503"), Sent(0.2, 0.030, "ReadTimeout")]

    block = summary(sent, seconds=1.0)

    assert block["requests"] == 3
    assert block["errors"] == 2
    assert block["error_kinds"] == {"HTTP 503": 1, "ReadTimeout": 1}
    assert block["max_ms"] == 30.0
    assert block["requests_per_s"] == 3.0
    assert summary([], seconds=0.0) == {"requests": 0, "requests_per_s": None, "errors": 0, "error_kinds": {}}


def test_cpu_time_is_read_from_proc_stat_past_a_command_name_with_spaces_and_parentheses():
    ticks = os.sysconf("SC_CLK_TCK")
    # utime 3 s, stime 1 s, and its ended children's (the retrain's process): cutime 2 s, cstime 0.5 s
    fields = ["S", *["0"] * 10, str(3 * ticks), str(ticks), str(2 * ticks), str(ticks // 2), *["0"] * 30]
    stat = "4242 (uvicorn (worker) 1) " + " ".join(fields)

    assert cpu_seconds_from_stat(stat) == 6.5
    assert cores_used(10.0, 13.0, seconds=2.0) == 1.5  # 3 CPU seconds in 2 s of wall time
    assert cores_used(None, 13.0, seconds=2.0) is None


def test_the_parts_of_a_retrain_are_read_from_the_lines_the_service_logged_during_it():
    log = """\
2026-12-05 03:00:00,000 INFO service.serving_model: export of ratings took 0.40 s (peak RSS 600 MB)
2026-12-05 03:00:00,100 INFO service.serving_model: training a model on 100000 ratings from the store
2026-12-05 03:00:12,000 INFO service.serving_model: training took 11.90 s (peak RSS 700 MB)
2026-12-05 03:00:13,000 INFO ml.cold_items: cold-movie encoders took 1.00 s (peak RSS 710 MB)
2026-12-05 03:00:13,500 INFO ml.cold_items: cold-movie encoders took 0.50 s (peak RSS 710 MB)
2026-12-05 03:00:13,600 INFO service.retrain: retrained: model v2 now serving
"""
    assert logged_parts(log) == {"export of ratings": 0.4, "training": 11.9, "cold-movie encoders": 1.5}


def test_the_service_gets_the_cpus_a_retrain_leaves_and_its_own_epochs_unless_told(tmp_path, monkeypatch):
    monkeypatch.setenv("CINEGRAPH_TRAIN_EPOCHS", "7")  # e.g. from the shell: the service must not inherit it
    settings = Settings(data_dir=tmp_path)

    deployed = running_service(settings, tmp_path, "pw", env=service_env(spare_cpus=0, train_epochs=None))
    assert deployed.env["CINEGRAPH_RETRAIN_SPARE_CPUS"] == "0"
    assert "CINEGRAPH_TRAIN_EPOCHS" not in deployed.env  # early stopping decides, as in production

    quick = running_service(settings, tmp_path, "pw", env=service_env(spare_cpus=1, train_epochs=2))
    assert quick.env["CINEGRAPH_TRAIN_EPOCHS"] == "2"


def report() -> dict[str, object]:
    block = {"requests": 40, "requests_per_s": 80.0, "errors": 0, "p50_ms": 5.0, "p95_ms": 9.0}
    block |= {"p99_ms": 12.0, "max_ms": 20.0}
    retrain = {"state": "succeeded", "seconds": 15.2, "service_cpu_cores": 1.4, "parts_s": {"training": 12.1}}
    phase = {"busy_core": None, "retrain_spare_cpus": 1, "service_cpu_cores": 0.6}
    phase["all"] = {**block, "errors": 1}
    return {
        "dataset": "ml-100k",
        "ratings": 99_287,
        "clients": 4,
        "cpus": 2,
        "phases": [
            {**phase, "phase": "idle"},
            {
                **phase,
                "phase": "retrain on every CPU, busy core",
                "busy_core": 1,
                "retrain_spare_cpus": 0,
                "during_retrain": {**block, "requests": 30, "p99_ms": 99.0},
                "retrain": retrain,
            },
        ],
    }


def test_the_table_has_a_row_per_phase_with_the_latency_during_the_retrain():
    header, separator, idle, busy = markdown_table(report()).splitlines()[:4]

    assert header.count("|") == separator.count("|") == idle.count("|") == busy.count("|")
    assert idle.startswith("| idle | – | – | – | – | 40 | 5.0 / 9.0 / 12.0 / 20.0 ms |")
    assert busy.startswith("| retrain on every CPU, busy core | CPU 1 | 0 | 15.2 s | 12.1 s | 40 (30) |")
    assert "| 5.0 / 9.0 / 99.0 / 20.0 ms |" in busy  # the requests during the retrain
    assert busy.endswith("| 1 | 1.40 |")  # the phase's errors; the service's cores during the retrain


def test_bench_retrain_serving_loads_the_service_until_each_retrain_has_finished(cli_env: Path, capsys):
    dataset = write_ml25m(cli_env / "small", SyntheticSize(200, 300, 10_000))
    out = cli_env / "retrain-serving.json"
    argv = ["bench", "retrain-serving", "--dataset", str(dataset), "--train-epochs", "1"]
    assert main([*argv, "--requests", "20", "--warmup", "5", "--clients", "2", "--json-out", str(out)]) == 0

    measured = json.loads(out.read_text())
    assert measured["ratings"] == 10_000
    idle, retrain, busy, every_cpu = measured["phases"]
    assert "retrain" not in idle and idle["all"]["requests"] == 20
    for phase in (retrain, busy, every_cpu):
        assert phase["retrain"]["state"] == "succeeded"
        assert phase["retrain"]["seconds"] > 0
        assert "training" in phase["retrain"]["parts_s"]  # from the service's own log
        assert phase["all"]["requests"] >= max(20, phase["during_retrain"]["requests"])
        assert phase["during_retrain"]["requests"] > 0
    assert [p["busy_core"] is not None for p in measured["phases"]] == [False, False, True, True]
    assert [p["retrain_spare_cpus"] for p in measured["phases"]] == [1, 1, 1, 0]
    assert all(phase["all"]["errors"] == 0 for phase in measured["phases"])
    assert "| retrain, busy core | CPU " in capsys.readouterr().out
