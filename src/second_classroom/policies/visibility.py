"""Who may read what (deny by default): pure rules over the actor and the facts a read is about.

The facade loads the facts (a record's college, an activity's host tribe and that tribe's
college) and adds the tribe roles the Tribe stream records before asking; nothing here loads.

- A student reads their own record, integrity, enrolments, notices and transcripts.
- A host tribe's leaders, admins and organizers (and an activity's named organizers) read
  that activity: its roster, enrolments and draw.
- A college admin reads their college: its students, its tribes, its activities, its report.
- The 第二课堂指导与服务中心 (``center``, unscoped) reads every student's record: it reviews
  and imports 补录 for the whole school (001 第三、四、六条), so it checks any 学号 and name.
- A school admin, and the library's own system actor, read everything.
- Everyone who holds a role reads what is published anyway: the activity board (approved
  activities only), an activity's phase, the leaderboards by college and cohort.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import attrs

from second_classroom.core.actor import Actor, Role, RoleKind
from second_classroom.core.errors import UNAUTHORIZED, require

MANAGER_KINDS = (RoleKind.TRIBE_LEADER, RoleKind.TRIBE_ADMIN, RoleKind.TRIBE_ORGANIZER)


def is_operator(actor: Actor) -> bool:
    """A school admin or the system actor: may read everything."""
    return actor.is_school_admin or actor.is_system


def is_signed_in(actor: Actor) -> bool:
    """Holds some role: enough for what is published to everyone."""
    return bool(actor.roles)


def is_self(actor: Actor, student_number: str) -> bool:
    """The student themselves (a staff id equal to a 学号 is not enough)."""
    return actor.has(Role.student()) and actor.person_id == student_number


def may_read_college(actor: Actor, college: str | None) -> bool:
    """A college's data (its report rows, its students' rankings); ``None`` = every college."""
    if is_operator(actor):
        return True
    return college is not None and actor.is_college_admin(college)


def may_read_student(actor: Actor, student_number: str, college: str | None) -> bool:
    """A student's record, integrity, enrolments, notices and transcripts.

    ``college`` is the record's college, or ``None`` when there is no record (then only the
    student and operators may ask, so nobody learns whether a 学号 exists).
    """
    if college is not None and is_center(actor):
        return True  # the school-wide 补录 reviewer (001 第三条 名单导入) checks any record
    return is_self(actor, student_number) or may_read_college(actor, college)


def is_center(actor: Actor) -> bool:
    """The 第二课堂指导与服务中心 (二课中心), school-wide (001 第三条)."""
    return actor.has(Role(RoleKind.CENTER))


def may_read_tribe(actor: Actor, tribe: UUID, college: str | None) -> bool:
    """A tribe's state (members, applicants, role holders): its leaders, admins, organizers."""
    return actor.holds_tribe_role(tribe, *MANAGER_KINDS) or may_read_college(actor, college)


def may_read_activity(
    actor: Actor, host: UUID | None, college: str | None, organizers: Iterable[str] = ()
) -> bool:
    """An activity's roster, attendance, results and draw: the host tribe's managers, the
    activity's own organizers (发布规范 四), the host's college admin, operators."""
    if actor.person_id in set(organizers):
        return True
    if host is not None and actor.holds_tribe_role(host, *MANAGER_KINDS):
        return True
    return may_read_college(actor, college)


def require_read(allowed: bool, what: str) -> None:
    """Refuse with ``auth.forbidden`` unless ``allowed``; ``what`` is "中文 English"."""
    require(allowed, UNAUTHORIZED, action=f"查看 read {what}")


# -- replies ---------------------------------------------------------------------------------

# Fields that name people other than an event's subject. An event on a stream the actor may
# not read is shown only if it is about the actor alone: add a field here when an event
# gains one that names people, or replies may leak it. Only top-level fields are read (a
# form's organizers, say, are the drafter's own words, shown back to the drafter).
SUBJECT_FIELDS = ("student", "person_id", "student_number", "by")
OTHER_PEOPLE_FIELDS = (
    "promoted",
    "students",
    "registrants",
    "winners",
    "not_admitted",
    "notify",
    "members",
)


_PEOPLE_FIELDS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _people_fields(kind: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The subject fields and the other-people fields ``kind`` has (none if it is not an
    attrs class), in the order of ``SUBJECT_FIELDS`` and ``OTHER_PEOPLE_FIELDS``; worked out
    once per event class (a class's fields do not change)."""
    found = _PEOPLE_FIELDS.get(kind)
    if found is None:
        names = {f.name for f in attrs.fields(kind)} if attrs.has(kind) else set()
        found = _PEOPLE_FIELDS[kind] = (
            tuple(name for name in SUBJECT_FIELDS if name in names),
            tuple(name for name in OTHER_PEOPLE_FIELDS if name in names),
        )
    return found


def about_only(event: object, person: str) -> bool:
    """Whether ``event`` is about ``person`` and names nobody else (deny by default: an
    event without a subject field naming ``person`` is not theirs)."""
    subject_fields, other_fields = _people_fields(type(event))
    subjects = [getattr(event, name) for name in subject_fields]
    if not subjects or any(subject != person for subject in subjects):
        return False
    for name in other_fields:
        named = getattr(event, name)
        if named is None:
            continue
        people = {named} if isinstance(named, str) else set(named)
        if people - {person}:
            return False
    return True
