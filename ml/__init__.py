"""CineGraph's learning side: data, LightGCN training, evaluation and the models the service serves.

Importing ``ml`` makes OpenMP threads that wait give their core back (``OMP_WAIT_POLICY=PASSIVE``,
unless set already) before torch loads, since OpenMP reads it only then. With the default, a thread
of a parallel region spins while its sibling waits for a core that another process is using: on
this 2-core machine with one core busy, ``cinegraph evaluate`` on ml-100k took 290 s with two threads
against 32 s with one (``docs/benchmarks.md`` has the measurement with this setting).
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
