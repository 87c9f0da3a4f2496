"""项目支出绩效自评表 whose cells survived: office files, HTML pages and tab-separated text.

The national template (财预〔2020〕10号 附件) prints the project's name and units, a funds block
(年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 per source of funds), the year's goal beside
what was achieved, and the indicator grid (一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 分值 | 得分 |
偏差原因分析及改进措施), closed by 总分 and the grade. Where the cells keep their columns each is read
by its header's meaning, not its position; merged 一级/二级 cells carry down as they do in print.
(The half-page PDF text of the same table, cells run together, is selfeval.py's job.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import vocabulary as labels
from ..model import EvaluatedIndicator, Funds, SelfEvaluation
from ..sources.base import Line
from ..textnorm import normalise
from ..values import parse_value
from .columns import entry_of, is_sign_code, join_value, role_of
from .fields import PROJECT_FIELDS, field_of, raw_cells

# the grid's own columns beside the ones a target table has (role_of: 一级/二级/三级, 指标值, 分值)
_GRID_ROLES: dict[str, tuple[str, ...]] = {
    "value": ("年初指标值", "年度指标值", "预期指标值", "年初目标值", "计划指标值"),
    "adjusted": ("调整后指标值", "调整后年度指标值", "调整后目标值"),
    "actual": ("实际完成值", "全年实际完成值", "实际完成指标值", "实际值", "完成值", "全年实际值", "实际完成情况"),
    "points": ("得分", "自评得分", "实际得分"),
    "deviation": ("偏差原因分析及改进措施", "偏差原因分析及整改措施", "未完成原因分析及改进措施", "偏差原因分析",
                  "偏差原因", "原因分析及改进措施", "未完成原因和改进措施"),
}
_FUNDS_ROLES: dict[str, tuple[str, ...]] = {
    "initial": ("年初预算数", "年初预算", "预算数(年初)"),
    "budget": ("全年预算数", "调整后预算数", "全年预算", "预算数"),
    "executed": ("全年执行数", "执行数", "全年实际支出", "实际支出数"),
    "weight": ("分值",),
    "rate": ("执行率", "预算执行率"),
    "points": ("得分",),
}
_GRID_OF = {normalise(w): role for role, words in _GRID_ROLES.items() for w in words}
_FUNDS_OF = {normalise(w): role for role, words in _FUNDS_ROLES.items() for w in words}
_GOAL_HEADS = frozenset({"预期目标", "实际完成情况", "年度目标", "目标", "总体目标"})
_TOTAL = re.compile(r"^总分")
_GRADE = re.compile(r"^(?:(?:自评|评价)?等级[:：]?)?([优良中差])(?:秀|好|等)?$")
_BARE = re.compile(r"^[≥≤=<>]?-?\d[\d,]*(?:\.\d+)?$")
_FIGURE = re.compile(r"^-?\d[\d,]{0,17}(?:\.\d{1,9})?%?$")  # a figure a table can print (never 1e400 = inf)
_SOURCE_WORDS = (("中央", "中央"), ("省级", "省级"), ("市县", "市县"), ("市级", "市县"), ("县级", "市县"),
                 ("区级", "市县"), ("自筹", "自筹"), ("其他", "其他"))


def grid_role(cell: str) -> str | None:
    """The column a self-evaluation grid's header cell names (an 指标值 header is the 年初 value)."""
    key = normalise(cell).rstrip(":")
    return _GRID_OF.get(key) or role_of(cell)


def is_cell_table(lines: Sequence[Line]) -> bool:
    """Does this block hold a self-evaluation grid with its columns kept (a header naming both an
    实际完成值 and a 得分 or 分值 column)?"""
    for ln in lines:
        if "\t" not in ln.text:
            continue
        roles = {grid_role(c) for c in raw_cells(ln.text) if c.strip()}
        if "actual" in roles and roles & {"points", "weight"} and "level3" in roles:
            return True
    return False


@dataclass
class _Reading:
    """What one table has shown so far, line by line: header fields, the funds block's columns and
    rows, the goal, then the grid's columns, its rows (labels carried down), 总分 and 等级."""

    start: int
    end: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    unit: str = "万元"
    funds_columns: dict[str, int] = field(default_factory=dict)
    funds_rows: list[tuple[str, dict[str, float | None]]] = field(default_factory=list)
    goal: str | None = None
    goal_pending: bool = False
    columns: dict[str, int] = field(default_factory=dict)
    rows: list[EvaluatedIndicator] = field(default_factory=list)
    level1: str | None = None
    level2: str | None = None
    total: float | None = None
    grade: str | None = None
    done: bool = False


def read_cell_table(lines: Sequence[Line]) -> SelfEvaluation | None:
    """The self-evaluation table of a block whose cells kept their columns; None without a grid."""
    if not lines:
        return None
    reading = _Reading(start=lines[0].number)
    for ln in lines:
        if reading.done:
            break
        cells = [c.strip() for c in raw_cells(ln.text)]
        if not any(cells):
            continue
        reading.end = ln.number
        _feed(reading, cells, ln.number)
    if not reading.columns:
        return None
    return _table(reading)


def _feed(r: _Reading, cells: list[str], number: int) -> None:
    """One line: a grid row once the grid's header is seen; before it the grid's or the funds
    block's header, a funds row, or header fields."""
    if r.columns:
        _grid_row(r, cells, number)
        return
    roles = [grid_role(c) if c else None for c in cells]
    if "actual" in roles and "level3" in roles:
        r.columns = {role: i for i, role in reversed(list(enumerate(roles))) if role}
        return
    funds = [_FUNDS_OF.get(normalise(c)) if c else None for c in cells]
    if sum(1 for f in funds if f) >= 3:
        r.funds_columns = {role: i for i, role in reversed(list(enumerate(funds))) if role}
        unit = re.search(r"(万元|元)", "".join(cells[: min(r.funds_columns.values())]))
        r.unit = unit.group(1) if unit else r.unit
        return
    if r.funds_columns and not r.goal_pending and _funds_row(r, cells):
        return
    _header_fields(r, cells)


def _header_fields(r: _Reading, cells: list[str]) -> None:
    """项目名称 / 主管部门 / 实施单位 and the goal: a label cell, its value in the next non-empty cell."""
    filled = [(i, c) for i, c in enumerate(cells) if c]
    for k, (_, cell) in enumerate(filled):
        key = field_of(cell, PROJECT_FIELDS)
        following = [c for _, c in filled[k + 1:]]
        if key in ("name", "department", "implementer") and following and key not in r.fields:
            if field_of(following[0], PROJECT_FIELDS) is None:
                r.fields[key] = following[0]
        elif key in ("goal", "goal_labels") and r.goal is None:
            said = [c for c in following if normalise(c) not in _GOAL_HEADS]
            if said:
                r.goal = said[0]
            else:
                r.goal_pending = True
            return
    if r.goal_pending and r.goal is None:
        said = [c for _, c in filled if normalise(c) not in _GOAL_HEADS]
        if said:
            r.goal, r.goal_pending = said[0], False


def _funds_row(r: _Reading, cells: list[str]) -> bool:
    """A row of the funds block: its label left of the first figure column, figures under the header."""
    first = min(r.funds_columns.values())
    label = next((c for c in reversed(cells[:first]) if c), "")
    figures = {role: _number(cells[i]) if i < len(cells) else None for role, i in r.funds_columns.items()}
    if not any(v is not None for v in figures.values()):
        return len(label) <= 20 and "资金" in label  # a source of funds with nothing in it (上年结转资金)
    r.funds_rows.append((normalise(label), figures))
    return True


def _grid_row(r: _Reading, cells: list[str], number: int) -> None:
    def at(role: str) -> str:
        i = r.columns.get(role)
        return cells[i] if i is not None and i < len(cells) else ""

    if any(_TOTAL.match(normalise(c)) for c in cells if c):
        points = _number(at("points"))
        figures = [n for n in map(_number, cells) if n is not None]
        r.total = points if points is not None else (figures[-1] if figures else None)
        r.grade = next((m.group(1) for c in cells if c and (m := _GRADE.match(normalise(c)))), None)
        r.done = r.grade is not None
        return
    if r.total is not None:  # the row after 总分: 等级 printed on its own
        r.grade = next((m.group(1) for c in cells if c and (m := _GRADE.match(normalise(c)))), None)
        r.done = True
        return
    if field_of(next(c for c in cells if c), PROJECT_FIELDS) == "footer":
        r.done = True
        return
    l1, l2 = labels.level1_of(at("level1")), labels.level2_of(at("level2"))
    if l1:
        r.level1 = l1
    if l2:
        r.level2 = l2
        r.level1 = labels.parent_of(l2) if not l1 and labels.parent_of(l2) else r.level1
    name, value = at("level3"), at("value")
    if not name and not value:
        return
    # the platform's export: 计算符号 (or sign codes under 指标性质) and 计量单位 in cells of their own
    has = {role: role in r.columns for role in ("sign", "nature", "unit")}
    nature = at("nature") if has["nature"] else None
    sign = at("sign") if has["sign"] else (nature if nature and is_sign_code(nature) else "")
    unit = at("unit")
    value, actual = join_value(sign, value, unit), at("actual")
    if actual and unit and _BARE.match(normalise(actual)):  # the unit of a bare figure: its row's
        actual += unit.strip()
    entry = entry_of(at("sign") if has["sign"] else None, nature, unit if has["unit"] else None, None)
    r.rows.append(EvaluatedIndicator(
        level1=r.level1 or "", level2=r.level2 or "", level3=name, value=parse_value(value, name), period="年度",
        line=number, entry=entry, adjusted=at("adjusted") or None, actual=actual or None,
        weight=_number(at("weight")), points=_number(at("points")), deviation=at("deviation") or None))


def _number(text: str) -> float | None:
    """A figure cell (260.662, 1,200, 100%); None for anything else."""
    key = normalise(text or "")
    return float(key.rstrip("%").replace(",", "")) if _FIGURE.match(key) else None


def _table(r: _Reading) -> SelfEvaluation:
    total_row = next((f for label, f in r.funds_rows if "总额" in label or "合计" in label), None)
    if total_row is None and r.funds_rows:
        total_row = r.funds_rows[0][1]
    total_row = total_row or {}
    sources: dict[str, float | None] = dict.fromkeys(labels.FUNDING_SOURCES)
    for label, figures in r.funds_rows:
        for word, source in _SOURCE_WORDS:
            if word in label and sources[source] is None:
                sources[source] = figures.get("budget")
    execution_rows = tuple((label or "资金总额", f.get("rate"), f.get("points")) for label, f in r.funds_rows)
    budget = total_row.get("budget")
    annual = budget if budget is not None else total_row.get("initial")  # a table without 全年预算数
    funds = Funds(unit=r.unit, period_total=None, annual_total=annual,
                  period_sources={}, annual_sources=sources, executed=total_row.get("executed"),
                  execution_rate=total_row.get("rate"), execution_points=total_row.get("points"),
                  execution_rows=execution_rows)
    name = r.fields.get("name") or f"（第{r.start}行的自评表）"
    return SelfEvaluation(name=name, line_start=r.start, line_end=max(r.end, r.start),
                          department=r.fields.get("department"), implementer=r.fields.get("implementer"),
                          funds=funds, goal_annual=r.goal, indicators=tuple(r.rows), annual_indicators=(),
                          has_annual_columns=False, score_total=r.total, score_grade=r.grade)
