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
from functools import lru_cache
from itertools import product

from .. import vocabulary as labels
from ..model import EvaluatedIndicator, Funds, SelfEvaluation
from ..sources.base import Line
from ..textnorm import normalise
from ..values import parse_value
from .columns import entry_of, is_sign_code, join_value, role_of
from .cut import best_cut
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
@lru_cache(maxsize=16384)
def grid_role(cell: str) -> str | None:
    """The column a self-evaluation grid's header cell names (an 指标值 header is the 年初 value)."""
    key = normalise(cell).rstrip(":")
    return _GRID_OF.get(key) or role_of(cell)


def is_header(cells: Sequence[str]) -> bool:
    """Is this row of cells a self-evaluation grid's header (三级, 指标值, 实际完成值, 分值, 得分)?"""
    roles = {grid_role(c) for c in cells if c.strip()}
    return all(r in roles for r in _ALWAYS)


def is_cell_table(lines: Sequence[Line]) -> bool:
    """Does this block hold a self-evaluation grid with its columns kept (a header naming both an
    实际完成值 and a 得分 or 分值 column)?"""
    for ln in lines:
        if "\t" not in ln.text or not ("实际" in ln.text or "完成值" in ln.text):  # every 实际完成值 header says one
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
    after_total: bool = False
    done: bool = False
    pending: str | None = None  # a header field whose value is on the next line (one cell a line)
    funds_stack: list[str] = field(default_factory=list)  # the funds header printed one cell a line
    funds_label: str | None = None
    funds_values: list[float | None] = field(default_factory=list)


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
    if len([c for c in cells if c]) == 1 and _stacked_funds(r, next(c for c in cells if c)):
        return
    _header_fields(r, cells)


def _header_fields(r: _Reading, cells: list[str]) -> None:
    """项目名称 / 主管部门 / 实施单位 and the goal: a label cell, its value in the next non-empty cell."""
    filled = [(i, c) for i, c in enumerate(cells) if c]
    if r.pending is not None:
        key, r.pending = r.pending, None
        if field_of(filled[0][1], PROJECT_FIELDS) is None:
            r.fields[key] = filled[0][1]
            return
    for k, (_, cell) in enumerate(filled):
        key = field_of(cell, PROJECT_FIELDS)
        following = [c for _, c in filled[k + 1:]]
        if key in ("name", "department", "implementer") and key not in r.fields:
            if not following:
                r.pending = key  # one cell a line: the value is the next line
            elif field_of(following[0], PROJECT_FIELDS) is None:
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


_EMPTY_FIGURE = frozenset({"—", "-", "/", "--", "——", "无"})


def _stacked_funds(r: _Reading, cell: str) -> bool:
    """The funds block printed one cell a line: its header words, then each row's label and its
    figures in the header's order (a blank figure is not printed at all: a short row keeps the first
    columns). False when the cell is none of that."""
    key = normalise(cell)
    role = _FUNDS_OF.get(key)
    if role and not r.funds_label:
        r.funds_stack.append(role)
        return True
    if len(r.funds_stack) < 3:
        if field_of(cell, PROJECT_FIELDS) == "funds" and (unit := re.search(r"(万元|元)", key)):
            r.unit = unit.group(1)
        return False
    figure = _number(cell)
    if r.funds_label is not None and (figure is not None or key in _EMPTY_FIGURE):
        r.funds_values.append(figure)
        return True
    _flush_funds(r)
    if len(key) <= 20 and re.search(r"资金|总额|合计|拨款", key) and field_of(cell, PROJECT_FIELDS) != "goal":
        r.funds_label = key
        return True
    r.funds_stack = []  # the block has ended
    return False


def _flush_funds(r: _Reading) -> None:
    if r.funds_label is not None:
        figures = {role: r.funds_values[k] if k < len(r.funds_values) else None
                   for k, role in enumerate(r.funds_stack)}
        r.funds_rows.append((r.funds_label, figures))
    r.funds_label, r.funds_values = None, []


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
        r.grade = _grade(cells)
        r.after_total = True
        r.done = r.grade is not None
        return
    if r.after_total:  # 等级 on a line of its own; one cell a line, 总分's figures too (分值 then 得分)
        figure = _number(cells[0]) if len(cells) == 1 else None
        if figure is not None:
            r.total = figure
            return
        r.grade, r.done = _grade(cells), True
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


def _grade(cells: Sequence[str]) -> str | None:
    return next((m.group(1) for c in cells if c and (m := _GRADE.match(normalise(c)))), None)


def _number(text: str) -> float | None:
    """A figure cell (260.662, 1,200, 100%); None for anything else."""
    key = normalise(text or "")
    return float(key.rstrip("%").replace(",", "")) if _FIGURE.match(key) else None


def _table(r: _Reading) -> SelfEvaluation:
    _flush_funds(r)
    total_row = next((f for label, f in r.funds_rows if "总额" in label or "合计" in label), None)
    if total_row is None and r.funds_rows:
        total_row = r.funds_rows[0][1]
    total_row = total_row or {}
    sources: dict[str, float | None] = dict.fromkeys(labels.FUNDING_SOURCES)
    for label, figures in r.funds_rows:
        key = field_of(label, PROJECT_FIELDS) or ""  # the target tables' own labels: src:中央 … src:其他
        if key.startswith("src:") and sources.get(key[4:], 0) is None:
            sources[key[4:]] = figures.get("budget")
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


# --- the grid printed one cell a line (a web or Word table copied as text) ----------------------

_ALWAYS = ("level3", "value", "actual", "weight", "points")  # printed on every row of a self-evaluation
_JUNK = 3.0  # a cell no row can take


def header_end(lines: Sequence[Line], start: int) -> int | None:
    """End of a self-evaluation grid header printed one cell a line from `start` (its 实际完成值 and
    得分 among the cells); None when the run there is not one."""
    end = start
    roles = []
    while end < len(lines) and "\t" not in lines[end].text and lines[end].text.strip() \
            and (grid_role(lines[end].text.strip()) or normalise(lines[end].text) == "绩效指标"):
        roles.append(grid_role(lines[end].text.strip()))
        end += 1
    return end if all(r in roles for r in _ALWAYS) else None


def stacked_rows(cells: Sequence[str], header: Sequence[str]) -> list[list[str] | None]:
    """Cut a run of cells, one a line, into the grid's rows (each laid out on the header's columns;
    None for a cell no row takes). Merged 一级/二级 labels print once and an empty 偏差原因 not at all,
    so the cut is found by dynamic programming over the ways a row can print."""
    roles = [grid_role(h) for h in header]
    order = [r for r in roles if r]
    optional = [r for r in order if r not in _ALWAYS]
    patterns = []
    for keep in product((True, False), repeat=len(optional)):
        kept = {r for r, k in zip(optional, keep, strict=True) if k}
        patterns.append(tuple(r for r in order if r in _ALWAYS or r in kept))
    patterns += [p for p in (("level2",), ("level1", "level2")) if all(r in order for r in p)]
    rows: list[list[str] | None] = []
    for start, end, pattern in best_cut(len(cells), patterns, len,
                                        lambda i, p: _row_fit(cells[i:i + len(p)], p), _JUNK):
        if pattern is None:
            rows.append(None)
            continue
        row = [""] * len(header)
        for role, cell in zip(pattern, cells[start:end], strict=True):
            row[roles.index(role)] = cell
        rows.append(row)
    return rows


def _row_fit(cells: Sequence[str], pattern: tuple[str, ...]) -> float | None:
    total = -1.0  # each row costs one: fewer, fuller rows win
    for text, role in zip(cells, pattern, strict=True):
        fit = _cell_fit(text, role)
        if fit is None:
            return None
        total += fit
    return total


def _cell_fit(text: str, role: str) -> float | None:
    """How well a cell fits a column of the grid (None: it cannot stand there)."""
    key = normalise(text)
    l1, l2 = labels.level1_of(text), labels.level2_of(text)
    number = _number(text)
    if role == "level1":  # 成本指标 is a 一级 only above 经济/社会/生态环境成本指标, else the 二级 under 产出
        return (0.2 if l1 == labels.COST else 1.0) if l1 else None
    if role == "level2":
        return 1.0 if l2 else None
    coded = bool(labels.nature_of(text)) or is_sign_code(text)  # 定性, 定量, ≥, 大于等于
    if role in ("nature", "sign"):
        return 1.0 if coded else None
    if role == "unit":
        return 0.3 if len(key) <= 6 and number is None and not (l1 or l2 or coded) else None
    if role == "level3" and coded:
        return None
    if role == "level3" and (l1 or l2):
        return 0.05  # a label word as a name (成本指标 | 成本指标 | 未填报): possible, never likely
    if l1 or l2 or _TOTAL.match(key):
        return None  # a label or 总分 is never a row's content
    if role in ("weight", "points"):
        return 1.0 if number is not None and 0 <= number <= 100 else None
    if role == "level3":
        return 0.5 if number is None else None
    if role == "deviation":
        return 0.3 if number is None else None
    return 0.5  # 指标值, 调整后指标值, 实际完成值: a figure or words
