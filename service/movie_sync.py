"""Keeping each API worker's model in step with movies an admin adds or changes.

The store is the source of truth: an admin's write goes there first, and every movie it writes carries
``updated_at``. A worker applies the movies changed since its model's ``movies_as_of``
(``ServingModel.with_movies``): at once after its own admin write, every ``movie_sync_interval_s`` for
writes another worker took, and after a retrain is swapped in (its catalogue was read when it began).
One lock serialises the read–build–swap, so two updates never overwrite each other's model.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from service.serving_model import ServingModel
from service.store.graph_store import GraphStore

log = logging.getLogger(__name__)


class MovieSync:
    def __init__(
        self, store: GraphStore, current: Callable[[], ServingModel], install: Callable[[ServingModel], None]
    ) -> None:
        self._store, self._current, self._install = store, current, install
        self._lock = asyncio.Lock()

    async def catch_up(self) -> int:
        """Apply the movies changed since the serving model's ``movies_as_of``; returns how many."""
        async with self._lock:
            model = self._current()
            as_of = int(time.time())
            changed = await self._store.movies_updated_since(model.movies_as_of)
            if not changed:
                return 0
            rows, links = await self._store.movies_by_id(changed)
            updated = await asyncio.to_thread(model.with_movies, rows, links, as_of)
            if self._current() is model:  # a retrain swapped in meanwhile: the next round applies them
                self._install(updated)
            log.info("applied %d added or changed movies", len(changed))
            return len(changed)

    async def run_every(self, interval_s: float) -> None:
        """Poll until cancelled; a failed round (store down) is logged and retried next time."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.catch_up()
            except Exception:  # noqa: BLE001 - the next round retries; requests keep the current model
                log.exception("could not apply changed movies; retrying in %g s", interval_s)
