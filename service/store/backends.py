"""The thin per-backend adapters: "run this named statement with these parameters" and schema setup.

Everything above this module is identical for Neo4j and FalkorDB.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import numpy as np
import redis.exceptions
from falkordb.asyncio import FalkorDB
from falkordb.helpers import stringify_param_value
from neo4j import AsyncGraphDatabase, RoutingControl
from neo4j.exceptions import ConstraintError, ServiceUnavailable, SessionExpired

from service.store.cypher_library import is_write, schema_statements, statement
from service.store.search_text import SearchQuery, lucene_query, redisearch_query

log = logging.getLogger(__name__)

Row = dict[str, Any]

# Unique keys (label, property); FalkorDB creates its constraints by command, Neo4j by Cypher
# (schema/neo4j.cypher).
UNIQUE_KEYS = [
    ("User", "id"),
    ("User", "username"),
    ("Movie", "id"),
    ("MovieAlias", "id"),
    ("Genre", "name"),
    ("Person", "id"),
]


class StoreUnavailable(RuntimeError):
    """The graph database cannot be reached; the service answers 503 and retries on the next request."""


class Conflict(RuntimeError):
    """A write broke a uniqueness constraint (two writers raced for the same id)."""


class GraphBackend(Protocol):
    name: str
    import_batches_in_flight: int
    """Import batches written at once: more than one only where concurrent writes cannot deadlock."""

    async def run(self, statement_name: str, params: dict[str, Any] | None = None) -> list[Row]: ...

    def fulltext_query(self, query: SearchQuery, typos: bool = True) -> str:
        """``query`` in the syntax of the backend's full-text index (``$index_query`` of the search
        statements), its words matched with a typo or two where ``typos``; built from normalised words
        only, so that nothing typed is an operator."""
        ...

    async def run_numeric(self, statement_name: str, params: dict[str, Any] | None = None) -> list[Row]:
        """Run a read statement whose values are all numbers or lists of numbers (the bulk exports);
        each list comes back as a numpy array."""
        ...

    async def apply_schema(self) -> None: ...

    async def close(self) -> None: ...


class FalkorDBBackend:
    name = "falkordb"
    # FalkorDB runs one write at a time per graph: a second batch waits in the server's queue while the
    # client encodes the next one, which is the overlap an import gains from it.
    import_batches_in_flight = 2
    fulltext_query = staticmethod(redisearch_query)

    def __init__(self, host: str, port: int, graph: str, password: str | None = None) -> None:
        self._db = FalkorDB(
            host=host, port=port, password=password, socket_connect_timeout=2, socket_timeout=60
        )
        self._graph = self._db.select_graph(graph)

    async def run(self, statement_name: str, params: dict[str, Any] | None = None) -> list[Row]:
        try:
            result = await self._graph.query(statement(statement_name, self.name), params or {})
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as error:
            raise StoreUnavailable(f"FalkorDB is not reachable: {error}") from error
        except redis.exceptions.ResponseError as error:
            if "unique constraint" in str(error).lower():
                raise Conflict(str(error)) from error
            raise
        columns = [name for _type, name in result.header]
        return [dict(zip(columns, row, strict=True)) for row in result.result_set]

    async def run_numeric(self, statement_name: str, params: dict[str, Any] | None = None) -> list[Row]:
        """Asks for FalkorDB's verbose reply format rather than the typed compact one the client library
        decodes value by value in Python: there a list of numbers is one string, ``[1, 2, 3]``, that numpy
        parses at C speed (export times: ``cinegraph bench import`` and ``bench scale``)."""
        header = "".join(f"{key}={stringify_param_value(value)} " for key, value in (params or {}).items())
        text = statement(statement_name, self.name)
        query = f"CYPHER {header}{text}" if header else text
        try:
            reply = await self._db.connection.execute_command("GRAPH.RO_QUERY", self._graph.name, query)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as error:
            raise StoreUnavailable(f"FalkorDB is not reachable: {error}") from error
        except redis.exceptions.ResponseError as error:
            if "empty key" in str(error):  # a read-only query does not create the graph: nothing yet
                return []
            raise
        if len(reply) < 3:  # a statement without RETURN answers with statistics only
            return []
        columns = reply[0]
        return [dict(zip(columns, map(_verbose_number, row), strict=True)) for row in reply[1]]

    async def apply_schema(self) -> None:
        for text in schema_statements(self.name):
            try:
                await self._graph.query(text)
            except redis.exceptions.ResponseError as error:
                if "already indexed" not in str(error):
                    raise
        existing = {(c["label"], tuple(c["properties"])) for c in await self._graph.list_constraints()}
        for label, key in UNIQUE_KEYS:
            if (label, (key,)) not in existing:
                await self._graph.create_node_unique_constraint(label, key)

    async def drop(self) -> None:
        """Delete the whole graph (tests and `cinegraph import --replace`)."""
        try:
            await self._graph.delete()
        except redis.exceptions.ResponseError as error:
            if "empty key" not in str(error) and "Invalid graph operation on empty key" not in str(error):
                raise

    async def close(self) -> None:
        await self._db.connection.aclose()


def _verbose_number(value: int | str | None) -> Any:
    """A value of FalkorDB's verbose reply: integers arrive as integers, floats as text, lists as text
    (``[1, 2]``; floats in lists printed with six decimals, never in exponent form)."""
    if not isinstance(value, str):
        return value
    if value.startswith("["):
        items = value[1:-1]
        return np.fromstring(items, dtype=np.float64 if "." in items else np.int64, sep=",")
    return float(value)


class Neo4jBackend:
    name = "neo4j"
    # Concurrent transactions that create edges to the same popular movies lock them in different orders
    # and deadlock; Neo4j import batches go one at a time.
    import_batches_in_flight = 1
    fulltext_query = staticmethod(lucene_query)

    def __init__(self, uri: str, user: str, password: str, database: str) -> None:
        self._driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        self._database = database

    async def run(self, statement_name: str, params: dict[str, Any] | None = None) -> list[Row]:
        routing = RoutingControl.WRITE if is_write(statement_name, self.name) else RoutingControl.READ
        try:
            records, _summary, _keys = await self._driver.execute_query(
                statement(statement_name, self.name), params or {}, database_=self._database, routing_=routing
            )
        except (ServiceUnavailable, SessionExpired, OSError) as error:
            raise StoreUnavailable(f"Neo4j is not reachable: {error}") from error
        except ConstraintError as error:
            raise Conflict(str(error)) from error
        return [record.data() for record in records]

    async def run_numeric(self, statement_name: str, params: dict[str, Any] | None = None) -> list[Row]:
        return [
            {key: np.asarray(value) if isinstance(value, list) else value for key, value in row.items()}
            for row in await self.run(statement_name, params)
        ]

    async def apply_schema(self) -> None:
        for text in schema_statements(self.name):
            await self._driver.execute_query(text, database_=self._database)

    async def drop(self) -> None:
        # CALL { } IN TRANSACTIONS needs an auto-commit transaction, which execute_query does not give.
        async with self._driver.session(database=self._database) as session:
            await (await session.run(statement("delete_everything"))).consume()

    async def close(self) -> None:
        await self._driver.close()
