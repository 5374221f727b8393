"""The UI's files, with caching a browser can rely on.

The files keep their names from one release to the next (no content hashes), so a long ``max-age``
could pair a new ``index.html`` with yesterday's modules. ``no-cache`` makes the browser ask every time,
with the ``ETag``/``Last-Modified`` that StaticFiles sends; an unchanged file then costs a 304 and no
body. Compression is the service-wide gzip middleware's job.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi import Response
from fastapi.staticfiles import StaticFiles

CACHE_CONTROL = "no-cache"


class UIFiles(StaticFiles):
    async def get_response(self, path: str, scope: MutableMapping[str, Any]) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = CACHE_CONTROL
        return response
