"""The main job: ``second-classroom demo`` plays the seed's publishing scenario end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from second_classroom.aggregates.activity import ActivityStatus
from second_classroom.core import ids
from second_classroom.demo import run_demo
from second_classroom.persistence.stores import sqlite_env
from second_classroom.policies.rulebook import preset
from second_classroom.service import SecondClassroom
from tests.specification import SCHOOL_ADMIN


def test_demo_reaches_approval_on_an_sqlite_file(tmp_path: Path) -> None:
    lines: list[str] = []
    service = run_demo(tmp_path / "demo.sqlite3", lines.append)
    activity = service.activity(
        ids.activity_id(ids.tribe_id("PE-SU"), "2026-cet-talk"), SCHOOL_ADMIN
    )
    service.close()
    text = "\n".join(lines)
    assert activity is not None
    assert activity.status is ActivityStatus.APPROVED
    assert "activity.publisher_not_qualified" in text
    assert "activity.advertising" in text
    assert "ActivityRejected → 状态：草稿" in text
    for phase in ("规划中", "报名中", "报名结束", "进行中", "已结束"):
        assert phase in text
    # the enrolment issue's part (第十二–十四条)
    assert "enrolment.already_registered" in text
    assert "钱静的“我的活动”：石油工程学院“四六级宣讲会”活动（已录取）" in text
    assert "verify_draw 复核：通过" in text
    assert "再次触发抽签：0 次" in text
    assert "activity.admission_over_capacity" in text
    assert "enrolment.cancel_closed" in text
    assert "请假申请已批准" in text
    # the check-in issue's part (第十五、十六条)
    assert "checkin.validity_too_long" in text
    assert "checkin.token_replayed" in text
    assert "checkin.token_expired" in text
    assert "checkin.too_far" in text
    assert "孙浩：未签到" in text
    assert "周敏：已参加" in text  # made up by the organizer
    assert "孙浩 诚信分 0%，黑名单至 12-08 17:00" in text
    assert "enrolment.blacklisted" in text
    assert "孙浩 诚信分 100%，黑名单：已解除" in text
    assert "████" in text  # the QR code, drawn in the terminal
    # the results and transcripts issue's part (第十八–二十条, 第四条)
    assert "results.award_over_quota" in text
    assert "results.not_attended" in text
    assert "activity.frozen" in text
    assert "钱静 学分账户：技能特长 0.7学分" in text  # 0.5 credit + 0.2 for the award
    assert "按编号查证：有效" in text
    assert "电子证书查证：有效" in text
    assert "PDF 离线查证（附带的签名文件）：有效" in text
    assert "篡改学分后的证书：内容被篡改" in text
    assert "编号输错一位：编号无效（校验位不符）" in text
    assert (tmp_path / "second_classroom_demo_transcript.pdf").read_bytes().startswith(b"%PDF")
    # issue 13: 补录, a collective claim with its 附件4 list (001) and a research claim (003)
    assert "claim.situation_required" in text  # 001 第二条（二）: 情况说明
    assert "ClaimStepApproved、ClaimApproved → 补录状态：待导入名单" in text
    assert "第 8 行 B 列（姓名）[backfill.name_mismatch]" in text
    assert "导入有错误的名单：✗ [backfill.file_has_errors]（全部未导入）" in text
    assert "更正后导入：✓ ClaimListImported、ClaimConfirmed、BackfillRecorded" in text
    assert "同一名单再导入一次：0 条新事件（幂等）" in text
    assert "王芳 学分：校园环境清洁志愿活动（补录）志愿公益 0.5学分" in text
    assert "claim.publicity_open" in text
    assert "claim.objection_open" in text
    assert "ClaimStepApproved、ClaimConfirmed → 补录状态：已认定" in text
    assert "[创新创业] 2026-12-16 论文《油田数据治理初探》发表（补录）2学分" in text
    assert "石油工程学院学生会：学分发放 技能特长 0.7 学分；补录学分 志愿公益 1.5 学分" in text
    assert "（个人补录）：学分发放 —；补录学分 创新创业 2" in text


def test_demo_command_runs_as_a_module(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "second_classroom", "demo", "--db", "x.sqlite3"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "校团委终审通过" in result.stdout
    assert (tmp_path / "x.sqlite3").stat().st_size > 0


def test_the_demo_plays_hfut_with_its_own_windows(tmp_path: Path) -> None:
    """Another school (issue 14 §1): HFUT names no publishing exam, and its 补签 window
    (002 一 2) 5个工作日内及时补录) holds the awards until attendance is settled."""
    lines: list[str] = []
    service = run_demo(tmp_path / "demo.sqlite3", lines.append, preset("hfut"))
    talk = ids.activity_id(ids.tribe_id("JS-SU"), "2026-cet-talk")
    activity = service.activity(talk, SCHOOL_ADMIN)
    service.close()
    text = "\n".join(lines)
    assert activity is not None
    assert activity.form.title == "计算机与信息学院“四六级宣讲会”活动"
    assert activity.form.plan.credits[0].credit_type == "积分"
    assert "activity.publisher_not_qualified" not in text
    assert "require_publisher_exam = false" in text
    assert "本校补签期至 12-11 00:00" in text
    assert "按编号查证：有效" in text
    # 002 一 3): a cadre round, an over-cap rating refused, the closing writes the records
    assert "[cadre.over_cap] 「优秀」最多 1 人（本轮 4 名干部的 30%），已评 1 人" in text
    assert "[cadre.round_closed]" in text
    assert "王芳 工作履历：计算机与信息学院学生会 部长 优秀（2 积分）" in text
    # 002 一 4): a three-day practice team records 3 × 8 = 24 学时, not the 58 clock hours
    assert "王芳：计算机与信息学院“三下乡”实践团 24.00 学时" in text
    # 002 二 8): the organization's 电子聘书, refused to the appointee, verified twice
    assert "王芳 自行生成电子聘书\n    ✗ 拒绝 [auth.forbidden]" in text
    assert "查证按编号：有效 · 电子聘书：兹聘任王芳同学为计算机与信息学院学生会部长" in text
    assert "查证按 PDF（离线，附签名文件）：有效 · 电子聘书" in text
    # 002 二 6): custom registration fields, answers checked against them, shown on the roster
    assert "报名需填写：志愿者服装尺码（单选，必填）；可服务时段（多选，必填）" in text
    assert "[enrolment.answer_missing] 请回答报名信息「紧急联系人及电话」（必填）" in text
    assert "[enrolment.answer_not_offered] 报名信息「志愿者服装尺码」没有选项「XXL」" in text
    assert "[enrolment.answer_out_of_range]" in text
    assert (
        "钱静：志愿者服装尺码 S；可服务时段 晚上；紧急联系人及电话 钱母 138****0002；"
        "身高（厘米） 162；饮食禁忌 不吃辣"
    ) in text
    assert "钱静 查看名单：✗ [auth.forbidden]" in text
    games = ids.activity_id(ids.tribe_id("JS-SU"), "2026-games-volunteers")
    reopened = SecondClassroom.open(sqlite_env(tmp_path / "demo.sqlite3"), preset("hfut"))
    rows = reopened.roster(games, SCHOOL_ADMIN).rows
    reopened.close()
    assert [len(row.answers) for row in rows] == [4, 5]  # stored, read back from the file
