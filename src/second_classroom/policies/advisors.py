"""Who may be named a 指导老师 (advisor): a member of staff, by their 工号.

The seeds name teachers as advisors: 001 第三条 (学生组织指导老师、学生社团指导老师 approve a
补录), 002 二 3) (第二课堂活动指导老师工作量表 counts an activity's 指导老师) and 003 (科研成果 are
first judged by the student's 指导教师). The library keeps no staff register, and looking the
id up among student records would tell whoever names it whether a 学号 is registered (an
oracle); so the rule reads only the id: it must match the school's 工号 pattern
(``[limits] staff_id_pattern``; empty: any id passes it), and a student never advises their
own claim.
"""

from __future__ import annotations

import re

from second_classroom.core.errors import Category, ErrorCode
from second_classroom.policies.rulebook import Rulebook

ADVISOR_NOT_STAFF = ErrorCode(
    "advisor.not_staff",
    "{person} 不是教职工工号，不能担任指导老师",
    "{person} is not a staff id (工号) and cannot be named 指导老师",
    Category.INVALID,
)


def may_advise(rulebook: Rulebook, person: str, student: str | None = None) -> bool:
    """Whether ``person`` may be named 指导老师 — of ``student``'s own claim, if given."""
    if student is not None and person == student:
        return False
    pattern = rulebook.limits.staff_id_pattern
    return not pattern or re.fullmatch(pattern, person) is not None
