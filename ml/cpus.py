"""How many CPUs this process can really use, and torch's threads set from it.

``os.cpu_count()`` counts the machine's cores; a process may be pinned to fewer (``taskset``, a
``cpuset``) or given a CPU quota by its container (cgroup v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``).
A thread pool larger than that waits on cores it never gets. (The other half of "a busy core",
OpenMP threads spinning while they wait for a descheduled sibling, is the wait policy set in
``ml/__init__.py``.)
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def cgroup_cpu_quota(root: Path = CGROUP_ROOT) -> float | None:
    """The container's CPU quota in CPUs (e.g. 1.5), or None where there is none or nothing says."""
    v2 = root / "cpu.max"  # "max 100000" or "150000 100000"
    v1_quota, v1_period = root / "cpu" / "cpu.cfs_quota_us", root / "cpu" / "cpu.cfs_period_us"
    try:
        if v2.exists():
            quota, period = v2.read_text().split()[:2]
            return None if quota == "max" else int(quota) / int(period)
        if v1_quota.exists() and v1_period.exists():
            quota, period = int(v1_quota.read_text()), int(v1_period.read_text())
            return None if quota <= 0 or period <= 0 else quota / period
    except (OSError, ValueError):
        return None
    return None


def available_cpus(root: Path = CGROUP_ROOT, affinity: set[int] | None = None) -> int:
    """CPUs this process may run on (its affinity mask), capped by a cgroup quota rounded up."""
    cpus = len(affinity if affinity is not None else os.sched_getaffinity(0))
    quota = cgroup_cpu_quota(root)
    if quota is not None:
        cpus = min(cpus, max(1, math.ceil(quota)))
    return max(1, cpus)


def use_available_cpus(share: int = 1) -> int:
    """Set torch's intra-op threads to this process's share (1 of ``share`` processes) of the CPUs
    it can use; returns the count."""
    import torch

    threads = max(1, available_cpus() // max(1, share))
    torch.set_num_threads(threads)
    return threads


_CPUS_LEFT_FREE: ContextVar[int | None] = ContextVar("cpus_left_free", default=None)
"""What the innermost ``leaving_cpus_free`` leaves; ``asyncio.to_thread`` carries it to its worker thread."""


@contextmanager
def leaving_cpus_free(cpus: int = 1) -> Iterator[int]:
    """Within: torch's intra-op threads leave ``cpus`` of this process's CPUs to other work (at least one
    thread stays), e.g. a retrain inside the service leaves a core to the requests; restored after.
    Yields the thread count used.

    Torch's thread count belongs to each thread once it has run a parallel op (OpenMP keeps it per
    thread): this sets the calling thread's, and work it hands to a worker thread with its context
    (``asyncio.to_thread``) applies the same there with :func:`cpus_left_free_here`. Without that, the
    service's retrain kept training on every CPU: its event loop's thread had the count, not the worker."""
    token = _CPUS_LEFT_FREE.set(cpus)
    try:
        with _torch_threads(max(1, available_cpus() - cpus)) as threads:
            yield threads
    finally:
        _CPUS_LEFT_FREE.reset(token)


@contextmanager
def cpus_left_free_here() -> Iterator[int]:
    """Within: this thread's torch threads leave the CPUs that the ``leaving_cpus_free`` of the code that
    handed it this work leaves (from the context, which ``asyncio.to_thread`` carries); unchanged when
    there is none. Yields the thread count."""
    with _torch_threads(threads_left_here()) as threads:
        yield threads


def threads_left_here() -> int:
    """The torch thread count for work done here: what the ``leaving_cpus_free`` of the code that handed
    it over leaves (from the context), else this thread's current count."""
    cpus = _CPUS_LEFT_FREE.get()
    if cpus is None:
        import torch

        return torch.get_num_threads()
    return max(1, available_cpus() - cpus)


@contextmanager
def _torch_threads(threads: int) -> Iterator[int]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield threads
    finally:
        torch.set_num_threads(before)


@contextmanager
def busy_core(cpu: int | None = None) -> Iterator[int]:
    """Within: another process spins on one CPU (``cpu``, else the last this process may use), pinned
    there with ``taskset``, as a busy neighbour would; yields that CPU. For benchmarks of training and
    serving beside a busy core (``scripts/bench_busy_core.py``, ``cinegraph bench retrain-serving``)."""
    cpu = max(os.sched_getaffinity(0)) if cpu is None else cpu
    spinner = subprocess.Popen(["taskset", "-c", str(cpu), sys.executable, "-c", "while True: pass"])
    try:
        yield cpu
    finally:
        spinner.kill()
        spinner.wait()
