"""Thread counts from the CPUs a process can really use: its affinity mask and its container's quota."""

from pathlib import Path

import pytest
import torch

from ml import cpus


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
