"""Labelled header fields of the target tables (项目名称, 主管部门及代码, 项目资金, 总体目标 …)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..textnorm import normalise
from ..vocabulary import FUNDING_SOURCES

# field key → pattern on the normalised cell (NFKC, no whitespace, no trailing colon)
PROJECT_FIELDS: list[tuple[str, re.Pattern[str]]] = [
    ("name", re.compile(r"^项目(名称|全称)$")),
    ("department", re.compile(r"^主管(预算)?(部门|单位)(及代码|名称|及编码)?$")),
    ("implementer", re.compile(r"^(实施单位|预算单位|实施单位名称|项目实施单位|项目单位|资金使用单位|执行单位)$")),
    ("attribute", re.compile(r"^项目(属性|类型|类别)$")),
    ("duration", re.compile(r"^项目(期|期限|周期|实施期|实施周期|起止时间)$|^实施期限$")),
    ("funds", re.compile(r"^项目资金(情况)?(\((元|万元)\))?$|^资金情况(\((元|万元)\))?$")),
    ("period_total", re.compile(r"^实施期资金(总额|合计)?$|^实施期总额$")),
    ("annual_total", re.compile(r"^(年度|本年度|当年)资金(总额|合计)?$")),
    ("src:中央", re.compile(r"^(其中)?:?中央(财政)?(资金|补助)")),
    ("src:省级", re.compile(r"^(其中)?:?省级(财政)?(资金|补助)?")),
    ("src:市县", re.compile(r"^(其中)?:?(市县|市级|县级|区级|市县\(区\)|市县区)")),
    ("src:自筹", re.compile(r"^(其中)?:?(单位)?自筹")),
    ("src:其他", re.compile(r"^(其中)?:?其他资金")),
    ("overview", re.compile(r"^项目(概况|简介|基本情况)$")),
    ("basis", re.compile(r"^立项依据$")),
    ("necessity", re.compile(r"^(项目设立|立项)必要性$")),
    ("measures", re.compile(r"^保证项目实施的(制度|措施)")),
    ("plan", re.compile(r"^项目实施计划$")),
    ("goal", re.compile(r"^(总体|年度总体|绩效|项目总体|年度绩效|实施期总体)目标$")),
    ("goal_labels", re.compile(r"^(实施期目标|年度目标|中长期目标)$")),
    ("footer", re.compile(r"^(负责人|经办人|联系电话|填报日期|填报人|审核人|填表人|填表日期|单位负责人|财务负责人)")),
]

OVERALL_FIELDS: list[tuple[str, re.Pattern[str]]] = [
    ("department", re.compile(r"^(部门|单位)名称$")),
    ("duties", re.compile(r"^(部门|单位)职责$|^主要职能$")),
    ("strategy", re.compile(r"^(部门|单位)战略目标$|^中长期目标$")),
    ("budget", re.compile(r"^年度(预算情况|预算金额|部门预算|资金情况)$|^预算情况$")),
    ("tasks", re.compile(r"^年度(重点|主要)任务$")),
    ("goal", re.compile(r"^年度(绩效|总体|整体)目标$|^整体绩效目标$|^年度目标$")),
    ("footer", re.compile(r"^(负责人|经办人|联系电话|填报日期|填报人|审核人)")),
]

SOURCE_KEYS = FUNDING_SOURCES
# a heading of the narrative ("第三部分", "十一、", "（二）"): text after a table, never part of it
SECTION_HEADING = re.compile(
    r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]+[)）])"
)


_COLONS = re.compile(r"[:：]+$")
_SPLIT_SPACES = re.compile(r"\s{2,}")


def cell_key(text: str) -> str:
    return _COLONS.sub("", normalise(text))


def _lookup(text: str, table: list[tuple[str, re.Pattern[str]]]) -> str | None:
    k = cell_key(text)
    if not k or len(k) > 24:
        return None
    for name, pattern in table:
        if pattern.search(k):
            return name
    return None


_project_field = lru_cache(maxsize=16384)(lambda text: _lookup(text, PROJECT_FIELDS))
_overall_field = lru_cache(maxsize=16384)(lambda text: _lookup(text, OVERALL_FIELDS))


def field_of(text: str, table: list[tuple[str, re.Pattern[str]]]) -> str | None:
    """The header field a cell labels, or None (cached: the same labels recur in every table)."""
    if table is PROJECT_FIELDS:
        return _project_field(text)
    if table is OVERALL_FIELDS:
        return _overall_field(text)
    return _lookup(text, table)


def cells_of(line_text: str) -> list[str]:
    """Non-empty cells of a line: tabs split cells; without tabs, runs of 2+ spaces do."""
    parts = line_text.split("\t") if "\t" in line_text else _SPLIT_SPACES.split(line_text)
    return [p.strip() for p in parts if p.strip()]


def raw_cells(line_text: str) -> list[str]:
    """All cells of a line, empty ones included (the grid reader drops them itself)."""
    return line_text.split("\t") if "\t" in line_text else _SPLIT_SPACES.split(line_text.strip())


def collapse_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


_CJK = r"\u3400-\u9fff\uff00-\uffef\u3000-\u303f"


def join_name(text: str) -> str:
    """Project names: drop spaces that sit next to CJK text (line-break artefacts)."""
    text = collapse_space(text)
    return re.sub(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])", "", text)


_SEPARATOR = re.compile(r"[:：]\s*|\s+")


def split_labelled(cell: str, table: list[tuple[str, re.Pattern[str]]]) -> tuple[str, ...]:
    """'年度资金总额: 150,000' → ('年度资金总额:', '150,000'), '项目期 1年' → ('项目期', '1年'): a field
    label and its value printed in one cell. A cell that is not such a pair is returned as is."""
    if table is PROJECT_FIELDS:
        return _split_project_cell(cell)
    return _split(cell, table)


def _split(cell: str, table: list[tuple[str, re.Pattern[str]]]) -> tuple[str, ...]:
    if len(cell) < 3 or not _SEPARATOR.search(cell) or field_of(cell, table):
        return (cell,)
    for match in _SEPARATOR.finditer(cell):
        label, value = cell[:match.start()], cell[match.end():].strip()
        if len(label) > 24:
            break
        if value and label and field_of(label, table):
            return (cell[:match.end()].strip(), value)
    return (cell,)


_split_project_cell = lru_cache(maxsize=16384)(lambda cell: _split(cell, PROJECT_FIELDS))


def field_cells(line_text: str, table: list[tuple[str, re.Pattern[str]]]) -> list[str]:
    """The non-empty cells of a header line, labelled values split from their label."""
    return [part for cell in cells_of(line_text) for part in split_labelled(cell, table)]


_SENTENCE = re.compile(r"[。；;！!？?]")


def is_prose(line_text: str) -> bool:
    """A line of running text (a note or paragraph after a table), never a row of the grid."""
    if "\t" in line_text.strip():
        return False
    k = normalise(line_text)
    return (len(k) >= 16 and bool(_SENTENCE.search(k))) or bool(re.match(r"^注[:：]", k))
