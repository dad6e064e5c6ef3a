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
    if module == "eventsourcing.sqlite" and "mode=memory" not in env["SQLITE_DBNAME"]:
        return SQLiteViews(env["SQLITE_DBNAME"])
    if module == "eventsourcing.postgres":
        from second_classroom.persistence.postgres import connection_settings

        settings = connection_settings(app.factory)
        if settings is None:
            raise ValueError("a PostgreSQL application without a PostgreSQL datastore")
        return PostgresViews(
            kwargs=settings.kwargs, schema=settings.schema, max_size=settings.max_size
        )
    # In memory: a database of their own. A shared in-memory cache answers "table is locked" at
    # once, without waiting, so views writing beside the events would fail the store's writers.
    return SQLiteViews(f"file:views_{uuid.uuid4().hex}?mode=memory&cache=shared")


class ViewSet:
    """Caught-up views and the typed queries over them.

    Operator-only: nothing here checks an actor, and ``query`` reads every row. A frontend
    uses the facade's reads (``SecondClassroom.activity_board`` …), which do.
    """

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

    def activity_board(
        self,
        activity_id: str | None = None,
        *,
        college: str | None = None,
        host_tribe: str | None = None,
        status: str | None = None,
        module: str | None = None,
        published_only: bool = False,
        limit: int = queries.DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> queries.Page[queries.BoardRow]:
        self.catch_up()
        return queries.activity_board(
            self.database,
            activity_id,
            college=college,
            host_tribe=host_tribe,
            status=status,
            module=module,
            published_only=published_only,
            limit=limit,
            cursor=cursor,
        )

    def leaderboard(
        self,
        by: str = "college",
        module: str | None = None,
        limit: int = 10,
        *,
        college: str | None = None,
        cursor: str | None = None,
        credit_type: str | None = None,
    ) -> queries.Page[queries.LeaderboardRow]:
        self.catch_up()
        return queries.leaderboard(
            self.database,
            by,
            module,
            limit,
            college=college,
            cursor=cursor,
            credit_type=credit_type,
        )

    def audit_log(
        self,
        *,
        stream: str | None = None,
        actor: str | None = None,
        event: str | None = None,
        limit: int = queries.DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> queries.Page[queries.AuditRow]:
        self.catch_up()
        return queries.audit_log(
            self.database, stream=stream, actor=actor, event=event, limit=limit, cursor=cursor
        )

    def roster(
        self,
        activity_id: str,
        *,
        status: str | None = None,
        limit: int = queries.DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> queries.Page[queries.RosterRow]:
        self.catch_up()
        return queries.roster(self.database, activity_id, status=status, limit=limit, cursor=cursor)

    def monthly_report(
        self,
        month: str,
        *,
        college: str | None = None,
        limit: int = queries.DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> queries.Page[reports.MonthlyRow]:
        """学院月报 (seed 002) for ``month`` ("2026-12"), optionally of one college."""
        queries.check_limit(limit)
        self.catch_up()
        after = None
        if cursor is not None:
            college_key, tribe_key = queries.decode_cursor("monthly", cursor, (str, str))
            after = (str(college_key), str(tribe_key))
        rows = reports.monthly_report(self.database, month, college, after, limit + 1)
        return queries.paged(rows, limit, "monthly", lambda r: (r.college, r.tribe), lambda r: r)

    def organizer_workload(
        self, *, limit: int = queries.DEFAULT_LIMIT, cursor: str | None = None
    ) -> queries.Page[queries.WorkloadRow]:
        """(person, activities led, participants served), busiest first."""
        self.catch_up()
        return queries.organizer_workload(self.database, limit=limit, cursor=cursor)

    def advisor_workload(
        self,
        *,
        advisor: str | None = None,
        college: str | None = None,
        limit: int = queries.DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> queries.Page[queries.AdvisorRow]:
        """指导老师工作量 (002 二 3)): approved activities by advisor."""
        self.catch_up()
        return queries.advisor_workload(
            self.database, advisor=advisor, college=college, limit=limit, cursor=cursor
        )

    def close(self) -> None:
        self.database.close()
