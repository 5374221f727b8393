"""Opening the configured graph store: Neo4j when a URI is set, else the embedded FalkorDB."""

from __future__ import annotations

from service.config import Settings
from service.store.backends import FalkorDBBackend, Neo4jBackend
from service.store.embedded import EmbeddedFalkorDB
from service.store.graph_store import GraphStore


def embedded_server(settings: Settings) -> EmbeddedFalkorDB:
    password = settings.falkordb_password.get_secret_value() if settings.falkordb_password else None
    return EmbeddedFalkorDB(settings.falkordb_dir, settings.falkordb_host, settings.falkordb_port, password)


def connect_store(settings: Settings) -> GraphStore:
    """A store on the configured backend; the embedded server must already run (see ``embedded_server``)."""
    if settings.uses_neo4j:
        backend = Neo4jBackend(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            settings.neo4j_database,
        )
    else:
        backend = FalkorDBBackend(
            settings.falkordb_host,
            settings.falkordb_port,
            settings.graph_name,
            password=embedded_server(settings).password(),
        )
    return GraphStore(backend, batch_size=settings.import_batch_size, timeout_s=settings.store_timeout_s)
