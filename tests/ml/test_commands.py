"""`cinegraph split` and `cinegraph evaluate` through their real handlers, in a temp dir."""

import argparse
import json

import pytest

from ml.commands import main, register, register_bench_train
from ml.interactions import write_interactions
from tests.ml.synthetic import two_cluster_ratings

FAST = '{"embedding_dim": 8, "max_epochs": 5, "item_neighbors": 3}'


@pytest.fixture
def ratings_file(tmp_path):
    path = tmp_path / "ratings.csv"
    two_cluster_ratings().to_csv(path, index=False)
    return path


def test_split_then_evaluate_round_trips(ratings_file, tmp_path, capsys):
    assert (
        main(
            [
                "split",
                "--dataset",
                str(ratings_file),
                "--protocol",
                "random",
                "--seed",
                "1",
                "--out",
                str(tmp_path / "split"),
            ]
        )
        == 0
    )
    split_summary = json.loads(capsys.readouterr().out)
    assert split_summary["train"] + split_summary["valid"] + split_summary["test"] == 320

    recs = tmp_path / "recs.tsv"
    files = [str(tmp_path / "split" / f"{name}.tsv") for name in ("train", "valid", "test")]
    code = main(
        [
            "evaluate",
            "--train",
            files[0],
            "--valid",
            files[1],
            "--test",
            files[2],
            "--config",
            FAST,
            "--recs-out",
            str(recs),
        ]
    )
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    metrics = json.loads(lines[0])
    assert metrics["model"] == "lightgcn"
    assert {
        "ndcg@20",
        "recall@10",
        "precision@20",
        "hit@10",
        "mrr@20",
        "coverage@20",
        "train_seconds",
    } <= set(metrics)

    rows = [line.split("\t") for line in recs.read_text().splitlines()]
    assert len(rows) == 40
    user, items = rows[0]
    assert int(user) in range(1000, 2100)
    assert len(items.split(",")) == 20


@pytest.mark.parametrize("model", ["ease", "popularity"])
def test_evaluate_runs_the_baselines(ratings_file, tmp_path, capsys, model):
    main(["split", "--dataset", str(ratings_file), "--out", str(tmp_path)])
    capsys.readouterr()
    files = [str(tmp_path / f"{name}.tsv") for name in ("train", "valid", "test")]
    assert (
        main(["evaluate", "--train", files[0], "--valid", files[1], "--test", files[2], "--model", model])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["model"] == model


def test_evaluate_reads_recbole_inter_files(tmp_path, capsys):
    frame = two_cluster_ratings()
    frame.columns = ["user_id:token", "item_id:token", "rating:float", "timestamp:float"]
    paths = []
    for name, part in (("train", frame.iloc[::3]), ("valid", frame.iloc[1::3]), ("test", frame.iloc[2::3])):
        path = tmp_path / f"{name}.inter"
        part.to_csv(path, sep="\t", index=False)
        paths.append(str(path))
    assert (
        main(
            [
                "evaluate",
                "--train",
                paths[0],
                "--valid",
                paths[1],
                "--test",
                paths[2],
                "--model",
                "popularity",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["users"] == 40


def test_wrong_header_is_a_clear_error_with_exit_code_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("customer,product\n1,2\n")
    assert main(["evaluate", "--train", str(bad), "--valid", str(bad), "--test", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "user_id" in err and "Traceback" not in err


def test_non_integer_ids_are_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.tsv"
    write_interactions(two_cluster_ratings().astype({"user_id": str}).assign(user_id="alice"), bad)
    assert main(["split", "--dataset", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "integer ids" in capsys.readouterr().err


def test_register_adds_split_and_evaluate_and_bench_train_separately():
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers()
    register(subparsers, lambda: None)
    bench = subparsers.add_parser("bench").add_subparsers()
    register_bench_train(bench, lambda: None)
    assert parser.parse_args(["bench", "train", "--seeds", "0"]).seeds == "0"
    assert parser.parse_args(["evaluate", "--train", "a", "--valid", "b", "--test", "c"]).model == "lightgcn"


def test_bench_epochs_reports_seconds_per_epoch_and_peak_memory(ratings_file, capsys):
    assert main(["bench", "epochs", "--dataset", str(ratings_file), "--epochs", "2", "--config", FAST]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ratings"] == 320 and report["users"] == 40 and report["device"] == "cpu"
    assert len(report["epoch_s"]) == 2 and all(seconds >= 0 for seconds in report["epoch_s"])
    assert report["steps_per_epoch"] >= 1 and report["peak_rss_mb"] > 0


def test_bench_epochs_runs_data_parallel_with_the_same_report(ratings_file, capsys):
    command = ["bench", "epochs", "--dataset", str(ratings_file), "--epochs", "1", "--config", FAST]
    assert main([*command, "--nproc", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["processes"] == 2 and len(report["epoch_s"]) == 1 and report["peak_rss_mb"] > 0
    assert main([*command, "--nproc", "0"]) == 2
    assert "--nproc must be at least 1" in capsys.readouterr().err


def test_bench_epochs_refuses_a_config_that_does_not_parse(ratings_file, capsys):
    assert main(["bench", "epochs", "--dataset", str(ratings_file), "--config", "[1]"]) == 2
    assert "JSON object" in capsys.readouterr().err


def test_bench_kernels_times_both_ways_of_each_kernel_and_they_agree(ratings_file, capsys):
    assert main(["bench", "kernels", "--dataset", str(ratings_file), "--dim", "8", "--repeats", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ratings"] == 320 and report["dim"] == 8 and report["softmax_users"] == 40
    for kernel in ("propagation", "sparse_mm", "propagation_one_thread", "sparse_mm_one_thread"):
        assert report[f"{kernel}_s"] >= 0
    assert report["softmax_by_hand_s"] >= 0 and report["softmax_autograd_s"] >= 0
    assert report["softmax_products_items_major_s"] >= 0 and report["softmax_products_users_major_s"] >= 0
    assert report["propagation_max_difference"] < 1e-5
    assert report["softmax_loss_relative_difference"] < 1e-5
    assert report["softmax_gradient_max_difference"] < 1e-4


def test_bench_kernels_says_when_the_dataset_is_missing(tmp_path, capsys):
    assert main(["bench", "kernels", "--dataset", str(tmp_path / "nothing.csv")]) == 2
    assert "nothing.csv" in capsys.readouterr().err
