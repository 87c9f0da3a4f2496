"""Builders that read one target table line by line: header fields first, then the grid."""

from __future__ import annotations

import re

from .. import vocabulary as labels
from ..model import Funds, OverallTable, Project
from ..sources.base import Line
from ..textnorm import normalise
from ..values import parse_amount
from .fields import (
    OVERALL_FIELDS,
    PROJECT_FIELDS,
    SOURCE_KEYS,
    cell_key,
    cells_of,
    collapse_space,
    field_cells,
    field_of,
    is_prose,
    join_name,
    raw_cells,
)
from .grid import GridReader

_YEAR_LINE = re.compile(r"^[(（]?\d{4}[)）]?年度?[)）]?$|^[(（]\d{4}年度[)）]$")
_TEXT_FIELDS = ("overview", "basis", "necessity", "measures", "plan")


def is_year_line(text: str) -> bool:
    return bool(_YEAR_LINE.match(normalise(text)))


def is_title_line(text: str) -> bool:
    if "绩效目标" not in text or "\t" in text.strip():
        return False
    k = normalise(text)
    return len(k) <= 60 and "\t" not in text.strip() and (
        "项目支出绩效目标表" in k or bool(re.search(r"整体(支出)?绩效目标(申报)?表", k))
    ) and "见附件" not in k and "....." not in k


def grid_like(cells: list[str]) -> bool:
    """Does a line look like part of an indicator grid (labels or header words)?"""
    for c in cells:
        k = normalise(c)
        if k in labels.HEADER_WORDS or labels.level2_of(c) or k in labels.GRID_ROW_LABELS:
            return True
    return False


class ProjectBuilder:
    """Reads one 项目支出绩效目标表. Feed lines until `done` (the footer row) or the next table."""

    def __init__(self, start: int) -> None:
        self.start = self.end = start
        self.values: dict[str, list[str]] = {}
        self.funds_unit = "元"
        self.funds: dict[str, float | None] = {}
        self.source_seen: dict[str, int] = {}
        self.goals: list[str] = []
        self.last_field: str | None = None
        self.grid: GridReader | None = None
        self.two_sets = True
        self.done = False
        self.filled_on: str | None = None
        self.notes: list[str] = []
        self.pending: str | None = None  # a label printed alone: its value is on the next line

    def ends_at(self, line: Line) -> bool:
        """Running text after the grid ends a table that printed no footer."""
        return self.grid is not None and is_prose(line.text)

    # -- header ---------------------------------------------------------------------------
    def feed(self, line: Line) -> None:
        self.end = line.number
        cells = field_cells(line.text, PROJECT_FIELDS)
        if not cells or is_year_line(line.text) or is_title_line(line.text):
            return
        keyed = [(field_of(c, PROJECT_FIELDS), c) for c in cells]
        if any(k == "footer" for k, _ in keyed):
            self._footer(cells)
            return
        if self.grid is not None or (grid_like(cells) and not any(k for k, _ in keyed if k != "funds")):
            self._grid_line(line)
            return
        if not any(k for k, _ in keyed):
            if self.pending is not None:
                self._keyed_line([(None, c) for c in cells], self.pending)
                return
            self._continuation(cells)
            return
        self._keyed_line(keyed, self.pending)  # cells before the first label finish the open one

    def _keyed_line(self, keyed: list[tuple[str | None, str]], pending: str | None = None) -> None:
        """Assign each value to the label before it (`pending`: the label a previous line left open)."""
        current: str | None = pending
        open_label, self.pending = self.pending, None
        goal_values: list[str] = []
        filled = False
        for key, cell in keyed:
            if key is not None:
                previous, current = current, key
                if key == "funds":
                    unit = re.search(r"\((万元|元)\)", normalise(cell))
                    self.funds_unit = unit.group(1) if unit else self.funds_unit
                elif key in ("period_total", "annual_total"):
                    self.funds.setdefault(key, None)
                elif key.startswith("src:"):
                    side = self.source_seen.get(key, 0)
                    self.source_seen[key] = side + 1
                    current = f"{key}:{'period' if side == 0 else 'annual'}"
                    self.funds.setdefault(current, None)
                elif key in ("goal_labels",):
                    # 总体目标 | 实施期目标 | 年度目标: the goals follow, on this line or the next
                    current = "goal" if "goal" in (previous, open_label) else None
                filled = False
                continue
            if current is None:
                continue
            filled = True
            if current in ("period_total", "annual_total") or current.startswith("src:"):
                amount = parse_amount(cell)
                if amount is not None and self.funds.get(current) is None:
                    self.funds[current] = amount
                continue
            if current == "goal":
                goal_values.append(collapse_space(cell))
                continue
            self.values.setdefault(current, []).append(cell)
            self.last_field = current
        if goal_values:
            self.goals = [*self.goals, *goal_values] if pending == "goal" else goal_values
            self.last_field = "goal"
        if current is not None and (not filled or (current == "goal" and pending == "goal")):
            self.pending = current  # label alone (or goals one per line): the value follows

    def _continuation(self, cells: list[str]) -> None:
        """A line with no label: a wrapped name or text, or a split funds label ('金')."""
        if all(len(normalise(c)) <= 2 for c in cells):
            return
        if all(parse_amount(c) is not None for c in cells):
            return
        if self.last_field == "goal" and self.goals:
            if len(cells) == len(self.goals):
                self.goals = [g + c for g, c in zip(self.goals, cells, strict=False)]
            else:
                self.goals[-1] += "".join(cells)
        elif self.last_field in ("name", *_TEXT_FIELDS, "department", "implementer"):
            self.values.setdefault(self.last_field, []).append("".join(cells))

    def _footer(self, cells: list[str]) -> None:
        for c in cells:
            if re.fullmatch(r"\d{8,14}|\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?", normalise(c)):
                self.filled_on = normalise(c)
        self.done = True

    # -- grid -----------------------------------------------------------------------------
    def _grid_line(self, line: Line) -> None:
        cells = raw_cells(line.text)
        if self.grid is None:
            self.grid = GridReader(two_sets=True, cost_is_level1=False)
        self.grid.feed(line.number, cells)

    # -- result ---------------------------------------------------------------------------
    def text(self, key: str) -> str | None:
        parts = self.values.get(key)
        if not parts:
            return None
        unique: list[str] = []
        for p in parts:
            if p not in unique:
                unique.append(p)
        joined = join_name("".join(unique)) if key == "name" else collapse_space(" ".join(unique))
        return joined or None

    def build(self) -> Project | None:
        name = self.text("name")
        if not name:
            return None
        left, right, empty = self.grid.result() if self.grid else ([], [], [])
        if self.grid is not None and not self.grid.two_sets:
            self.two_sets = False  # the grid's header names one column set
        if right and all(r.mirrored for r in right):
            # no row printed a 年度 half of its own: a table with one column set
            right, self.two_sets = [], False
        funds = None
        if self.funds:
            funds = Funds(
                unit=self.funds_unit,
                period_total=self.funds.get("period_total"),
                annual_total=self.funds.get("annual_total"),
                period_sources={k: self.funds.get(f"src:{k}:period") for k in SOURCE_KEYS},
                annual_sources={k: self.funds.get(f"src:{k}:annual") for k in SOURCE_KEYS},
            )
        goals = [g for g in self.goals if g]
        return Project(
            name=name, line_start=self.start, line_end=self.end,
            department=self.text("department"), implementer=self.text("implementer"),
            attribute=self.text("attribute"), duration=self.text("duration"), funds=funds,
            overview=self.text("overview"), basis=self.text("basis"), necessity=self.text("necessity"),
            measures=self.text("measures"), plan=self.text("plan"),
            goal_period=goals[0] if goals else None,
            goal_annual=goals[1] if len(goals) > 1 else None,
            indicators=tuple(left), annual_indicators=tuple(right), empty_level2=tuple(empty),
            has_annual_columns=self.two_sets, filled_on=self.filled_on, notes=tuple(self.notes),
        )


_MULTILINE = ("duties", "strategy", "goal")  # overall-table fields whose text may wrap onto more lines
_BUDGET_LABELS = [
    ("total", re.compile(r"^(其中:?)?(合计|总计|资金总额|预算总额)$")),
    ("basic", re.compile(r"^(其中:?)?基本支出$")),
    ("project", re.compile(r"^(其中:?)?项目支出$")),
]


class OverallBuilder:
    """Reads one 部门(单位)整体支出绩效目标(申报)表 (one indicator column set)."""

    def __init__(self, start: int) -> None:
        self.start = self.end = start
        self.values: dict[str, list[str]] = {}
        self.section: str | None = None
        self.unit = "万元"
        self.totals: list[float] = []
        self.basic: float | None = None
        self.project: float | None = None
        self.sources: dict[str, float] = {}
        self.tasks: list[tuple[str, str]] = []
        self.grid: GridReader | None = None
        self.done = False

    def ends_at(self, line: Line) -> bool:
        return self.grid is not None and is_prose(line.text)

    def feed(self, line: Line) -> None:
        self.end = line.number
        cells = cells_of(line.text)
        if not cells or is_year_line(line.text) or is_title_line(line.text):
            return
        keyed = [(field_of(c, OVERALL_FIELDS), c) for c in cells]
        if any(k == "footer" for k, _ in keyed):
            self.done = True
            return
        if self.grid is not None or grid_like(cells):
            if self.grid is None:
                self.grid = GridReader(two_sets=False)
            self.grid.feed(line.number, raw_cells(line.text))
            return
        current: str | None = None
        rest: list[str] = []
        first_key = next((i for i, (k, _) in enumerate(keyed) if k is not None), None)
        for i, (key, cell) in enumerate(keyed):
            if i == first_key:
                current = key
                continue
            if first_key is not None and i < first_key:
                continue  # a section label in front of the field ("部门基本信息 | 部门名称 | …")
            rest.append(cell)
        if current is not None:
            self.section = current
        if self.section == "budget":
            self._budget(rest if current else cells)
        elif self.section == "tasks":
            if current is None and len(rest) >= 2:
                self.tasks.append((collapse_space(rest[0]), collapse_space(" ".join(rest[1:]))))
            elif current is None and len(rest) == 1:
                self.tasks.append((collapse_space(rest[0]), ""))
        elif self.section is not None and rest and (current is not None or self.section in _MULTILINE):
            self.values.setdefault(self.section, []).append(" ".join(rest))

    def _budget(self, cells: list[str]) -> None:
        if any("(元)" in normalise(c) and "万元" not in normalise(c) for c in cells):
            self.unit = "元"
        label: str | None = None
        for cell in cells:
            amount = parse_amount(cell)
            if amount is None:
                label = cell_key(cell)
                continue
            if label is None:
                continue
            if self.unit == "元":
                amount = amount / 10000
            kind = next((k for k, p in _BUDGET_LABELS if p.search(label)), None)
            if kind == "total":
                self.totals.append(amount)
            elif kind == "basic":
                self.basic = amount
            elif kind == "project":
                self.project = amount
            else:
                self.sources[re.sub(r"^其中:?", "", label)] = amount
            label = None

    def build(self) -> OverallTable:
        left, _, empty = self.grid.result() if self.grid else ([], [], [])

        def text(key: str) -> str | None:
            parts = self.values.get(key)
            return collapse_space(" ".join(parts)) if parts else None

        return OverallTable(
            line_start=self.start, line_end=self.end, department=text("department"),
            budget_total_wan=self.totals[0] if self.totals else None, basic_wan=self.basic,
            project_wan=self.project, sources_wan=dict(self.sources), duties=text("duties"),
            strategy=text("strategy"), tasks=tuple(self.tasks), annual_goal=text("goal"),
            indicators=tuple(left), empty_level2=tuple(empty),
        )
