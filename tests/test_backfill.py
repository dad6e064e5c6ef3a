"""The 补录 list template, seed 001 附件4 (成长记录补充模板): written as the seed lays it out from
the school's rulebook; a filled one checked row by row (row, column, code, Chinese message),
storing nothing; hostile files refused before they are expanded."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from second_classroom import backfill, cli
from second_classroom.aggregates.claim import ReviewClaim
from second_classroom.aggregates.student import RegisterStudent, StudentRecord
from second_classroom.aggregates.tribe import AppointTribeRole, CreateTribe, TribeRole
from second_classroom.core.actor import Actor
from second_classroom.core.errors import DomainError
from second_classroom.core.terms import ActivityLevel, TribeKind, TribeLevel
from second_classroom.persistence.stores import postgres_env
from second_classroom.policies.claim_rules import ClaimKind
from second_classroom.policies.rulebook import Rulebook, Subcategory
from second_classroom.service import SecondClassroom
from tests.backfill_workbooks import filled, template
from tests.claim_world import (
    ADVISOR,
    CENTER,
    LEADER,
    RECORDS,
    SICHUAN,
    SICHUAN_LIST,
    STUDENTS,
    collective,
)
from tests.specification import NEPU, SCHOOL_ADMIN, at
from tests.stores import TEST_SECRET, sqlite_memory_env

# 2023010002 is 学生02 in the claim world; NEPU modules are named 志愿公益, 文体活动, ….
GOOD = ("2023010002", "学生02", "2026/3/6", "2026/3/6", "校园清洁志愿活动", "志愿公益", "志愿公益",
        "院系级", "", "学分", 0.5)  # fmt: skip


def lookup(number: str) -> StudentRecord | None:
    return RECORDS.get(number)


def errors_of(data: bytes) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in backfill.check(data, SICHUAN, lookup).errors]


def test_the_template_is_laid_out_as_the_seed() -> None:
    """001 附件4: title, the 11 columns, three example rows, the notes; data from row 7."""
    book = openpyxl.load_workbook(io.BytesIO(template()))
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "成长记录补充模板"
    assert tuple(c.value for c in sheet[2]) == backfill.COLUMNS
    examples = [tuple(c.value for c in sheet[row]) for row in (3, 4, 5)]
    assert examples == [tuple(e) for e in backfill.EXAMPLES]
    notes = sheet["A6"].value
    assert "请从第 7 行开始添加数据" in notes
    assert "多个奖项请用“、”隔开" in notes
    assert sheet.max_row == 6


def test_the_template_offers_the_schools_categories_levels_and_credit_types() -> None:
    """附件4 注7: 活动一级分类、活动二级分类、学分类型必须和管理端学校活动类型设置与学分设置的
    内容匹配."""
    book = openpyxl.load_workbook(io.BytesIO(template()))
    sheet, lists = book.worksheets
    assert lists.sheet_state == "hidden"
    columns = {
        str(v.sqref).split(":")[0][0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert set(columns) == {"F", "G", "H", "J"}
    values = {
        tuple(cell.value for cell in column if cell.value is not None)
        for column in lists.iter_cols()
    }
    assert tuple(m.name for m in SICHUAN.modules) in values
    assert SICHUAN.level_names() in values  # 活动等级: the school's activity levels
    assert SICHUAN.credit_types in values


def test_the_levels_are_the_schools() -> None:
    """附件4 活动等级 are the school's ``activity_levels`` by label (issue 13 item 6), in the
    drop-down list and in the check; a level the school does not use is refused."""
    rulebook = attrs.evolve(
        SICHUAN, activity_levels=(ActivityLevel.NATIONAL, *NEPU.activity_levels)
    )
    lists = openpyxl.load_workbook(io.BytesIO(template(rulebook))).worksheets[1]
    names = ("国家级", "校级", "院系级", "班团")
    assert names in {tuple(c.value for c in col if c.value) for col in lists.iter_cols()}
    rows = (bad(c7="国家级"), bad(c0="2023010003", c1="学生03", c7="市级"))
    checked = backfill.check(filled(*rows, rulebook=rulebook), rulebook, lookup)
    assert [r.level for r in checked.rows] == [ActivityLevel.NATIONAL]
    assert [(e.row, e.code, e.message) for e in checked.errors] == [
        (8, "backfill.level_unknown", "活动等级「市级」无效，可选：国家级、校级、院系级、班团")
    ]


def _with_subcategories(*names: str) -> Rulebook:
    categories = tuple(Subcategory(f"v{i}", name) for i, name in enumerate(names))
    modules = tuple(
        attrs.evolve(m, categories=categories) if m.code == "volunteering" else m
        for m in SICHUAN.modules
    )
    return attrs.evolve(SICHUAN, modules=modules)


def test_second_level_categories_are_the_modules() -> None:
    """附件4 注7: 活动二级分类 must match the school's settings — a module's second level
    (issue 13 item 6); a module without one is its own second level, as before."""
    rulebook = _with_subcategories("校园志愿服务", "社区志愿服务")
    lists = openpyxl.load_workbook(io.BytesIO(template(rulebook))).worksheets[1]
    second = next(tuple(c.value for c in col if c.value) for col in lists.iter_cols(min_col=2))
    # NEPU's own categories (发布规范 六), then a module without any as its own second level
    assert second[:3] == ("理想信念主题教育", "创新创业活动及讲座", "文体活动")
    assert {"校园志愿服务", "社区志愿服务"} <= set(second)
    assert "志愿公益" not in second
    rows = (
        bad(c6="校园志愿服务"),
        bad(c0="2023010003", c1="学生03", c6="志愿公益"),
        bad(c0="2023010004", c1="学生04", c5="文体活动", c6="文体活动"),
    )
    checked = backfill.check(filled(*rows, rulebook=rulebook), rulebook, lookup)
    assert [(r.row, r.subcategory) for r in checked.rows] == [(7, "校园志愿服务"), (9, "文体活动")]
    assert [(e.row, e.column, e.code, e.message) for e in checked.errors] == [
        (8, "G", "backfill.subcategory_unknown",
         "活动二级分类「志愿公益」不属于「志愿公益」，可选：校园志愿服务、社区志愿服务"),
    ]  # fmt: skip


def test_second_level_categories_are_distinct_names() -> None:
    for names in (("校园志愿服务", "校园志愿服务"), ("",), (" 校园",)):
        with pytest.raises(DomainError) as caught:
            _with_subcategories(*names)
        assert "module volunteering: category names must be distinct" in caught.value.message_en


def test_a_valid_file_is_read_exactly() -> None:
    """附件4 注2 (结束时间可以不填写), 注3 (多个奖项用「、」隔开), 注6 (发放学分值可以为空)."""
    point = ("2023010003", "学生03", "2026/3/1", None, "获奖", "文体活动", "文体活动", "校级",
             "一等奖、最佳台风奖", "学分", None)  # fmt: skip
    checked = backfill.check(filled(GOOD, point), SICHUAN, lookup)
    assert checked.ok
    first, second = checked.rows
    assert (first.row, first.student_number, first.starts_on, first.amount) == (
        7,
        "2023010002",
        date(2026, 3, 6),
        Decimal("0.5"),
    )
    assert (second.ends_on, second.awards, second.amount) == (None, ("一等奖", "最佳台风奖"), None)


def bad(**changes: Any) -> tuple[Any, ...]:
    row = list(GOOD)
    for index, value in changes.items():
        row[int(index.removeprefix("c"))] = value
    return tuple(row)


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (bad(c0="2023019999"), "A", "backfill.student_unknown"),
        (bad(c0=None), "A", "backfill.field_empty"),
        (bad(c1="学生99"), "B", "backfill.name_mismatch"),
        (bad(c2="三月六日"), "C", "backfill.date_invalid"),
        (bad(c2=None), "C", "backfill.field_empty"),
        (bad(c3="2026/2/30"), "D", "backfill.date_invalid"),
        (bad(c3="2026/3/5"), "D", "backfill.dates_reversed"),
        (bad(c4=" "), "E", "backfill.field_empty"),
        (bad(c5="占星"), "F", "backfill.category_unknown"),
        (bad(c6="占星"), "G", "backfill.category_unknown"),
        (bad(c7="宇宙级"), "H", "backfill.level_unknown"),
        (bad(c9="金币"), "J", "backfill.credit_type_unknown"),
        (bad(c10="五分"), "K", "backfill.amount_invalid"),
        (bad(c10=-1), "K", "backfill.amount_invalid"),
        (bad(c10="NaN"), "K", "backfill.amount_invalid"),
        (bad(c10="=1+1"), "K", "backfill.formula"),
        (bad(c1='=HYPERLINK("http://x")'), "B", "backfill.formula"),
    ],
)
def test_each_bad_row_is_reported_with_its_row_and_column(
    row: tuple[Any, ...], column: str, code: str
) -> None:
    """附件4 注7 and the issue's list: unknown 学号, name, dates, category, level, credit type,
    amount, formulas (never evaluated, never read for a cached value)."""
    assert errors_of(filled(GOOD, row)) == [(8, column, code)]


def test_a_duplicate_row_names_the_first() -> None:
    checked = backfill.check(filled(GOOD, GOOD), SICHUAN, lookup)
    (error,) = checked.errors
    assert (error.row, error.code, error.message) == (8, "backfill.duplicate_row", "与第 7 行重复")
    assert len(checked.rows) == 1


def test_the_examples_and_empty_rows_are_not_data() -> None:
    assert backfill.check(template(), SICHUAN, lookup).rows == ()
    assert backfill.check(filled((None,) * 11, GOOD), SICHUAN, lookup).rows[0].row == 8


def limited(**limits: int) -> Rulebook:
    claims: Any = attrs.evolve(SICHUAN.claims, **limits)  # type: ignore[arg-type]
    return attrs.evolve(SICHUAN, claims=claims)


def refused(data: bytes, rulebook: Rulebook = SICHUAN) -> DomainError:
    with pytest.raises(DomainError) as caught:
        backfill.check(data, rulebook, lookup)
    return caught.value


def test_hostile_files_are_refused_before_they_are_read() -> None:
    """The issue's hostile files: size cap, expanded size (zip bomb), row cap, not xlsx."""
    data = filled(GOOD, bad(c0="2023010003", c1="学生03"))
    assert (
        refused(data, limited(template_max_bytes=len(data) - 1)).code == "backfill.file_too_large"
    )
    assert refused(data, limited(template_max_unzipped_bytes=1000)).code == "backfill.zip_bomb"
    assert refused(data, limited(template_max_rows=1)).code == "backfill.too_many_rows"
    assert refused("学号,姓名\n2023010002,学生02\n".encode()).code == "backfill.not_xlsx"
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert refused(xls).details == {"reason": "xls"}
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as package:
        package.writestr("hello.txt", "not a workbook")
    assert refused(other_zip.getvalue()).code == "backfill.not_xlsx"
    broken = data[: len(data) // 2]
    assert refused(broken).code == "backfill.not_xlsx"


def test_a_path_that_cannot_be_read_is_refused_with_a_code(tmp_path: Path) -> None:
    """The check is an entry point like ``execute``: a bad path is a DomainError, no OSError."""
    for path in (tmp_path / "missing.xlsx", tmp_path, tmp_path / "a\x00b.xlsx"):
        with pytest.raises(DomainError) as caught:
            backfill.check(path, SICHUAN, lookup)
        assert caught.value.code == "backfill.unreadable", path


def test_a_file_above_the_cap_is_refused_from_its_size_alone(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(filled(GOOD))
    rulebook = limited(template_max_bytes=path.stat().st_size - 1)
    with pytest.raises(DomainError) as caught:
        backfill.check(path, rulebook, lookup)
    assert caught.value.code == "backfill.file_too_large"


def test_a_sheet_that_breaks_after_its_header_is_refused_with_a_code() -> None:
    """openpyxl reads a read-only sheet lazily: XML that breaks mid-rows fails while the rows
    are read, after the file looked fine; still a ``backfill.not_xlsx``, nothing else."""
    valid = filled(GOOD, bad(c0="2023010003", c1="学生03"))
    broken = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(valid)) as source,
        zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                cut = content.index(b'<row r="8"')
                content = content[:cut] + b'<row r="8"><c r="A8" t="inlineStr"><is><t>'
            target.writestr(entry, content)
    assert refused(broken.getvalue()).code == "backfill.not_xlsx"


_VALID_FILE = filled(GOOD, bad(c0="2023010003", c1="学生03"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_corrupted_file_is_checked_or_refused_with_a_code_never_an_exception(
    data: st.DataObject,
) -> None:
    """Bytes flipped anywhere in a valid file (a damaged download): rows or a backfill code."""
    damaged = bytearray(_VALID_FILE)
    for _ in range(data.draw(st.integers(1, 8))):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    answer: object
    try:
        answer = backfill.check(bytes(damaged), SICHUAN, lookup)
    except DomainError as error:
        answer = error.code
    assert isinstance(answer, backfill.TemplateCheck) or str(answer).startswith("backfill.")


def test_content_is_held_to_the_title_limits_row_by_row() -> None:
    """内容 becomes the record's title: too long or with a control character, it is a row error
    found by the check, not a refusal of the whole import later."""
    long = "长" * (SICHUAN.limits.titles + 1)
    assert errors_of(
        filled(bad(c4=long), bad(c0="2023010003", c1="学生03", c4="第一行\n第二行"))
    ) == [
        (7, "E", "text.too_long"),
        (8, "E", "text.control_character"),
    ]


def test_a_real_zip_bomb_is_refused_from_its_directory_alone() -> None:
    """A package whose sheet expands to 50 MB of zeros: refused without expanding it."""
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("xl/worksheets/sheet1.xml", bytes(50_000_000))
    assert len(bomb.getvalue()) < 100_000
    error = refused(bomb.getvalue(), limited(template_max_unzipped_bytes=10_000_000))
    assert error.code == "backfill.zip_bomb"


def test_a_file_that_is_not_the_template() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["名单"])
    sheet.append(["学号", "姓名", "学分"])
    out = io.BytesIO()
    book.save(out)
    assert refused(out.getvalue()).code == "backfill.not_template"


CELL = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.integers(-5, 5),
    st.sampled_from(["2023010002", "学生02", "志愿公益", "院系级", "学分", "2026/3/6", "=1"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=11, max_size=11).map(tuple), max_size=6))
def test_a_fuzzed_file_gives_a_row_or_its_errors_for_every_data_row(
    rows: list[tuple[Any, ...]],
) -> None:
    """Random cells: every non-empty data row is valid or has errors, never an exception."""
    cleaned = [tuple(_cell(v) for v in row) for row in rows]
    checked = backfill.check(filled(*cleaned), SICHUAN, lookup)
    numbers = {r.row for r in checked.rows} | {e.row for e in checked.errors}
    expected = {
        backfill.FIRST_DATA_ROW + i
        for i, row in enumerate(cleaned)
        if any(v is not None and str(v).strip() for v in row)
    }
    assert numbers == expected
    assert not {r.row for r in checked.rows} & {e.row for e in checked.errors}


def _cell(value: Any) -> Any:
    """What a spreadsheet cell can hold: no control characters."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch.isprintable()) or None
    return value


def test_the_command_line_writes_the_template_and_checks_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`second-classroom backfill template OUT.xlsx` and `backfill check FILE.xlsx --db DB`:
    every row error printed with its row, column, code and Chinese message; nothing stored."""
    out = tmp_path / "模板.xlsx"
    assert cli.main(["backfill", "template", str(out)]) == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert tuple(c.value for c in sheet[2]) == backfill.COLUMNS
    db = tmp_path / "school.sqlite3"
    with SecondClassroom.sqlite(db) as service:
        register = RegisterStudent("2023010002", "学生02", "PE", "石工23-1班", 2023)
        service.execute(register, SCHOOL_ADMIN, at(3, 1))
        before = service.app.recorder.max_notification_id()
    data = tmp_path / "名单.xlsx"
    data.write_bytes(filled(GOOD, bad(c0="2023019999")))
    capsys.readouterr()
    assert cli.main(["backfill", "check", str(data), "--db", str(db)]) == 1
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "第 8 行 A 列（学号）[backfill.student_unknown] 学号 2023019999 未注册",
        "1 行无误，1 处错误",
    ]
    with SecondClassroom.sqlite(db) as service:
        assert service.app.recorder.max_notification_id() == before
    data.write_bytes(filled(GOOD))
    assert cli.main(["backfill", "check", str(data), "--db", str(db)]) == 0
    assert cli.main(["backfill", "check", str(data)]) == 2  # no --db: nothing to check against


# -- 名单导入 (001 第三条): the list of an approved collective claim ----------------------------


def listing_world(service: SecondClassroom) -> UUID:
    """The claim world's union files a collective claim for three students; the advisor and
    the centre approve it, so it waits for its list."""
    now = at(3, 1)
    for number in (*STUDENTS, LEADER.person_id):
        register = RegisterStudent(number, f"学生{number[-2:]}", "PE", "石工23-1班", 2023)
        service.execute(register, CENTER, now)
    create = CreateTribe("PE-SU", "石油工程学院团总支学生会", TribeKind.STUDENT_UNION,
                         TribeLevel.COLLEGE, "PE")  # fmt: skip
    service.execute(create, CENTER, now)
    service.execute(
        AppointTribeRole(create.tribe_id, LEADER.person_id, TribeRole.LEADER), CENTER, now
    )
    filing = collective(participants=STUDENTS)
    service.execute(filing, LEADER, at(3, 10))
    service.execute(ReviewClaim(filing.claim_id, True), ADVISOR, at(3, 11))
    service.execute(ReviewClaim(filing.claim_id, True), CENTER, at(3, 12))
    return filing.claim_id


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def listing(request: pytest.FixtureRequest) -> Any:
    if request.param == "sqlite":
        env = sqlite_memory_env()
    else:
        schema = request.getfixturevalue("postgres_schema")
        env = postgres_env(request.getfixturevalue("postgres_dsn"), schema=schema)
    with SecondClassroom.open(env, SICHUAN_LIST, secret=TEST_SECRET) as service:
        yield service, listing_world(service)


SECOND = bad(c0="2023010003", c1="学生03", c10="0.25")


def stored(service: SecondClassroom) -> int:
    return service.app.recorder.max_notification_id() or 0


def test_a_valid_list_imports_exactly_once(listing: tuple[SecondClassroom, UUID]) -> None:
    """001 第三条: 审核通过后……通过名单导入的方式，对相关人员进行积分补录 — all rows in one save;
    the same file again stores nothing new."""
    service, claim_id = listing
    data = filled(GOOD, SECOND, bad(c0="2023010003", c1="学生03", c4="颁奖", c8="一等奖", c10=None))
    before = stored(service)
    outcome = backfill.import_list(service, data, claim_id, CENTER, at(3, 13))
    assert len(outcome.events) == 2 + 2  # the list and the confirmation, two records
    assert stored(service) == before + 4
    first, second = (
        service.student("2023010002", Actor.system()),
        service.student("2023010003", Actor.system()),
    )
    assert first is not None
    assert second is not None
    assert first.credits() == {("volunteering", "学分"): Decimal("0.5")}
    assert second.credits() == {("volunteering", "学分"): Decimal("0.25")}
    (line,) = second.credit_lines()
    assert (line.source, line.source_id) == ("backfill", claim_id)
    assert backfill.import_list(service, data, claim_id, CENTER, at(3, 14)).events == ()
    assert stored(service) == before + 4


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ((GOOD, bad(c0="2023010003", c1="学生99")), "backfill.file_has_errors"),
        ((GOOD, bad(c0="2023010001", c1="学生01")), "claim.not_a_participant"),
        ((bad(c10=0.75),), "claim.credit_not_claimed"),
    ],
)
def test_a_list_with_any_bad_row_stores_nothing(
    listing: tuple[SecondClassroom, UUID], rows: tuple[tuple[Any, ...], ...], code: str
) -> None:
    service, claim_id = listing
    before = stored(service)
    with pytest.raises(DomainError) as caught:
        backfill.import_list(service, filled(*rows), claim_id, CENTER, at(3, 13))
    assert caught.value.code == code
    assert stored(service) == before
    record = service.student("2023010002", Actor.system())
    assert record is not None
    assert record.credits() == {}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from((*STUDENTS, "2023010001", "2023019999")),
            st.sampled_from(("", "", "", "99")),  # "": the right name
            st.sampled_from(("0.5", "0.25", "0.75", "x", None)),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_a_fuzzed_list_is_imported_whole_or_not_at_all(
    rows: list[tuple[str, str, str | None]],
) -> None:
    """Random rows (unknown or unlisted students, wrong names, bad or excessive amounts):
    either every row is recorded or nothing is stored."""
    with SecondClassroom.open(sqlite_memory_env(), SICHUAN_LIST, secret=TEST_SECRET) as service:
        claim_id = listing_world(service)
        before = stored(service)
        data = filled(*(
            bad(c0=n, c1=f"学生{wrong or n[-2:]}", c4=f"第{i}项", c10=a)
            for i, (n, wrong, a) in enumerate(rows)
        ))  # fmt: skip
        try:
            backfill.import_list(service, data, claim_id, CENTER, at(3, 13))
        except DomainError:
            assert stored(service) == before
            return
        credited = {n for n, _name, a in rows if a is not None and Decimal(a) > 0}
        for number in STUDENTS:
            record = service.student(number, Actor.system())
            assert record is not None
            assert bool(record.backfills) == (number in {n for n, _x, _y in rows})
            assert bool(record.credits()) == (number in credited)


def test_the_command_line_imports_a_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`second-classroom backfill import FILE.xlsx --db DB --claim ID --as STAFF`."""
    db = tmp_path / "school.sqlite3"
    with SecondClassroom.sqlite(db, SICHUAN_LIST) as service:
        claim_id = listing_world(service)
    list_toml = tmp_path / "sichuan.toml"
    SICHUAN_LIST.save(list_toml)
    data = tmp_path / "名单.xlsx"
    data.write_bytes(filled(GOOD))
    args = ["backfill", "import", str(data), "--db", str(db), "--rulebook", str(list_toml)]
    assert cli.main([*args, "--claim", str(claim_id)]) == 2  # who imports must be named
    capsys.readouterr()
    assert cli.main([*args, "--claim", str(claim_id), "--as", "T-center"]) == 0
    assert capsys.readouterr().out == "imported: 1 student records\n"
    assert cli.main([*args, "--claim", str(claim_id), "--as", "T-center"]) == 0
    assert capsys.readouterr().out == "already imported\n"
    with SecondClassroom.sqlite(db, SICHUAN_LIST) as service:
        record = service.student("2023010002", Actor.system())
        assert record is not None
        assert record.credits() == {("volunteering", "学分"): Decimal("0.5")}


def test_the_command_line_imports_as_the_last_step_of_the_claim_s_own_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """001 第三条 二课中心…通过名单导入: given a collective claim approved under a chain whose
    last step is the centre's, when the school deploys a chain whose last step is 教务处's,
    then the command line imports the claim's list as the centre (its own chain's last step):
    the staff member is given that step's role, not the new chain's."""
    db = tmp_path / "school.sqlite3"
    with SecondClassroom.sqlite(db, SICHUAN_LIST) as service:
        claim_id = listing_world(service)
    centre = 'name = "第二课堂指导与服务中心"\nrole = "center"'
    assert centre in SICHUAN_LIST.to_toml()
    office = SICHUAN_LIST.to_toml().replace(centre, 'name = "教务处"\nrole = "academic_affairs"')
    redeployed = tmp_path / "redeployed.toml"
    redeployed.write_text(office, encoding="utf-8")
    chain = Rulebook.load(redeployed).claims.chain(ClaimKind.COLLECTIVE)
    assert chain is not None
    assert chain.steps[-1].name == "教务处"
    data = tmp_path / "名单.xlsx"
    data.write_bytes(filled(GOOD))
    args = ["backfill", "import", str(data), "--db", str(db), "--rulebook", str(redeployed)]
    assert cli.main([*args, "--claim", str(claim_id), "--as", "T-center", "--no-progress"]) == 0
    assert capsys.readouterr().out == "imported: 1 student records\n"


def test_the_command_line_import_warns_of_a_calendar_year_nobody_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given the facade's clock at 2 December 2026 (January 2027 is next, and no rulebook or
    chinesecalendar holds 2027), when the command line imports a list, then it warns on its
    log (stderr) that 2027's working days will be refused, and imports."""
    from second_classroom import service as service_module
    from tests.specification import at

    db = tmp_path / "school.sqlite3"
    with SecondClassroom.sqlite(db, SICHUAN_LIST) as service:
        claim_id = listing_world(service)
    list_toml = tmp_path / "sichuan.toml"
    SICHUAN_LIST.save(list_toml)
    data = tmp_path / "名单.xlsx"
    data.write_bytes(filled(GOOD))
    monkeypatch.setattr(service_module, "utc_now", lambda: at(12, 2, 10))
    args = ["backfill", "import", str(data), "--db", str(db), "--rulebook", str(list_toml)]
    assert cli.main([*args, "--claim", str(claim_id), "--as", "T-center", "--no-progress"]) == 0
    out, err = capsys.readouterr()
    assert out == "imported: 1 student records\n"
    [warning] = [line for line in err.splitlines() if "calendar.year_unknown" in line]
    assert "WARNING second_classroom.service: calendar: no official holiday schedule for 2027" in (
        warning
    )


def test_progress_is_reported_once_per_data_row() -> None:
    """For the command line's progress bar on large files."""
    seen: list[int] = []
    backfill.check(filled(GOOD, (None,) * 11, SECOND), SICHUAN, lookup, seen.append)
    assert seen == [1, 1]


def test_a_list_of_more_rows_than_a_command_s_items_imports_whole() -> None:
    """001 第三条 名单导入 of a large activity (the 5,000-row benchmark): a list's rows are
    bounded like a list of people (``limits.people``), not like a list of proofs
    (``limits.items``); one row more than the people bound is refused, storing nothing."""
    from second_classroom.aggregates.claim import ImportClaimList, ListedCredit

    count = SICHUAN_LIST.limits.items + 50
    numbers = tuple(f"2023{n:06d}" for n in range(100, 100 + count))
    with SecondClassroom.open(sqlite_memory_env(), SICHUAN_LIST, secret=TEST_SECRET) as service:
        with service.batch():
            for number in (*numbers, LEADER.person_id):
                register = RegisterStudent(number, f"学生{number[-3:]}", "PE", "石工23-1班", 2023)
                service.execute(register, CENTER, at(3, 1))
        create = CreateTribe("PE-SU", "石油工程学院团总支学生会", TribeKind.STUDENT_UNION,
                             TribeLevel.COLLEGE, "PE")  # fmt: skip
        service.execute(create, CENTER, at(3, 1))
        leader = AppointTribeRole(create.tribe_id, LEADER.person_id, TribeRole.LEADER)
        service.execute(leader, CENTER, at(3, 1))
        filing = collective(participants=numbers)
        service.execute(filing, LEADER, at(3, 10))
        service.execute(ReviewClaim(filing.claim_id, True), ADVISOR, at(3, 11))
        service.execute(ReviewClaim(filing.claim_id, True), CENTER, at(3, 12))
        credit = filing.credits[0]
        rows = tuple(ListedCredit(n, "校园环境清洁志愿活动", credit) for n in numbers)
        too_many = (rows[0],) * (SICHUAN_LIST.limits.people + 1)
        before = stored(service)
        with pytest.raises(DomainError) as caught:
            service.execute(ImportClaimList(filing.claim_id, "d0", too_many), CENTER, at(3, 13))
        assert caught.value.code == "value.too_many"
        assert stored(service) == before
        outcome = service.execute(ImportClaimList(filing.claim_id, "d1", rows), CENTER, at(3, 13))
        assert len(outcome.events) == 2 + count
        record = service.student(numbers[-1], Actor.system())
        assert record is not None
        assert record.credits() == {(credit.module, credit.credit_type): credit.amount}
