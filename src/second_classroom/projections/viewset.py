"""The views of one application: where they live, the runner that keeps them, and queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from second_classroom.persistence.application import SecondClassroomApplication
from second_classroom.projections import queries, reports
from second_classroom.projections.database import PostgresViews, SQLiteViews, ViewDatabase
from second_classroom.projections.runner import ProjectionRunner, ViewFailure
from second_classroom.projections.views import standard_views


def database_for(app: SecondClassroomApplication) -> ViewDatabase:
    """The views live beside the events: the same SQLite file, or the same PostgreSQL schema,
    reached with the store's own connection settings."""
    env = app.env
    module = env.get("PERSISTENCE_MODULE", "")
    if module == "eventsourcing.sqlite":
        return SQLiteViews(env["SQLITE_DBNAME"])
    if module == "eventsourcing.postgres":
        from second_classroom.persistence.postgres import connection_settings

        settings = connection_settings(app.factory)
        if settings is None:
            raise ValueError("a PostgreSQL application without a PostgreSQL datastore")
        return PostgresViews(
            kwargs=settings.kwargs, schema=settings.schema, max_size=settings.max_size
        )
    return SQLiteViews(f"file:views_{uuid.uuid4().hex}?mode=memory&cache=shared")


class ViewSet:
    """Caught-up views and the typed queries over them."""

    def __init__(self, app: SecondClassroomApplication) -> None:
        self.database = database_for(app)
        self.runner = ProjectionRunner(app, self.database, standard_views())

    def catch_up(self) -> int:
        return self.runner.catch_up()

    def query(self, statement: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        """Any SQL over the view tables, after catching up (read your own writes).

        ``?`` marks each parameter, on SQLite and PostgreSQL alike; a ``?`` or ``%`` inside a
        string literal is text.
        """
        self.catch_up()
        return self.database.query(statement, params)

    def failures(self) -> list[ViewFailure]:
        """Events left out of a view because it or the database refused them (see runner)."""
        return self.runner.failures()

    def student_summary(self, student_number: str) -> queries.StudentSummaryRow | None:
        self.catch_up()
        return queries.student_summary(self.database, student_number)

    def activity_board(self, activity_id: str | None = None) -> list[queries.BoardRow]:
        self.catch_up()
        return queries.activity_board(self.database, activity_id)

    def leaderboard(
        self, by: str = "college", module: str | None = None, limit: int = 10
    ) -> list[queries.LeaderboardRow]:
        self.catch_up()
        return queries.leaderboard(self.database, by, module, limit)

    def monthly_report(self, month: str) -> list[reports.MonthlyRow]:
        """学院月报 (seed 002) for ``month`` ("2026-12")."""
        self.catch_up()
        return reports.monthly_report(self.database, month)

    def organizer_workload(self) -> list[tuple[str, int, int]]:
        """(person, activities led, participants served), busiest first."""
        self.catch_up()
        rows = self.database.query(
            "SELECT person, activities, participants FROM organizer_workload"
            " ORDER BY activities DESC, participants DESC, person"
        )
        return [(str(p), int(a), int(n)) for p, a, n in rows]

    def close(self) -> None:
        self.database.close()
