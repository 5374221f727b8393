"""Thread counts from the CPUs a process can really use: its affinity mask and its container's quota."""

import asyncio
import contextlib
import dataclasses
import logging
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch

from ml import cpus
from ml.interactions import InteractionFileError
from ml.production import train_for_serving, train_for_serving_in_child
from ml.recommender import Recommender
from tests.ml.synthetic import FAST_CONFIG, two_cluster_ratings


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_without_a_quota_every_cpu_of_the_affinity_mask_counts(tmp_path):
    write(tmp_path / "cpu.max", "max 100000\n")
    assert cpus.cgroup_cpu_quota(tmp_path) is None
    assert cpus.available_cpus(tmp_path, affinity={0, 1, 2, 3}) == 4
    assert cpus.available_cpus(tmp_path / "nothing-here", affinity={2}) == 1


@pytest.mark.parametrize(
    ("files", "quota", "available"),
    [
        ({"cpu.max": "150000 100000\n"}, 1.5, 2),  # cgroup v2: 1.5 CPUs -> 2 threads
        ({"cpu.max": "50000 100000\n"}, 0.5, 1),
        ({"cpu/cpu.cfs_quota_us": "100000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 1.0, 1),  # v1
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None, 4),  # v1, none
    ],
)
def test_a_container_quota_caps_the_count(tmp_path, files, quota, available):
    for name, text in files.items():
        write(tmp_path / name, text)
    assert cpus.cgroup_cpu_quota(tmp_path) == quota
    assert cpus.available_cpus(tmp_path, affinity={0, 1, 2, 3}) == available


def test_an_unreadable_quota_is_no_quota(tmp_path):
    write(tmp_path / "cpu.max", "garbage\n")
    assert cpus.cgroup_cpu_quota(tmp_path) is None


def test_a_retrain_leaves_a_cpu_to_requests_and_restores_the_threads(monkeypatch):
    monkeypatch.setattr(cpus, "available_cpus", lambda *args, **kwargs: 4)
    before = torch.get_num_threads()
    with cpus.leaving_cpus_free(1) as threads:
        assert threads == torch.get_num_threads() == 3
    assert torch.get_num_threads() == before
    monkeypatch.setattr(cpus, "available_cpus", lambda *args, **kwargs: 1)
    with cpus.leaving_cpus_free(1) as threads:
        assert threads == 1


def spinners_on(cpu: int) -> list[int]:
    """This process's children allowed on ``cpu`` alone (from ``/proc``)."""
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    found = []
    for child in children:
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{child}/status").read_text()
            if f"Cpus_allowed_list:\t{cpu}\n" in status:
                found.append(int(child))
    return found


@pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists() or not shutil.which("taskset"),
    reason="needs /proc's children list and taskset",
)
def test_a_busy_core_is_a_process_pinned_to_the_last_cpu_while_inside():
    with cpus.busy_core() as cpu:
        assert cpu == max(os.sched_getaffinity(0))
        deadline = time.monotonic() + 10
        while not spinners_on(cpu) and time.monotonic() < deadline:  # taskset pins it, then starts python
            time.sleep(0.01)
        [spinner] = spinners_on(cpu)
    assert not Path(f"/proc/{spinner}").exists()  # killed and reaped


def running_on(threads: int) -> int:
    """This thread runs torch ops on ``threads`` threads from now on (the first read fixes its count)."""
    torch.set_num_threads(threads)
    return torch.get_num_threads()


def test_work_handed_to_a_worker_thread_leaves_the_cpus_its_caller_left(monkeypatch):
    """Torch keeps a thread count per thread: a worker that started with every CPU keeps it when the
    event loop's thread enters ``leaving_cpus_free``, until the worker applies it itself."""
    monkeypatch.setattr(cpus, "available_cpus", lambda *args, **kwargs: 4)
    before = torch.get_num_threads()

    def threads_within() -> int:
        with cpus.cpus_left_free_here() as threads:
            assert threads == torch.get_num_threads()
            return threads

    async def hand_over() -> tuple[int, ...]:
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(1))  # the same worker each time
        await asyncio.to_thread(running_on, 4)
        with cpus.leaving_cpus_free(1):
            left = await asyncio.to_thread(torch.get_num_threads), await asyncio.to_thread(threads_within)
        after = await asyncio.to_thread(torch.get_num_threads), await asyncio.to_thread(threads_within)
        return (*left, *after)

    try:
        assert asyncio.run(hand_over()) == (4, 3, 4, 4)
    finally:
        torch.set_num_threads(before)


def test_training_for_serving_on_a_worker_thread_uses_the_threads_its_caller_left(monkeypatch):
    monkeypatch.setattr(cpus, "available_cpus", lambda *args, **kwargs: 4)
    before = torch.get_num_threads()
    trained_with = []
    fit = Recommender.fit

    def recording_fit(*args, **kwargs):
        trained_with.append(torch.get_num_threads())
        return fit(*args, **kwargs)

    monkeypatch.setattr(Recommender, "fit", recording_fit)
    config = dataclasses.replace(FAST_CONFIG, max_epochs=1)

    async def retrain() -> None:
        await asyncio.to_thread(running_on, 4)  # start-up ran on this worker with every CPU
        with cpus.leaving_cpus_free(1):
            await asyncio.to_thread(train_for_serving, two_cluster_ratings(), config)

    try:
        asyncio.run(retrain())
    finally:
        torch.set_num_threads(before)
    assert trained_with == [3, 3]  # the probe with early stopping, then the refit on everything


def test_training_in_a_child_process_makes_the_same_model_on_the_threads_its_caller_left(monkeypatch, caplog):
    monkeypatch.setattr(cpus, "available_cpus", lambda *args, **kwargs: 4)
    config = dataclasses.replace(FAST_CONFIG, max_epochs=3)
    ratings = two_cluster_ratings()
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)  # the comparison below is on one thread's summation order
        here = train_for_serving(ratings, config)
        with cpus.leaving_cpus_free(3), caplog.at_level(logging.INFO):
            child = train_for_serving_in_child(ratings, config)  # 4 CPUs, 3 left: one thread
    finally:
        torch.set_num_threads(before)
    assert any("torch threads: 1" in message for message in caplog.messages)  # the child's log, here
    assert child.fingerprint == here.fingerprint and child.metrics["best_epoch"] == here.metrics["best_epoch"]
    np.testing.assert_allclose(child.item_embeddings, here.item_embeddings, atol=1e-6)


def test_a_failing_training_in_a_child_process_raises_its_error_here():
    ratings = two_cluster_ratings().iloc[:0]
    with pytest.raises(InteractionFileError, match="store ratings: no interactions"):
        train_for_serving_in_child(ratings, dataclasses.replace(FAST_CONFIG, max_epochs=1))
