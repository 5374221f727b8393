"""Retraining in the background and swapping the new model in without downtime.

The old model serves every request until the new one is complete; the swap is one assignment to
``app.state.model``. A failed retrain leaves the old model in place and records why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from service.schemas import RetrainStatus
from service.serving_model import ServingModel

log = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Retrainer:
    def __init__(
        self, build: Callable[[], Awaitable[ServingModel]], install: Callable[[ServingModel], None]
    ) -> None:
        self._build = build
        self._install = install
        self._task: asyncio.Task | None = None
        self.status = RetrainStatus(state="idle")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> bool:
        """Start a retrain; False when one is already running."""
        if self.running:
            return False
        self.status = RetrainStatus(state="running", started_at=_now())
        self._task = asyncio.create_task(self._run())
        return True

    async def _run(self) -> None:
        try:
            model = await self._build()
        except Exception as error:  # noqa: BLE001 - any failure keeps the old model; the reason is reported
            log.exception("retrain failed; the previous model keeps serving")
            self.status = self.status.model_copy(
                update={"state": "failed", "finished_at": _now(), "error": f"{type(error).__name__}: {error}"}
            )
            return
        self._install(model)
        self.status = self.status.model_copy(
            update={"state": "succeeded", "finished_at": _now(), "model_version": model.version}
        )
        log.info("retrained: model %s now serving", model.version)

    async def wait(self) -> None:
        if self._task is not None:
            await asyncio.shield(self._task)

    async def cancel(self) -> None:
        if self.running:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
