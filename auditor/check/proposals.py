"""Proposed values for what the rules flag, for `auditor fix`: the unit's own tables with every flagged
value replaced by a proposal the unit confirms.

A proposal comes from the project's own text where it can (a deadline from 实施计划 or the goal, a
unit cost from the funds ÷ the quantity indicator), else from the profile's rules of thumb (a cost
cap written ≤, satisfaction ≥ the floor, a zero-error rate =100%), else from the indicator library
(what similar projects use). A row nothing can be proposed for is left as it was, and its findings
stay in the list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Document, Finding, Indicator, Project, Proposal
from ..textnorm import normalise
from ..values import parse_value
from ..vocabulary import VALUE_FIX_KINDS
from .conditions import is_cost_row, is_satisfaction_row
from .library import Library
from .profile import Profile

_DEADLINE = re.compile(r"(?:(20\d{2})年)?(1[0-2]|[1-9])月(?:(底|末)|(3[01]|[12]\d|[1-9])日)(?:前|之前)?")
_ZERO_ERROR = re.compile(r"准确|合规|足额|规范|安全|合格|达标|完好|到位|兑现|发放率|执行率")
_COST_FIXES = frozenset({"cost_wrong_direction", "cost_exceeds_budget", "cost_qualitative"})
_EMPTY = frozenset({"empty_value", "placeholder_value", "impossible_percent"})
_TIMELINESS = frozenset({"timeliness_no_deadline", "bad_time_token"})
_MISFILED_MONEY = frozenset({"quantity_in_money", "misplaced_indicator"})
# what a new value answers (a misfiled row, say, stays for the unit to move)
ANSWERED_KINDS = VALUE_FIX_KINDS | _COST_FIXES | _EMPTY | _TIMELINESS | {"satisfaction_low", "doubled_value"}


def _money(amount: float) -> str:
    return f"{amount:.2f}".rstrip("0").rstrip(".")


def _funds_yuan(p: Project, period: str = "年度") -> float | None:
    """The funds a column set's costs must stay within: 实施期 or 年度 (the other when one is missing)."""
    if p.funds is None:
        return None
    first, second = ((p.funds.period_total, p.funds.annual_total) if period == "实施期"
                     else (p.funds.annual_total, p.funds.period_total))
    return p.funds.in_yuan(first if first is not None else second)


def deadline_of(p: Project, year: int | None) -> tuple[str, str]:
    """The project's own deadline (实施计划, then the goals), or the year's end: (value, source)."""
    year = year or 2026
    for label, text in (("实施计划", p.plan), ("年度目标", p.goal_annual), ("总体目标", p.goal_period),
                        ("项目概况", p.overview)):
        found = [m for m in _DEADLINE.finditer(normalise(text)) if not m.group(1) or int(m.group(1)) == year]
        if found:
            m = max(found, key=lambda m: (int(m.group(2)), 31 if m.group(3) else int(m.group(4))))
            month = int(m.group(2))
            day = int(m.group(4)) if m.group(4) else (31 if month in (1, 3, 5, 7, 8, 10, 12) else 30)
            if month == 2 and not m.group(4):
                day = 28
            return f"{year}年{month}月{day}日前", f"本项目{label}（“{m.group(0)}”）"
    return f"{year}年12月31日前", "预算年度末（本项目文字中没有写明时限，请按实际进度修改）"


def _quantity(p: Project) -> Indicator | None:
    """The main quantity indicator: the first 数量指标 row with a number and a unit that is not money."""
    return next((r for r in (*p.indicators, *p.annual_indicators)
                 if r.level2 == "数量指标" and r.value.number and r.value.unit and r.value.kind == "quantity"
                 and "%" not in (r.value.unit or "")), None)


def _cost_value(p: Project, row: Indicator | None, period: str = "年度") -> tuple[str, str] | None:
    """A cost cap: the row's own amount written ≤ where it has one within the funds; else the unit cost
    (funds ÷ the quantity indicator); else the column set's funds."""
    funds = _funds_yuan(p, period)
    v = row.value if row is not None else None
    if v is not None and v.number is not None and v.kind == "money":
        within = funds is None or v.annual_yuan is None or v.annual_yuan <= funds * 1.0001
        if within and v.comparator in ("≥", ">", None, "="):
            return f"≤{_money(v.number)}{v.unit or '元'}", "成本指标是控制上限，应写成“≤”"
        if within:
            return None
    if funds is None:
        return None
    quantity = _quantity(p)
    if quantity is not None:
        per = (quantity.value.unit or "").split("/")[0]
        return (f"≤{_money(funds / quantity.value.number)}元/{per}",
                f"项目资金÷数量指标（{_money(funds)}元÷{quantity.value.text}）")
    return f"≤{_money(funds)}元", f"本项目{period}资金（成本不超过预算）"


def _rate_value(row: Indicator) -> tuple[str, str]:
    if _ZERO_ERROR.search(row.full_name or row.level3):
        return "=100%", "审核口径：准确、合规、足额类比率应零差错"
    return "≥95%", "审核常用值：质量类比率"


def _is_money_misfiled(p: Project, row: Indicator, kinds: set[str]) -> bool:
    """Money filed under 数量/质量/时效/满意度 in a table with no cost row of its own: it is the cost, and
    belongs under 成本指标 (beside a cost row it is a second count of the funds, for the unit to replace)."""
    if is_cost_row(row) or row.value.kind != "money" or not kinds & ({"quantity_in_money", "misplaced_indicator"}
                                                                      | _COST_FIXES):
        return False
    # the column set holding the row (a self-evaluation table's one set is its 年度 rows, in p.indicators)
    same_set = p.indicators if any(r is row for r in p.indicators) else p.annual_indicators
    return not any(is_cost_row(r) and r.value.text for r in same_set)


def _value_for(p: Project, row: Indicator, kinds: set[str], doc: Document, profile: Profile,
               library: Library | None) -> tuple[str, str] | None:
    """One proposed value for a flagged row, or None."""
    if (is_cost_row(row) and (kinds & (_COST_FIXES | _EMPTY | VALUE_FIX_KINDS))) or _is_money_misfiled(p, row, kinds):
        return _cost_value(p, row, row.period)
    if is_satisfaction_row(row) and kinds & (VALUE_FIX_KINDS | _EMPTY | {"satisfaction_low"}):
        floor = max(90.0, profile.satisfaction_floor)
        return f"≥{floor:g}%", f"审核口径：满意度不低于{profile.satisfaction_floor:g}%（常用≥90%）"
    if row.level2 == "时效指标" and kinds & (_TIMELINESS | _EMPTY | {"vague_value", "yes_no_value"}):
        return deadline_of(p, doc.year)
    if "impossible_percent" in kinds:
        return "=100%", "百分比不超过100%"
    if row.level2 == "质量指标" and kinds & (VALUE_FIX_KINDS | _EMPTY):
        return _rate_value(row)
    if library is not None and kinds & (VALUE_FIX_KINDS | _EMPTY):
        examples = library.values_for(p, row, doc.name, top=1)
        if examples:
            return examples[0].text, f"指标库：{examples[0].projects}个同类项目使用"
    if row.value.doubled and kinds == {"doubled_value"}:
        return row.value.text, "去掉导出时重复的文字"
    return None


def _placement(profile: Profile) -> tuple[str, str]:
    return ("成本指标", "经济成本指标") if profile.cost_as == "level1" else ("产出指标", "成本指标")


def _added_rows(p: Project, kinds: set[str], doc: Document, profile: Profile, library: Library | None,
                moved_cost: bool) -> list[Proposal]:
    """Indicators proposed for what the table lacks."""
    rows: list[Proposal] = []
    period = "实施期"

    def add(level1: str, level2: str, level3: str, value: str, source: str, rule: str) -> None:
        rows.append(Proposal(p.name, period, level1, level2, level3, None, value, source, (rule,)))

    present = {r.level2 for r in (*p.indicators, *p.annual_indicators) if r.value.text}
    levels = {r.level1 for r in (*p.indicators, *p.annual_indicators) if r.value.text}
    if "missing_cost" in kinds and not moved_cost:
        cost = _cost_value(p, None, period)
        if cost is not None:
            level1, level2 = _placement(profile)
            name = "单位成本" if "÷" in cost[1] else "项目成本"
            add(level1, level2, name, cost[0], cost[1], "S02")
    if "missing_output_dimension" in kinds or "missing_level1" in kinds:
        if "时效指标" not in present:
            value, source = deadline_of(p, doc.year)
            add("产出指标", "时效指标", "任务完成时间", value, source, "S03")
        if "质量指标" not in present:
            add("产出指标", "质量指标", "任务验收合格率", "≥95%", "审核常用值：质量类比率", "S03")
        if "数量指标" not in present and library is not None:
            for e in library.indicators_for(p, ["数量指标"], doc.name, top=1):
                add("产出指标", "数量指标", e.level3, e.value,
                    f"指标库：{e.projects}个同类项目使用（数量请按本项目修改）", "S03")
    if "missing_level1" in kinds and "满意度指标" not in levels:
        add("满意度指标", "服务对象满意度", "服务对象满意度", f"≥{max(90.0, profile.satisfaction_floor):g}%",
            f"审核口径：满意度不低于{profile.satisfaction_floor:g}%", "S01")
    if "missing_benefit" in kinds and library is not None:
        for e in library.indicators_for(p, ["社会效益", "经济效益", "可持续影响"], doc.name, top=1):
            add("效益指标", "社会效益", e.level3, e.value, f"指标库：{e.projects}个同类项目使用", "S04")
    return rows


def propose(doc: Document, findings: Sequence[Finding], profile: Profile,
            library: Library | None = None) -> list[Proposal]:
    """Every proposal for one document: a value for each flagged row (the same row of the other column
    set too), then the rows each table lacks."""
    out: list[Proposal] = []
    for p in doc.projects:
        mine = [f for f in findings if f.project == p.name]
        by_row: dict[tuple[str, str], tuple[Indicator, set[str], set[str]]] = {}
        rows = (*p.indicators, *p.annual_indicators)
        for f in mine:
            if f.level3 is None:
                continue
            row = next((r for r in rows if r.line == f.location.line and r.period == f.period), None)
            if row is None:
                continue
            key = (normalise(row.full_name or row.level3), row.value.raw)
            entry = by_row.setdefault(key, (row, set(), set()))
            entry[1].add(f.kind)
            if f.kind in ANSWERED_KINDS or (f.kind in _MISFILED_MONEY and row.value.kind == "money"):
                entry[2].add(f.rule)
        moved_cost = False
        for row in rows:
            key = (normalise(row.full_name or row.level3), row.value.raw)
            if key not in by_row:
                continue
            _, kinds, rules = by_row[key]
            found = _value_for(p, row, kinds, doc, profile, library)  # this row's own column set and funds
            if not rules or found is None or (parse_value(found[0]).text == row.value.text and not row.value.doubled):
                continue
            level1, level2, source = row.level1, row.level2, found[1]
            if _is_money_misfiled(p, row, kinds):
                level1, level2 = _placement(profile)
                source = f"金额是成本，由{row.level2}移至{level2}；{source}"
                rules = rules | {f.rule for f in mine if f.kind == "missing_cost"}
                moved_cost = True
            out.append(Proposal(p.name, row.period, level1, level2, row.full_name or row.level3,
                                row.value.raw, found[0], source, tuple(sorted(rules)), row.line))
        table_kinds = {f.kind for f in mine if f.level3 is None}
        out.extend(_added_rows(p, table_kinds, doc, profile, library, moved_cost))
    return out
