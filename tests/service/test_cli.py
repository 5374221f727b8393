"""The `cinegraph` command as a person types it: data, db start/status/stats/stop, import."""

from __future__ import annotations

import json

from service.cli import main
from tests.ml.data.test_link_check import REFUSED_ON_ML100K_IDS, ml100k_recbole_files
from tests.ml.data.test_loaders import ml100k_files


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_db_lifecycle_import_and_stats(cli_env, capsys):
    dataset_dir = ml100k_files(cli_env / "tiny-100k")
    code, status = run_json(capsys, "db", "status")
    assert code == 3 and status["running"] is False

    code, started = run_json(capsys, "db", "start")
    assert code == 0 and started["running"] and started["started_now"]
    code, again = run_json(capsys, "db", "start")
    assert again["started_now"] is False and again["pid"] == started["pid"]

    code, imported = run_json(capsys, "import", "--dataset", str(dataset_dir), "--quiet")
    assert code == 0 and imported["ratings"] == 3
    assert imported["placeholders_dropped"] == imported["duplicates_merged"] == []
    code, stats = run_json(capsys, "db", "stats")
    assert stats == {"users": 2, "movies": 2, "ratings": 3, "genres": 4, "people": 0, "credits": 0}

    code, stopped = run_json(capsys, "db", "stop")
    assert stopped == {"stopped": True}
    code, stats_after_restart = run_json(capsys, "db", "stats")  # stats starts the store again
    assert stats_after_restart == stats


def test_import_says_which_entity_links_it_refused_and_on_what_evidence(cli_env, capsys):
    inter = ml100k_recbole_files(cli_env / "ml-100k")
    code, imported = run_json(capsys, "import", "--dataset", str(inter), "--quiet")
    assert code == 0 and imported["warnings"] == [REFUSED_ON_ML100K_IDS]
    assert imported["people"] == imported["credits"] == 0


def test_import_of_a_broken_dataset_exits_2_with_the_file_and_line(cli_env, capsys):
    dataset_dir = ml100k_files(cli_env / "broken")
    (dataset_dir / "u.data").write_text("1\t10\t5\t1\n1\t10\tfive\t2\n")
    assert main(["import", "--dataset", str(dataset_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "u.data, line 2: 'rating' must be a number, got 'five'" in err
    assert "Traceback" not in err


def test_db_commands_refuse_to_manage_a_configured_neo4j(cli_env, capsys, monkeypatch):
    monkeypatch.setenv("CINEGRAPH_NEO4J_URI", "neo4j://db.example:7687")
    assert main(["db", "start"]) == 1
    assert "start and stop it with Neo4j's own tools" in capsys.readouterr().err
