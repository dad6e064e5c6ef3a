"""The 补录 list template (seed 001 附件4 成长记录补充模板): written from a school's rulebook, and a
filled one checked row by row without storing anything.

The layout is the seed's: a title row, the 11-column header, the three example rows (they stay),
the notes, and data from row 7. A filled file is distrusted: its size, its expanded size (a zip
bomb is refused before anything is expanded) and its row count are capped by the rulebook's
``[claims]``, a non-xlsx file is refused, and a cell beginning with ``=`` is refused, never read
for a cached value.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar
from uuid import UUID

import attrs
import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from second_classroom.aggregates.claim import ImportClaimList, ListedCredit
from second_classroom.aggregates.student import StudentRecord
from second_classroom.core.actor import Actor
from second_classroom.core.errors import Category, DomainError, ErrorCode
from second_classroom.core.text import LevelCode, TextKind
from second_classroom.policies.activity_form import PlannedCredit
from second_classroom.policies.boundary import identifier
from second_classroom.policies.rulebook import Rulebook

TITLE = "成长记录补充模板"
COLUMNS = (
    "学号",
    "姓名",
    "开始时间",
    "结束时间",
    "内容",
    "活动一级分类",
    "活动二级分类",
    "活动等级",
    "奖项内容",
    "学分类型",
    "发放学分值",
)
EXAMPLES: tuple[tuple[Any, ...], ...] = (
    ("1000001", "学生 1", "2017/5/9", None, "参加学生会歌唱比赛奖励", "文体活动", "文体活动",
     "校级", None, "文体活动学分", 0.01),
    ("1000002", "学生 2", "2017/5/9", "2017/6/9", "奖励学生户外运动成绩", "工作履历", "工作履历",
     "院系级", "一等奖、二等奖", "工作成长积分", 2),
    ("1000003", "学生 3", "2017/5/9", "2017/6/9", "学生打扫卫生奖励", "志愿公益", "志愿公益",
     "院系级", None, "志愿者工时", 5),
)  # fmt: skip
NOTES = (
    "1、以上为示范数据，请勿删除，请从第 7 行开始添加数据；",
    "2、如果补充时间为时间点，结束时间可以不填写；",
    "3、奖项可以为空，多个奖项请用“、”隔开；",
    "4、学分类型，不是单指学分，而是为学校系统中设置的学分、积分、分、学时、小时、时等第二课堂学分类型；",
    "5、发放学分值，为这条记录该学生应该获得的学分、积分、分、学时、小时、时等数值；",
    "6、发放学分值可以为空，多个学分需要分多条记录导入；",
    "7、活动一级分类、活动二级分类、学分类型必须和管理端学校活动类型设置与学分设置的内容匹配；",
    "8、请保存文档格式为 xlsx 格式",
)
HEADER_ROW = 2
NOTES_ROW = 6
FIRST_DATA_ROW = 7
AWARD_SEPARATOR = "、"
_LISTS_SHEET = "设置"

FILE_TOO_LARGE = ErrorCode(
    "backfill.file_too_large",
    "文件大小 {size} 字节，超过上限 {limit} 字节",
    "The file has {size} bytes, above the limit of {limit}",
    Category.INVALID,
)
NOT_XLSX = ErrorCode(
    "backfill.not_xlsx",
    "不是 xlsx 文件（请用 Excel 另存为 xlsx 格式）：{reason}",
    "Not an xlsx file (save it as xlsx): {reason}",
    Category.INVALID,
)
ZIP_BOMB = ErrorCode(
    "backfill.zip_bomb",
    "文件解压后 {size} 字节，超过上限 {limit} 字节",
    "The file expands to {size} bytes, above the limit of {limit}",
    Category.INVALID,
)
TOO_MANY_ROWS = ErrorCode(
    "backfill.too_many_rows",
    "数据超过 {limit} 行，请分成多个文件",
    "More than {limit} data rows: split the file",
    Category.INVALID,
)
NOT_TEMPLATE = ErrorCode(
    "backfill.not_template",
    "第 2 行表头与成长记录补充模板不符：{found}",
    "Row 2 is not the template's header: {found}",
    Category.INVALID,
)
STUDENT_UNKNOWN = ErrorCode(
    "backfill.student_unknown",
    "学号 {value} 未注册",
    "Student number {value} is not registered",
    Category.NOT_FOUND,
)
NAME_MISMATCH = ErrorCode(
    "backfill.name_mismatch",
    "姓名「{value}」与学号登记的姓名「{expected}」不符",
    "Name {value} does not match the record's {expected}",
    Category.INVALID,
)
FIELD_EMPTY = ErrorCode(
    "backfill.field_empty", "{column} 不能为空", "{column} must not be empty", Category.INVALID
)
DATE_INVALID = ErrorCode(
    "backfill.date_invalid",
    "{column}「{value}」不是日期（如 2017/5/9）",
    "{column} {value} is not a date (e.g. 2017/5/9)",
    Category.INVALID,
)
DATES_REVERSED = ErrorCode(
    "backfill.dates_reversed",
    "结束时间早于开始时间",
    "The end date is before the start date",
    Category.INVALID,
)
CATEGORY_UNKNOWN = ErrorCode(
    "backfill.category_unknown",
    "{column}「{value}」不是本校设置的活动类型",
    "{column} {value} is not one of the school's activity types",
    Category.INVALID,
)
SUBCATEGORY_UNKNOWN = ErrorCode(
    "backfill.subcategory_unknown",
    "活动二级分类「{value}」不属于「{module}」，可选：{allowed}",
    "Second-level category {value} is not one of {module}'s: {allowed}",
    Category.INVALID,
)
LEVEL_UNKNOWN = ErrorCode(
    "backfill.level_unknown",
    "活动等级「{value}」无效，可选：{allowed}",
    "Level {value} is unknown; allowed: {allowed}",
    Category.INVALID,
)
CREDIT_TYPE_UNKNOWN = ErrorCode(
    "backfill.credit_type_unknown",
    "学分类型「{value}」不是本校设置的学分类型",
    "Credit type {value} is not one of the school's",
    Category.INVALID,
)
AMOUNT_INVALID = ErrorCode(
    "backfill.amount_invalid",
    "发放学分值「{value}」须为不小于 0 的数",
    "Amount {value} must be a number ≥ 0",
    Category.INVALID,
)
FORMULA = ErrorCode(
    "backfill.formula",
    "{column} 含公式「{value}」，请填写数值或文字",
    "{column} holds a formula {value}: enter a value",
    Category.INVALID,
)
FILE_HAS_ERRORS = ErrorCode(
    "backfill.file_has_errors",
    "文件有 {count} 处错误，未导入任何记录（第一处：第 {row} 行 {column} 列 {message}）",
    "The file has {count} errors; nothing was imported (first: row {row}, column {column})",
    Category.INVALID,
)
UNREADABLE = ErrorCode(
    "backfill.unreadable",
    "无法读取文件：{reason}",
    "The file cannot be read: {reason}",
    Category.INVALID,
)
DUPLICATE_ROW = ErrorCode(
    "backfill.duplicate_row",
    "与第 {first} 行重复",
    "The same as row {first}",
    Category.INVALID,
)


@attrs.frozen
class RowError:
    """One problem in a filled template: Excel row number, column letter and header, code."""

    row: int
    column: str
    header: str
    code: str
    message: str
    message_en: str


@attrs.frozen
class BackfillRow:
    """One valid data row: a credit (or a record without credit) for one student."""

    row: int
    student_number: str
    name: str
    starts_on: date
    ends_on: date | None
    content: str
    category: str
    subcategory: str  # as the row names it: a Subcategory's name (or code), or the module
    level: LevelCode  # one of the school's activity_levels
    awards: tuple[str, ...]
    credit_type: str
    amount: Decimal | None


@attrs.frozen
class TemplateCheck:
    """The valid rows and every row error; a file is importable only with no error."""

    rows: tuple[BackfillRow, ...]
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


# -- writing ----------------------------------------------------------------------------


def write_template(rulebook: Rulebook, target: str | Path | IO[bytes]) -> None:
    """Write the 附件4 template: title, header, the seed's three examples, its notes, and
    drop-down lists of the school's categories, levels and credit types from row 7 on."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = TITLE
    width = len(COLUMNS)
    sheet.cell(1, 1, TITLE).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for index, header in enumerate(COLUMNS, start=1):
        sheet.cell(HEADER_ROW, index, header).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = 16
    for offset, example in enumerate(EXAMPLES):
        for index, value in enumerate(example, start=1):
            sheet.cell(HEADER_ROW + 1 + offset, index, value)
    notes = sheet.cell(NOTES_ROW, 1, "\n".join(NOTES))
    notes.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=NOTES_ROW, start_column=1, end_row=NOTES_ROW, end_column=width)
    sheet.row_dimensions[NOTES_ROW].height = 150
    lists = book.create_sheet(_LISTS_SHEET)
    lists.sheet_state = "hidden"
    last = FIRST_DATA_ROW + rulebook.claims.template_max_rows - 1
    choices = {
        6: _categories(rulebook),
        7: _subcategories(rulebook),
        8: rulebook.level_names(),
        10: rulebook.credit_types,
    }
    for number, (column, values) in enumerate(sorted(choices.items()), start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row, number, value)
        letter = get_column_letter(number)
        source = f"'{_LISTS_SHEET}'!${letter}$1:${letter}${max(len(values), 1)}"
        validation = DataValidation(type="list", formula1=source, allow_blank=True)
        validation.error = f"请从列表中选择{COLUMNS[column - 1]}"
        validation.showErrorMessage = True
        target_column = get_column_letter(column)
        validation.add(f"{target_column}{FIRST_DATA_ROW}:{target_column}{last}")
        sheet.add_data_validation(validation)
    book.save(target)


def _categories(rulebook: Rulebook) -> tuple[str, ...]:
    """活动一级分类 as the school names them: its modules."""
    return tuple(module.name for module in rulebook.modules)


def _subcategories(rulebook: Rulebook) -> tuple[str, ...]:
    """活动二级分类: each module's second level, or the module itself when it has none."""
    names = [n for m in rulebook.modules for n in ([c.name for c in m.categories] or [m.name])]
    return tuple(dict.fromkeys(names))


# -- importing --------------------------------------------------------------------------

Done = TypeVar("Done", covariant=True)


class Importer(Protocol[Done]):
    """What ``import_list`` needs of the facade (``SecondClassroom``): this module sits below
    the facade, which checks templates with it, so it names the methods, not the class."""

    @property
    def rulebook(self) -> Rulebook: ...

    def check_backfill(
        self,
        source: str | Path | bytes,
        actor: Actor,
        progress: Callable[[int], object] | None = None,
    ) -> TemplateCheck: ...

    def execute(self, command: object, actor: Actor, now: datetime) -> Done: ...


def import_list(
    service: Importer[Done],
    source: str | Path | bytes,
    claim_id: UUID,
    actor: Actor,
    now: datetime,
    progress: Callable[[int], object] | None = None,
) -> Done:
    """Import a filled template as the list of the approved collective claim ``claim_id``
    (001 第三条 名单导入): all rows in one save, or nothing when any row has an error; the
    same rows again store nothing new."""
    checked = service.check_backfill(source, actor, progress)
    if checked.errors:
        first = checked.errors[0]
        raise FILE_HAS_ERRORS.error(
            count=len(checked.errors), row=first.row, column=first.column, message=first.message
        )
    rows = tuple(_listed(row, service.rulebook) for row in checked.rows)
    return service.execute(ImportClaimList(claim_id, list_digest(rows), rows), actor, now)


def list_digest(rows: Iterable[ListedCredit]) -> str:
    """A list's content digest: the same rows, however saved, give the same digest."""
    digest = hashlib.sha256()
    for row in rows:
        credit = row.credit
        parts: tuple[str, ...] = (row.student_number, row.content)
        if credit is not None:
            parts += (credit.module, credit.credit_type, str(credit.amount.normalize()))
        digest.update(repr(parts).encode())
    return digest.hexdigest()


def _listed(row: BackfillRow, rulebook: Rulebook) -> ListedCredit:
    """A checked row as a list row: its 一级分类 as the module, no credit if no amount."""
    module = next(m.code for m in rulebook.modules if row.category in (m.name, m.code))
    credit = None
    if row.amount is not None and row.amount > 0:
        credit = PlannedCredit(module, row.credit_type, row.amount)
    return ListedCredit(row.student_number, row.content, credit)


# -- checking ---------------------------------------------------------------------------

Lookup = Callable[[str], StudentRecord | None]


def check(
    source: str | Path | bytes,
    rulebook: Rulebook,
    lookup: Lookup,
    progress: Callable[[int], object] | None = None,
) -> TemplateCheck:
    """Every row error of a filled template, and its valid rows; nothing is stored.

    A file that is too large, not an xlsx, a zip bomb, too long or not the template raises
    its ``backfill.*`` DomainError instead. ``progress`` is called with 1 per data row read.
    """
    limits = rulebook.claims
    data = _read(source, limits.template_max_bytes)
    if len(data) > limits.template_max_bytes:
        raise FILE_TOO_LARGE.error(size=len(data), limit=limits.template_max_bytes)
    _refuse_non_xlsx(data, limits.template_max_unzipped_bytes)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a malformed package
        raise NOT_XLSX.error(reason=type(error).__name__) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(min_row=HEADER_ROW, values_only=True)
        header = tuple(_text(v) for v in next(rows, ())[: len(COLUMNS)])
        if header != COLUMNS:
            raise NOT_TEMPLATE.error(found="、".join(h for h in header if h))
        data_rows = _data_rows(rows, limits.template_max_rows)
        if progress is not None:
            data_rows = _counted(data_rows, progress)
        return _check_rows(data_rows, rulebook, lookup)
    except DomainError:
        raise
    except Exception as error:  # read-only sheets parse lazily: a bad part fails mid-rows
        raise NOT_XLSX.error(reason=type(error).__name__) from None
    finally:
        book.close()


def _read(source: str | Path | bytes, limit: int) -> bytes:
    """The file's bytes; a file above ``limit`` is refused before it is read."""
    if isinstance(source, bytes):
        return source
    try:
        path = Path(source)
        size = path.stat().st_size
        if size > limit:
            raise FILE_TOO_LARGE.error(size=size, limit=limit)
        return path.read_bytes()
    except (OSError, ValueError) as error:  # missing, a folder, no permission, a NUL in it
        raise UNREADABLE.error(reason=type(error).__name__) from None


def _refuse_non_xlsx(data: bytes, max_unzipped: int) -> None:
    """A zip holding a workbook, whose declared expanded size is within bounds; the sizes
    come from the central directory, and zipfile never expands an entry past its size."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        kind = "xls" if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" else "not a zip"
        raise NOT_XLSX.error(reason=kind)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as error:
        # NotImplementedError: a zip version or method zipfile does not read (a damaged header)
        raise NOT_XLSX.error(reason=str(error)) from None
    names = {entry.filename for entry in entries}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise NOT_XLSX.error(reason="no workbook in the package")
    expanded = sum(entry.file_size for entry in entries)
    if expanded > max_unzipped:
        raise ZIP_BOMB.error(size=expanded, limit=max_unzipped)


def _data_rows(
    rows: Iterator[tuple[Any, ...]], limit: int
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The non-empty rows from row 7, numbered as Excel numbers them; more than ``limit``
    raises ``backfill.too_many_rows``."""
    counted = 0
    for number, values in enumerate(rows, start=HEADER_ROW + 1):
        if number < FIRST_DATA_ROW:
            continue  # the examples and the notes stay, and are not data
        cells = tuple(values[: len(COLUMNS)]) + (None,) * (len(COLUMNS) - len(values))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        counted += 1
        if counted > limit:
            raise TOO_MANY_ROWS.error(limit=limit)
        yield number, cells


def _counted(
    rows: Iterator[tuple[int, tuple[Any, ...]]], progress: Callable[[int], object]
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for row in rows:
        progress(1)
        yield row


def _check_rows(
    rows: Iterable[tuple[int, tuple[Any, ...]]], rulebook: Rulebook, lookup: Lookup
) -> TemplateCheck:
    categories = set(_categories(rulebook)) | {m.code for m in rulebook.modules}
    credit_types = set(rulebook.credit_types)
    seen: dict[tuple[Any, ...], int] = {}
    valid: list[BackfillRow] = []
    errors: list[RowError] = []
    for number, cells in rows:
        found: list[RowError] = []

        formulas = [i for i, v in enumerate(cells) if isinstance(v, str) and v.startswith("=")]
        for column in formulas:
            _fail(found, number, column, FORMULA, value=cells[column])
        if formulas:
            errors += found
            continue
        text = [_text(v) for v in cells]
        number_text, name, content = text[0], text[1], text[4]
        record = lookup(number_text) if number_text else None
        if not number_text:
            _fail(found, number, 0, FIELD_EMPTY)
        elif record is None:
            _fail(found, number, 0, STUDENT_UNKNOWN, value=number_text)
        elif name != record.name:
            _fail(found, number, 1, NAME_MISMATCH, value=name, expected=record.name)
        starts = _date(cells[2])
        ends = _date(cells[3]) if text[3] else None
        if starts is None:
            _fail(found, number, 2, DATE_INVALID if text[2] else FIELD_EMPTY, value=text[2])
        if text[3] and ends is None:
            _fail(found, number, 3, DATE_INVALID, value=text[3])
        if starts is not None and ends is not None and ends < starts:
            _fail(found, number, 3, DATES_REVERSED)
        if not content:
            _fail(found, number, 4, FIELD_EMPTY)
        else:
            try:  # the content becomes a command's title: its limits, found here by row
                identifier(content, TextKind.TITLE, rulebook.limits, "$.content")
            except DomainError as error:
                found.append(RowError(number, "E", COLUMNS[4], *_messages(error)))
        module = next((m for m in rulebook.modules if text[5] in (m.name, m.code)), None)
        if module is None:
            _fail(found, number, 5, CATEGORY_UNKNOWN, value=text[5])
        if module is not None and module.categories:
            if module.subcategory(text[6]) is None:
                allowed = "、".join(c.name for c in module.categories)
                _fail(found, number, 6, SUBCATEGORY_UNKNOWN, value=text[6], module=module.name,
                      allowed=allowed)  # fmt: skip
        elif text[6] not in categories:  # a module without a second level: a module again
            _fail(found, number, 6, CATEGORY_UNKNOWN, value=text[6])
        level = rulebook.activity_level(text[7])
        if level is None:
            allowed = "、".join(rulebook.level_names())
            _fail(found, number, 7, LEVEL_UNKNOWN, value=text[7], allowed=allowed)
        if text[9] not in credit_types:
            _fail(found, number, 9, CREDIT_TYPE_UNKNOWN, value=text[9])
        amount = _amount(cells[10])
        if text[10] and amount is None:
            _fail(found, number, 10, AMOUNT_INVALID, value=text[10])
        key = tuple(text)
        if key in seen:
            _fail(found, number, 0, DUPLICATE_ROW, first=seen[key])
        else:
            seen[key] = number
        if found:
            errors += found
            continue
        assert starts is not None
        assert level is not None
        awards = tuple(a.strip() for a in text[8].split(AWARD_SEPARATOR) if a.strip())
        valid.append(
            BackfillRow(
                number,
                record.student_number if record is not None else number_text,
                name,
                starts,
                ends,
                content,
                text[5],
                text[6],
                level,
                awards,
                text[9],
                amount,
            )
        )
    return TemplateCheck(tuple(valid), tuple(errors))


def _messages(error: DomainError) -> tuple[str, str, str]:
    return error.code, error.message_zh, error.message_en


def _fail(found: list[RowError], row: int, column: int, code: ErrorCode, **details: Any) -> None:
    header = COLUMNS[column]
    error = code.error(column=header, **details)
    letter = get_column_letter(column + 1)
    found.append(RowError(row, letter, header, error.code, error.message_zh, error.message_en))


def _text(value: Any) -> str:
    """A cell as text: a whole-number float (an Excel 学号) without its ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return str(value).strip()


_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M")


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        for form in _DATE_FORMATS:
            try:
                return datetime.strptime(value.strip(), form).date()
            except ValueError:
                continue
    return None


def _amount(value: Any) -> Decimal | None:
    """A finite amount ≥ 0, or None (empty, text, negative, bool)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None
