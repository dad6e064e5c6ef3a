"""Run many schools on a Citus cluster: each school's schema a Citus *distributed schema*.

    python tools/citus.py init --coordinator postgresql://postgres@10.0.0.1:5432/sc \\
        --worker 10.0.0.2:5432 --worker 10.0.0.3:5432
    python tools/citus.py distribute --coordinator DSN nepu hfut   # schools created before init
    python tools/citus.py schools --coordinator DSN                  # which node holds each school
    python tools/citus.py move --coordinator DSN nepu 10.0.0.3:5432  # rebalance by hand

The library needs nothing from Citus but PostgreSQL within one schema: a school's log, views
and keys are tables of the schema named after it (``SecondClassroom.postgres(dsn,
school="nepu")``), and every statement the library sends touches one school's schema only. With
schema-based sharding on (``citus.enable_schema_based_sharding``, set on the database by
``init``), ``CREATE SCHEMA nepu`` — which the library runs the first time a school opens —
makes a distributed schema: its tables live together on one worker and each statement is
routed there whole, so the log's ordering, its lock and its snapshots are one node's.
Applications connect to the coordinator with the DSN they would give a single server.

Every node needs the ``citus`` extension in ``shared_preload_libraries`` (and, for ``move``,
``wal_level = logical``); the database must exist on every node. Exits non-zero with one line
on any error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from second_classroom.core.errors import DomainError
from second_classroom.persistence.stores import school_schema


def _node(text: str) -> tuple[str, int]:
    """``host:port`` → (host, port)."""
    host, _, port = text.rpartition(":")
    if not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"not host:port: {text!r}")
    return host, int(port)


def _on_node(coordinator: str, host: str, port: int) -> str:
    """The coordinator's DSN pointed at another node (same database, user and password)."""
    parts = urlsplit(coordinator)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@{host}:{port}" if credentials else f"{host}:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def init(coordinator: str, workers: Sequence[tuple[str, int]]) -> list[str]:
    """Create the extension on every node, register the workers, and turn schema-based
    sharding on for the database (new sessions: every school created from now on)."""
    done = []
    parts = urlsplit(coordinator)
    for host, port in workers:
        with psycopg.connect(_on_node(coordinator, host, port), autocommit=True) as worker:
            worker.execute("CREATE EXTENSION IF NOT EXISTS citus")
    with psycopg.connect(coordinator, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS citus")
        conn.execute(
            "SELECT citus_set_coordinator_host(%s, %s)",
            (parts.hostname or "127.0.0.1", parts.port or 5432),
        )
        for host, port in workers:
            conn.execute("SELECT citus_add_node(%s, %s)", (host, port))
            done.append(f"worker {host}:{port} added")
        database = conn.execute("SELECT current_database()").fetchone()
        assert database is not None  # a connected session always has a database
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET citus.enable_schema_based_sharding TO on").format(
                sql.Identifier(database[0])
            )
        )
        done.append(f"schema-based sharding on for database {database[0]}")
    return done


def distribute(coordinator: str, schools: Sequence[str]) -> list[str]:
    """Make existing schools' schemas distributed (a school opened before ``init``)."""
    done = []
    schemas = [school_schema(school) for school in schools]  # all checked before connecting
    with psycopg.connect(coordinator, autocommit=True) as conn:
        for school, schema in zip(schools, schemas, strict=True):
            known = conn.execute(
                "SELECT 1 FROM citus_schemas WHERE schema_name::text = %s", (schema,)
            ).fetchone()
            if known:
                done.append(f"{school}: already distributed")
                continue
            conn.execute("SELECT citus_schema_distribute(%s)", (schema,))
            done.append(f"{school}: distributed")
    return done


def placements(coordinator: str) -> dict[str, set[str]]:
    """Each distributed school schema and the nodes that hold its tables (one, by design)."""
    with psycopg.connect(coordinator, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT s.schema_name::text, sh.nodename, sh.nodeport"
            " FROM citus_schemas s LEFT JOIN citus_shards sh"
            " ON sh.citus_table_type = 'schema' AND sh.colocation_id = s.colocation_id"
            " ORDER BY 1, 2, 3"
        ).fetchall()
    found: dict[str, set[str]] = {}
    for schema, host, port in rows:
        nodes = found.setdefault(schema, set())
        if host is not None:
            nodes.add(f"{host}:{port}")
    return found


def move(coordinator: str, school: str, node: tuple[str, int]) -> list[str]:
    """Move a school's schema to another worker (logical replication: writes go on)."""
    schema = school_schema(school)
    with psycopg.connect(coordinator, autocommit=True) as conn:
        conn.execute("SELECT citus_schema_move(%s, %s, %s)", (schema, node[0], node[1]))
    return [f"{school}: moved to {node[0]}:{node[1]}"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("init", "distribute", "schools", "move"):
        command = commands.add_parser(name)
        command.add_argument("--coordinator", required=True, help="the coordinator's DSN")
        if name == "init":
            command.add_argument("--worker", type=_node, action="append", required=True)
        if name == "distribute":
            command.add_argument("schools", nargs="+")
        if name == "move":
            command.add_argument("school")
            command.add_argument("node", type=_node)
    args = parser.parse_args(argv)
    try:
        if args.command == "init":
            lines = init(args.coordinator, args.worker)
        elif args.command == "distribute":
            lines = distribute(args.coordinator, args.schools)
        elif args.command == "move":
            lines = move(args.coordinator, args.school, args.node)
        else:
            lines = [
                f"{school}: {', '.join(sorted(nodes)) or '(no tables yet)'}"
                for school, nodes in placements(args.coordinator).items()
            ]
    except (psycopg.Error, DomainError, ValueError) as error:
        print(f"citus.py: {str(error).splitlines()[0] if str(error) else error!r}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
