"""Every error answer has one shape, ``ErrorBody``: a ``detail`` a person can act on, plus ``errors``
per field for invalid input. Nothing a client sent is echoed back (a 100 KB query or a NaN would
otherwise be repeated, or break the JSON encoder and turn a 422 into a 500)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from service.catalogue import UnknownGenre
from service.schemas import ErrorBody
from service.store.backends import Conflict, StoreUnavailable
from service.store.graph_store import NotFound

STORE_RETRY_AFTER_S = 5

ERROR_DESCRIPTIONS = {
    400: "The request could not be read (a body that is not UTF-8 JSON or form data)",
    401: "Not signed in, or the token is invalid or expired",
    403: "Signed in, but not allowed to do this",
    404: "No such user, movie or page",
    409: "Conflicts with what is stored (a username taken, a retrain already running)",
    413: "The request body is too large",
    422: "Invalid input: `errors` says which field and why",
    429: "Too many requests from this client: wait for `Retry-After` seconds",
    503: "The graph store is not answering: try again shortly",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these status codes, all with the one error schema."""
    return {code: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[code]} for code in codes}


def _error(status_code: int, detail: str, **extra: Any) -> JSONResponse:
    body = ErrorBody(detail=detail, **extra).model_dump(exclude_none=True)
    headers = {"Retry-After": str(STORE_RETRY_AFTER_S)} if status_code == 503 else None
    return JSONResponse(body, status_code=status_code, headers=headers)


def _field(location: tuple[Any, ...]) -> str:
    """("body", "rating") -> "rating"; ("query", "k") -> "k"; ("body",) -> "body"."""
    parts = [str(part) for part in location[1:]] or [str(part) for part in location]
    return ".".join(parts)


def add_error_handlers(app: FastAPI) -> None:
    async def invalid_input(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": [str(part) for part in item["loc"]],
                "msg": item["msg"].removeprefix("Value error, "),  # pydantic's prefix for our own checks
                "type": item["type"],
            }
            for item in error.errors()
        ]
        detail = "; ".join(f"{_field(tuple(item['loc']))}: {item['msg']}" for item in errors)
        return _error(status.HTTP_422_UNPROCESSABLE_CONTENT, detail or "invalid input", errors=errors)

    async def not_found(_: Request, error: NotFound) -> JSONResponse:
        return _error(status.HTTP_404_NOT_FOUND, str(error))

    async def unknown_genre(_: Request, error: UnknownGenre) -> JSONResponse:
        return _error(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error), valid_genres=error.valid)

    async def store_unavailable(_: Request, error: StoreUnavailable) -> JSONResponse:
        detail = f"the graph store is unavailable; try again shortly ({error})"
        return _error(status.HTTP_503_SERVICE_UNAVAILABLE, detail)

    async def conflict(_: Request, error: Conflict) -> JSONResponse:
        return _error(status.HTTP_409_CONFLICT, str(error))

    app.add_exception_handler(RequestValidationError, invalid_input)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(UnknownGenre, unknown_genre)
    app.add_exception_handler(StoreUnavailable, store_unavailable)
    app.add_exception_handler(Conflict, conflict)
