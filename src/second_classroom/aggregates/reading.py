"""Who may read an aggregate's state, as pure functions of the loaded facts.

The facade loads the facts (the activity, its host tribe, the claim ...) and asks these; the
roles' own rules (a student reads their own record, a college admin their college's ...) are
``policies/visibility.py``. Tribe roles always come from the Tribe stream (``roles_in``),
never from what the caller claims.
"""

from __future__ import annotations

from uuid import UUID

from second_classroom.aggregates.activity import NOT_FOUND as ACTIVITY_NOT_FOUND
from second_classroom.aggregates.activity import Activity, is_activity_manager
from second_classroom.aggregates.activity_attendance import Session
from second_classroom.aggregates.checkin import SESSION_UNKNOWN
from second_classroom.aggregates.claim import Claim, chain_of, may_decide
from second_classroom.aggregates.practice import Practice
from second_classroom.aggregates.tribe import Tribe, roles_in, with_tribe_roles
from second_classroom.core.actor import Actor
from second_classroom.core.errors import UNAUTHORIZED, required
from second_classroom.policies import visibility
from second_classroom.policies.context import Context
from second_classroom.policies.rulebook import Rulebook


def may_read_activity(actor: Actor, found: Activity | None, host: Tribe | None) -> bool:
    """An activity with its roster, attendance and results: the host tribe's managers, the
    activity's organizers, its college's admin, operators (``host``: its host tribe)."""
    if found is None:
        return visibility.is_operator(actor)
    return visibility.may_read_activity(
        roles_in(actor, host),
        found.host_tribe_id,
        host.college if host is not None else None,
        found.form.organizers,
    )


def may_read_tribe(actor: Actor, tribe_id: UUID, found: Tribe | None) -> bool:
    """A tribe: its leaders, admins and organizers, its college's admin, operators."""
    college = found.college if found is not None else None
    return visibility.may_read_tribe(roles_in(actor, found), tribe_id, college)


def may_read_claim(
    actor: Actor, found: Claim | None, tribe: Tribe | None, rulebook: Rulebook
) -> bool:
    """A 补录 claim: a personal or cadre one its student's, their college admin's, operators';
    a collective one (``tribe``: the claiming tribe) that tribe's readers; any claim whoever
    holds a role of a step of its chain (the one it was filed under, ``chain_of``)."""
    if found is None:
        return visibility.is_operator(actor)
    if found.tribe_id is None:
        allowed = visibility.may_read_student(actor, found.claimant, found.college)
    else:
        allowed = may_read_tribe(actor, found.tribe_id, tribe)
    if not allowed:
        chain = chain_of(found, rulebook.claims)
        steps = chain.steps if chain is not None else ()
        allowed = any(may_decide(s, found, actor.institutional()) for s in steps)
    return allowed


def may_read_practice(actor: Actor, found: Practice | None, tribe: Tribe | None) -> bool:
    """A recorded practice team (002 一 4)): its recorder — the recording tribe's readers
    (``tribe``), else the college's admin — and operators; no team: operators only."""
    if found is None:
        return visibility.is_operator(actor)
    if found.tribe_id is not None:
        return may_read_tribe(actor, found.tribe_id, tribe)
    return visibility.may_read_college(actor, found.college)


def check_in_session(
    activity_id: UUID, found: Activity | None, host: Tribe | None, ctx: Context, session: int
) -> Session:
    """The session whose code the organizer's screen may show (第十五条): the activity's
    managers only (``auth.unauthorized``), of a session that was opened."""
    activity = required(found, ACTIVITY_NOT_FOUND, activity_id=str(activity_id))
    base = with_tribe_roles(ctx, host)
    if not is_activity_manager(base.actor, activity, host):
        raise UNAUTHORIZED.error(action="查看签到码 show check-in code")
    return required(activity.attendance.session(session), SESSION_UNKNOWN)
