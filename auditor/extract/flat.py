"""Flat indicator lists: one row per indicator, several projects in one table, under a header such
as 项目名称 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 计量单位 (budget-system exports,
this tool's fill-in template, a list pasted into Word or a web page).

A blank 项目名称, 一级 or 二级 cell means "as above": that is what a merged cell prints, and what
people leave when they fill such a list by hand.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Funds, Indicator, Project
from ..sources.base import Line
from ..textnorm import normalise
from ..values import parse_amount, parse_value
from ..vocabulary import LEVEL2_PARENT, level1_of, level2_of
from .columns import entry_of, join_value, role_of

# header cells of a flat list's own columns (indicator columns come from columns.ROLE_SYNONYMS)
FLAT_FIELDS: dict[str, tuple[str, ...]] = {
    "project": ("项目名称", "项目"),
    "period": ("期间", "指标期间"),
    "department": ("主管部门", "主管部门及代码"),
    "implementer": ("实施单位", "预算单位"),
    "annual_total": ("年度资金总额", "年度资金", "年度预算", "预算金额"),
    "period_total": ("实施期资金总额", "实施期资金"),
    "goal": ("年度目标", "总体目标", "绩效目标"),
    "attribute": ("项目属性",),
    "duration": ("项目期",),
}
_FIELD_OF = {normalise(name): key for key, names in FLAT_FIELDS.items() for name in names}
_INHERITED = ("project", "level1", "level2", "department", "implementer")
_PROJECT_FIELDS = ("department", "implementer", "annual_total", "period_total", "goal", "attribute", "duration")


def _cells(line: Line) -> list[str]:
    return line.text.split("\t")


def flat_header(cells: Sequence[str]) -> dict[str, int] | None:
    """Column of each field when `cells` is a flat list's header row, else None."""
    columns: dict[str, int] = {}
    for col, cell in enumerate(cells):
        key = normalise(cell)
        field = _FIELD_OF.get(key) or role_of(cell)
        if field == "sign":
            field = "comparator"
        if field and field not in columns:
            columns[field] = col
    if {"project", "level3", "value"} <= columns.keys() and ("level2" in columns or "level1" in columns):
        return columns
    return None


@dataclass
class FlatList:
    header_line: int
    columns: dict[str, int]
    lines: list[Line]


def find_flat_lists(lines: Sequence[Line]) -> list[FlatList]:
    """Every flat list: a header row, then its rows until the sheet or page changes or another header."""
    found: list[FlatList] = []
    current: FlatList | None = None
    for line in lines:
        if "\t" not in line.text:
            if current is not None and line.text.strip():
                current = None  # prose ends the list
            continue
        columns = flat_header(_cells(line)) if len(line.text) < 400 and "项目" in line.text else None
        if columns is not None:
            current = FlatList(line.number, columns, [])
            found.append(current)
        elif current is not None:
            if current.lines and line.where != current.lines[-1].where:
                current = None
                continue
            current.lines.append(line)
    return found


def flat_projects(flat: FlatList) -> list[Project]:
    def get(cells: list[str], field: str) -> str:
        col = flat.columns.get(field)
        return cells[col].strip() if col is not None and col < len(cells) else ""

    grouped: OrderedDict[str, dict[str, Any]] = OrderedDict()
    above: dict[str, str] = {}
    for line in flat.lines:
        cells = _cells(line)
        values = {field: get(cells, field) for field in flat.columns}
        for field in _INHERITED:
            if field in values:
                values[field] = values[field] or above.get(field, "")
        above.update({k: v for k, v in values.items() if k in _INHERITED and v})
        name, level3, raw = values.get("project", ""), values.get("level3", ""), values.get("value", "")
        if not name or not (level3 or raw):
            continue
        entry = grouped.setdefault(name, {"rows": [], "first": line.number, "last": line.number, "fields": {}})
        entry["last"] = line.number
        for field in _PROJECT_FIELDS:
            if values.get(field) and field not in entry["fields"]:
                entry["fields"][field] = values[field]
        sign = values.get("comparator") or values.get("nature", "")  # 指标性质 often carries the codes
        value = join_value(sign, raw, values.get("unit", ""))
        cells_said = entry_of(values.get("comparator"), values.get("nature"), values.get("unit"), values.get("remark"))
        level2_printed = values.get("level2", "")
        level2 = level2_of(level2_printed) or level2_printed
        level1 = LEVEL2_PARENT.get(level2) or level1_of(values.get("level1", "")) or values.get("level1", "")
        period = "年度" if "年度" in values.get("period", "") else "实施期"
        entry["rows"].append(Indicator(level1=level1, level2=level2, level3=level3, value=parse_value(value, level3),
                                       period=period, line=line.number, level1_printed=values.get("level1") or None,
                                       level2_printed=level2_printed or None, entry=cells_said))
    projects = []
    for name, entry in grouped.items():
        fields = entry["fields"]
        annual = parse_amount(fields.get("annual_total"))
        period_total = parse_amount(fields.get("period_total")) or annual
        funds = Funds("元", period_total, annual, {}, {}) if annual is not None or period_total is not None else None
        left = tuple(r for r in entry["rows"] if r.period == "实施期")
        right = tuple(r for r in entry["rows"] if r.period == "年度")
        projects.append(Project(
            name=name, line_start=entry["first"], line_end=entry["last"],
            department=fields.get("department"), implementer=fields.get("implementer"),
            attribute=fields.get("attribute"), duration=fields.get("duration"), funds=funds,
            goal_period=fields.get("goal"), indicators=left, annual_indicators=right,
            has_annual_columns=bool(right)))
    return projects
