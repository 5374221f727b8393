"""``cinegraph split | evaluate | bench train``: argparse wiring for the ml subcommands.

``service/cli.py`` owns the ``cinegraph`` entry point and calls :func:`register` (split, evaluate) and
:func:`register_bench_train` (on its ``bench`` sub-parsers). Handlers return an exit code: 0 on
success, 2 for input a person must fix (bad header, bad ids, unknown dataset) — with a one-line
message, never a traceback. ``python -m ml.commands ...`` runs them without the service.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ml.distributed import run_data_parallel
from ml.evaluate import DEFAULT_MODEL, MODELS, evaluate_split, fold_in_experiment
from ml.interactions import InteractionFileError, from_dataset_ratings, read_interactions, write_interactions
from ml.split import split_interactions
from ml.train import TrainConfig, resolve_device, steps_per_epoch, train_lightgcn

log = logging.getLogger(__name__)

DataDirGetter = Callable[[], Path]
EXIT_USAGE = 2


def _default_data_dir() -> Path:
    return Path(os.environ.get("CINEGRAPH_DATA_DIR", "data"))


def load_ratings(dataset: str, data_dir: Path) -> pd.DataFrame:
    """Interactions of ``dataset``: an interaction file, a dataset folder, or a name such as ``ml-100k``."""
    path = Path(dataset)
    if path.is_file():
        return read_interactions(path)
    from ml.data import resolve_dataset  # datasets by name or folder (MovieLens, RecBole)

    return from_dataset_ratings(resolve_dataset(dataset, data_dir).ratings)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _config_from_args(args: argparse.Namespace) -> TrainConfig:
    overrides = json.loads(args.config) if getattr(args, "config", None) else {}
    if not isinstance(overrides, dict):
        raise ValueError('--config must be a JSON object, e.g. \'{"loss": "bpr"}\'')
    return TrainConfig.from_dict({**TrainConfig(seed=args.seed).to_dict(), **overrides})


# ---------------------------------------------------------------- split


def cmd_split(args: argparse.Namespace, data_dir_getter: DataDirGetter = _default_data_dir) -> int:
    try:
        ratings = load_ratings(args.dataset, data_dir_getter())
        parts = split_interactions(ratings, args.protocol, args.seed)
    except (InteractionFileError, ValueError, FileNotFoundError) as exc:
        return _fail(str(exc))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, part in zip(("train", "valid", "test"), parts, strict=True):
        write_interactions(part, out / f"{name}.tsv")
    summary = {"out": str(out), "protocol": args.protocol, "seed": args.seed}
    summary.update({name: len(part) for name, part in zip(("train", "valid", "test"), parts, strict=True)})
    print(json.dumps(summary))
    return 0


# ---------------------------------------------------------------- evaluate


def write_recommendations(path: Path, users: np.ndarray, items: np.ndarray) -> None:
    """``user_id<TAB>item,item,...`` per user, raw ids, best first."""
    lines = [f"{u}\t{','.join(map(str, row))}" for u, row in zip(users.tolist(), items.tolist(), strict=True)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def cmd_evaluate(args: argparse.Namespace, data_dir_getter: DataDirGetter = _default_data_dir) -> int:
    try:
        tables = [read_interactions(p) for p in (args.train, args.valid, args.test)]
        config = _config_from_args(args)
        result = evaluate_split(
            *tables,
            model=args.model,
            config=config,
            progress=args.progress,
            keep_top=args.recs_out is not None,
        )
    except (InteractionFileError, ValueError) as exc:
        return _fail(str(exc))
    if args.recs_out is not None:
        write_recommendations(Path(args.recs_out), result.top_users, result.top_items)
    print(json.dumps({**result.summary(), "seed": config.seed}))
    return 0


# ---------------------------------------------------------------- bench train


def run_training_benchmark(
    ratings: pd.DataFrame,
    protocols: list[str],
    seeds: list[int],
    models: list[str],
    config: TrainConfig | None = None,
    progress: bool = False,
) -> list[dict]:
    """Every (protocol, model, seed): split, train, score. One dict of metrics per run."""
    rows = []
    for protocol in protocols:
        for seed in seeds:
            train, valid, test = split_interactions(ratings, protocol, seed)
            for model in models:
                run_config = TrainConfig.from_dict({**(config or TrainConfig()).to_dict(), "seed": seed})
                result = evaluate_split(train, valid, test, model=model, config=run_config, progress=progress)
                # The process's peak so far: run one model per process to read each model's own.
                peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
                rows.append({"protocol": protocol, "seed": seed, **result.summary(), "peak_rss_mb": peak_mb})
                log.info("%s", rows[-1])
    return rows


def summarize_benchmark(rows: list[dict]) -> list[dict]:
    """Mean and standard deviation over seeds per (protocol, model)."""
    frame = pd.DataFrame(rows)
    keys = ["ndcg@20", "recall@20", "ndcg@10", "recall@10", "coverage@20", "train_seconds"]
    grouped = frame.groupby(["protocol", "model"], sort=False)
    summary = []
    for (protocol, model), group in grouped:
        entry = {"protocol": protocol, "model": model, "seeds": len(group)}
        for key in keys:
            entry[key] = round(float(group[key].mean()), 4)
            entry[f"{key}_std"] = round(float(group[key].std(ddof=0)), 4)
        summary.append(entry)
    return summary


def cmd_bench_train(args: argparse.Namespace, data_dir_getter: DataDirGetter = _default_data_dir) -> int:
    try:
        ratings = load_ratings(args.dataset, data_dir_getter())
        config = _config_from_args(args)
        seeds = [int(s) for s in args.seeds.split(",")]
        models = args.models.split(",")
        unknown = set(models) - set(MODELS)
        if unknown:
            raise ValueError(f"unknown model(s) {sorted(unknown)}; choose from {', '.join(MODELS)}")
    except (InteractionFileError, ValueError, FileNotFoundError) as exc:
        return _fail(str(exc))
    start = time.perf_counter()
    rows = run_training_benchmark(ratings, args.protocols.split(","), seeds, models, config, args.progress)
    summary = summarize_benchmark(rows)
    print(f"{'protocol':<9} {'model':<11} {'NDCG@20':>14} {'Recall@20':>14} {'train s':>8}", file=sys.stderr)
    for s in summary:
        print(
            f"{s['protocol']:<9} {s['model']:<11} {s['ndcg@20']:.4f} ±{s['ndcg@20_std']:.4f} "
            f"{s['recall@20']:.4f} ±{s['recall@20_std']:.4f} {s['train_seconds']:>8.1f}",
            file=sys.stderr,
        )
    report = {
        "dataset": args.dataset,
        "seeds": seeds,
        "config": config.to_dict(),
        "summary": summary,
        "runs": rows,
    }
    if args.fold_in:
        parts = split_interactions(ratings, args.protocols.split(",")[0], seeds[0])
        report["fold_in"] = fold_in_experiment(
            *parts, config=TrainConfig.from_dict({**config.to_dict(), "seed": seeds[0]})
        )
        print(f"fold-in: {json.dumps(report['fold_in'])}", file=sys.stderr)
    report["seconds"] = round(time.perf_counter() - start, 1)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({"summary": summary, "fold_in": report.get("fold_in")}))
    return 0


def cmd_bench_epochs(args: argparse.Namespace, data_dir_getter: DataDirGetter = _default_data_dir) -> int:
    """What LightGCN training costs at a dataset's size: setup (graph building), seconds per epoch and
    peak memory, on all ratings with no validation, for a fixed number of epochs (``--nproc``
    data-parallel processes)."""
    if args.nproc < 1:
        return _fail(f"--nproc must be at least 1, got {args.nproc}")
    try:
        ratings = load_ratings(args.dataset, data_dir_getter())
        config = dataclasses.replace(_config_from_args(args), max_epochs=args.epochs)
    except (InteractionFileError, ValueError, FileNotFoundError) as exc:
        return _fail(str(exc))
    user_ids, users = np.unique(ratings["user_id"].to_numpy(), return_inverse=True)
    item_ids, items = np.unique(ratings["item_id"].to_numpy(), return_inverse=True)
    device = resolve_device(config.device)
    training = (users, items, len(user_ids), len(item_ids), config, None, args.progress)
    result = run_data_parallel(train_lightgcn, training, args.nproc)
    epoch_seconds = [record["train_seconds"] for record in result.history]
    report = {
        "dataset": args.dataset,
        "ratings": len(ratings),
        "users": len(user_ids),
        "movies": len(item_ids),
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "threads": torch.get_num_threads(),
        "processes": args.nproc,
        "steps_per_epoch": steps_per_epoch(config, len(user_ids)),
        "setup_s": round(result.seconds - sum(epoch_seconds), 1),
        "epoch_s": [round(seconds, 1) for seconds in epoch_seconds],
        "peak_rss_mb": round(  # per process: this one, or the largest data-parallel rank
            max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
            / 1024
        ),
    }
    if device.type == "cuda":
        report["cuda_peak_mb"] = round(torch.cuda.max_memory_allocated(device) / 2**20)
    print(json.dumps(report))
    return 0


def cmd_bench_kernels(args: argparse.Namespace, data_dir_getter: DataDirGetter = _default_data_dir) -> int:
    """Seconds per call of the propagation and the softmax over all movies at a dataset's size."""
    from ml.benchmarks.kernels import kernel_timings

    try:
        ratings = load_ratings(args.dataset, data_dir_getter())
    except (InteractionFileError, ValueError, FileNotFoundError) as exc:
        return _fail(str(exc))
    user_ids, users = np.unique(ratings["user_id"].to_numpy(), return_inverse=True)
    item_ids, items = np.unique(ratings["item_id"].to_numpy(), return_inverse=True)
    report = kernel_timings(users, items, len(user_ids), len(item_ids), args.dim, args.chunk, args.repeats)
    print(json.dumps({"dataset": args.dataset, "ratings": len(ratings), **report}))
    return 0


def cmd_bench_experience(args: argparse.Namespace, data_dir_getter: DataDirGetter = _default_data_dir) -> int:
    from ml.benchmarks.experience import PARTS, experience_report
    from ml.data import DatasetError, resolve_dataset

    parts = tuple(part.strip() for part in args.parts.split(",") if part.strip())
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        return _fail(f"--parts takes some of {', '.join(PARTS)}; got {args.parts!r}")
    try:
        dataset = resolve_dataset(args.dataset, data_dir_getter())
        config = _config_from_args(args)
    except (DatasetError, ValueError, FileNotFoundError) as exc:
        return _fail(str(exc))
    report = experience_report(from_dataset_ratings(dataset.ratings), dataset.movies, config, parts)
    print(json.dumps({"dataset": args.dataset, "seed": config.seed, **report}, indent=2, ensure_ascii=False))
    return 0


def cmd_bench_cold_items(args: argparse.Namespace, data_dir_getter: DataDirGetter = _default_data_dir) -> int:
    from ml.benchmarks.cold_items import cold_items_report, format_table
    from ml.data import DatasetError, resolve_dataset
    from ml.graph import MovieFacts

    try:
        dataset = resolve_dataset(args.dataset, data_dir_getter())
        config = _config_from_args(args)
        seeds = tuple(int(s) for s in args.seeds.split(","))
    except (DatasetError, ValueError, FileNotFoundError) as exc:
        return _fail(str(exc))
    facts = MovieFacts.from_frames(dataset.movies, dataset.credits)
    report = cold_items_report(from_dataset_ratings(dataset.ratings), facts, config, seeds, args.progress)
    print(format_table(report), file=sys.stderr)
    report = {"dataset": args.dataset, "people": int(dataset.credits["person_id"].nunique()), **report}
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({key: report[key] for key in ("dataset", "people", "seeds", "summary")}))
    return 0


# ---------------------------------------------------------------- registration


def _add_training_options(parser: argparse.ArgumentParser, seed: bool = True) -> None:
    if seed:
        parser.add_argument("--seed", type=int, default=0, help="seed for training (default 0)")
    else:
        parser.set_defaults(seed=0)  # the benchmark sets each run's seed
    parser.add_argument(
        "--config", help='JSON object overriding TrainConfig fields, e.g. \'{"loss": "bpr"}\''
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        default=sys.stderr.isatty(),
        help="progress bar (loss, validation NDCG@20) per training run; default on a terminal",
    )


def register(
    subparsers: argparse._SubParsersAction, data_dir_getter: DataDirGetter = _default_data_dir
) -> None:
    """Add ``split`` and ``evaluate`` to the CLI's sub-parsers."""
    split = subparsers.add_parser("split", help="write per-user 80/10/10 train/valid/test splits")
    split.add_argument("--dataset", default="ml-100k", help="interaction file, dataset folder, or 'ml-100k'")
    split.add_argument("--protocol", choices=("random", "temporal"), default="random")
    split.add_argument("--seed", type=int, default=0)
    split.add_argument("--out", required=True, help="folder for train.tsv, valid.tsv, test.tsv")
    split.set_defaults(handler=lambda args: cmd_split(args, data_dir_getter))

    evaluate = subparsers.add_parser("evaluate", help="train on a split, early-stop on valid, score test")
    evaluate.add_argument("--train", required=True)
    evaluate.add_argument("--valid", required=True)
    evaluate.add_argument("--test", required=True)
    evaluate.add_argument(
        "--model",
        choices=MODELS,
        default=DEFAULT_MODEL,
        help=f"default: the product's model ({DEFAULT_MODEL})",
    )
    evaluate.add_argument("--recs-out", help="write the top-20 per user as user_id<TAB>item,item,...")
    _add_training_options(evaluate)
    evaluate.set_defaults(handler=lambda args: cmd_evaluate(args, data_dir_getter))


def register_bench_train(
    bench_subparsers: argparse._SubParsersAction, data_dir_getter: DataDirGetter = _default_data_dir
) -> None:
    """Add ``train``, ``experience``, ``cold-items`` and ``epochs`` to the CLI's ``bench`` sub-parsers."""
    bench = bench_subparsers.add_parser("train", help="accuracy and training time, mean over split seeds")
    bench.add_argument("--dataset", default="ml-100k", help="interaction file, dataset folder, or 'ml-100k'")
    bench.add_argument("--protocols", default="random,temporal")
    bench.add_argument("--seeds", default="0,1,2", help="split (and training) seeds")
    bench.add_argument("--models", default=",".join(MODELS))
    bench.add_argument("--json-out", help="also write every run as JSON here")
    bench.add_argument(
        "--fold-in",
        action="store_true",
        help="also measure fold-in against retraining (first protocol and seed)",
    )
    _add_training_options(bench)
    bench.set_defaults(handler=lambda args: cmd_bench_train(args, data_dir_getter))

    experience = bench_subparsers.add_parser(
        "experience",
        help="the live loop as a person meets it: one rating, predicted stars, similar movies, new users",
    )
    experience.add_argument("--dataset", default="ml-100k", help="dataset folder or name (titles are needed)")
    experience.add_argument("--parts", default="live,ratings,similar,onboarding")
    _add_training_options(experience)
    experience.set_defaults(handler=lambda args: cmd_bench_experience(args, data_dir_getter))

    cold = bench_subparsers.add_parser(
        "cold-items", help="movies nobody rated, ranked through the graph (genres, year, people)"
    )
    cold.add_argument("--dataset", default="ml-100k", help="dataset folder or name (movie facts are needed)")
    cold.add_argument("--seeds", default="0,1,2", help="cold-movie draw, split and training seeds")
    cold.add_argument("--json-out", help="also write every run as JSON here")
    _add_training_options(cold, seed=False)
    cold.set_defaults(handler=lambda args: cmd_bench_cold_items(args, data_dir_getter))

    epochs = bench_subparsers.add_parser(
        "epochs", help="LightGCN training cost at a dataset's size: seconds per epoch, peak memory"
    )
    epochs.add_argument("--dataset", default="ml-100k", help="interaction file, dataset folder, or 'ml-100k'")
    epochs.add_argument("--epochs", type=int, default=3)
    epochs.add_argument("--nproc", type=int, default=1, help="data-parallel processes (default 1)")
    _add_training_options(epochs)
    epochs.set_defaults(handler=lambda args: cmd_bench_epochs(args, data_dir_getter))

    kernels = bench_subparsers.add_parser(
        "kernels", help="seconds per propagation and per softmax chunk at a dataset's size, two ways each"
    )
    kernels.add_argument("--dataset", default="ml-100k", help="ratings file, dataset folder, or 'ml-100k'")
    kernels.add_argument("--dim", type=int, default=64, help="embedding size (default 64)")
    kernels.add_argument("--chunk", type=int, default=2048, help="users in the softmax chunk (default 2048)")
    kernels.add_argument("--repeats", type=int, default=3, help="timed runs after a warm-up; the best counts")
    kernels.set_defaults(handler=lambda args: cmd_bench_kernels(args, data_dir_getter))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.commands")
    subparsers = parser.add_subparsers(required=True)
    register(subparsers)
    bench = subparsers.add_parser("bench").add_subparsers(required=True)
    register_bench_train(bench)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
