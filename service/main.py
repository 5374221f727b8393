"""Builds the FastAPI app: routes, error handlers, middleware, and the static front end at /."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from service.api.routes import (
    admin,
    auth,
    genres,
    health,
    metrics,
    movies,
    not_interested,
    people,
    ratings,
    recommendations,
    users,
)
from service.config import Settings
from service.errors import add_error_handlers, error_responses
from service.lifespan import lifespan
from service.middleware import BodySizeLimit, SecurityHeaders
from service.observability import Metrics, MetricsMiddleware
from service.rate_limit import RateLimiter
from service.static_files import UIFiles


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    docs = settings.docs_enabled
    app = FastAPI(
        title="CineGraph",
        summary="Graph-based movie recommendations: MovieLens in a graph database, LightGCN embeddings.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
        # Every operation can meet these; each route adds its own (401, 403, 404, 409, 429).
        responses=error_responses(400, 413, 422, 503),
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.rate_limiter = RateLimiter()
    # Added last runs first: metrics see every answer, the body limit acts before anything reads a body.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.allowed_origins, allow_methods=["*"], allow_headers=["*"]
        )
    app.add_middleware(SecurityHeaders)
    # Bodies over 1 KiB are gzipped for clients that accept it (the UI's modules and JSON lists shrink
    # 3-5x); level 6 costs a fraction of level 9's time for nearly the same size.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    add_error_handlers(app)
    routers = [recommendations, ratings, users, not_interested, movies, people, genres, auth, admin, health]
    if settings.metrics_enabled:
        routers.append(metrics)
    for module in routers:
        app.include_router(module.router)
    if settings.frontend_dir.is_dir():
        app.mount("/", UIFiles(directory=settings.frontend_dir, html=True), name="frontend")
    return app
