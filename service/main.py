"""Builds the FastAPI app: routes, error handlers, metrics, and the static front end at /."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from service.api.routes import admin, auth, genres, health, movies, ratings, recommendations, users
from service.catalogue import UnknownGenre
from service.config import Settings
from service.lifespan import lifespan
from service.observability import Metrics, MetricsMiddleware
from service.store.backends import Conflict, StoreUnavailable
from service.store.graph_store import NotFound


def _error(status_code: int, detail: str, **extra) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=status_code)


def add_error_handlers(app: FastAPI) -> None:
    async def not_found(_: Request, error: NotFound) -> JSONResponse:
        return _error(status.HTTP_404_NOT_FOUND, str(error))

    async def unknown_genre(_: Request, error: UnknownGenre) -> JSONResponse:
        return _error(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error), valid_genres=error.valid)

    async def store_unavailable(_: Request, error: StoreUnavailable) -> JSONResponse:
        return _error(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"the graph store is unavailable; try again shortly ({error})",
        )

    async def conflict(_: Request, error: Conflict) -> JSONResponse:
        return _error(status.HTTP_409_CONFLICT, str(error))

    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(UnknownGenre, unknown_genre)
    app.add_exception_handler(StoreUnavailable, store_unavailable)
    app.add_exception_handler(Conflict, conflict)


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="CineGraph",
        summary="Graph-based movie recommendations: MovieLens in a graph database, LightGCN embeddings.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings or Settings()
    app.state.metrics = Metrics()
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    if app.state.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=app.state.settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    add_error_handlers(app)
    for module in (recommendations, ratings, users, movies, genres, auth, admin, health):
        app.include_router(module.router)
    if app.state.settings.frontend_dir.is_dir():
        app.mount("/", StaticFiles(directory=app.state.settings.frontend_dir, html=True), name="frontend")
    return app
