"""Named checks over one project table: structure, funds arithmetic, cost vs budget, goals.

Each check yields "hits": dicts of template fields, optionally with the `row` (an Indicator) the
finding points at. The engine turns hits into Findings with the rule's texts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from difflib import SequenceMatcher
from typing import Any, TypeVar

from ..model import Document, Indicator, Project
from ..textnorm import normalise
from .conditions import is_cost_row
from .profile import Profile

Hit = dict[str, Any]
ProjectCheck = Callable[[Project, Document, Mapping[str, Any], Profile], Iterable[Hit]]
PROJECT_CHECKS: dict[str, ProjectCheck] = {}
F = TypeVar("F", bound=Callable[..., Any])


def registrar(table: dict[str, Any]) -> Callable[[str], Callable[[F], F]]:
    """A decorator factory that files a named check in `table` (each scope keeps its own table)."""
    def named(name: str) -> Callable[[F], F]:
        def register(fn: F) -> F:
            table[name] = fn
            return fn
        return register
    return named


project_check = registrar(PROJECT_CHECKS)


def fmt_yuan(amount: float | None) -> str:
    if amount is None:
        return "—"
    if abs(amount) >= 10000:
        return f"{amount / 10000:,.2f}万元".replace(".00万元", "万元")
    return f"{amount:,.2f}元".replace(".00元", "元")


def _filled(rows: Iterable[Indicator]) -> list[Indicator]:
    return [r for r in rows if r.level3.strip() or r.value.text]


def _years(project: Project) -> int:
    m = re.search(r"(\d+)\s*年", unicodedata.normalize("NFKC", project.duration or ""))
    return max(int(m.group(1)), 1) if m else 1


def _one_year(project: Project) -> bool:
    attribute = project.attribute or ""
    return _years(project) == 1 or "1年结束" in attribute or "一次性" in attribute


# --- structure -------------------------------------------------------------------------------

@project_check("required_level1")
def required_level1(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    present = {r.level1 for r in _filled(p.indicators)}
    for level1 in params.get("required", []):
        if level1 not in present:
            yield {"missing": level1}


@project_check("required_level2")
def required_level2(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    present = {r.level2 for r in _filled(p.indicators)}
    if not any(r.level1 == "产出指标" for r in p.indicators):
        return  # the whole 一级 is missing: S01 says so
    missing = [level2 for level2 in params.get("required", []) if level2 not in present]
    if missing:
        yield {"missing": "、".join(missing)}


_UNFILLED = frozenset({"", "未填报", "未填写", "无", "/", "—", "-"})


def is_unfilled(text: str) -> bool:
    """A value cell that states no target (self-evaluation tables print 未填报 where the budget set none)."""
    return text.strip() in _UNFILLED


@project_check("missing_cost")
def missing_cost(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    cost_rows = [r for r in p.indicators if is_cost_row(r) and not is_unfilled(r.value.text)]
    if not cost_rows:
        yield {"placement": {"level1": "一级指标“成本指标”", "level2": "产出指标下的二级指标“成本指标”"}.get(
            profile.cost_as, "一级指标“成本指标”或产出指标下的二级指标“成本指标”")}
        return
    wanted = profile.cost_as
    if wanted == "level1" and not any(r.level1 == "成本指标" for r in cost_rows):
        yield {"placement": "一级指标“成本指标”（现为产出指标下的二级）", "row": cost_rows[0]}
    if wanted == "level2" and not any(r.level1 == "产出指标" for r in cost_rows):
        yield {"placement": "产出指标下的二级指标“成本指标”（现为一级）", "row": cost_rows[0]}


@project_check("duplicate_names")
def duplicate_names(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    """A name printed twice in one table. Where the print cut names to its column's width (the
    name is as long as the longest in the table), two rows sharing that prefix are the same
    indicator only when their 二级 and values agree too."""
    rows = [r for r in p.indicators if r.level3.strip()]
    longest = max((len(normalise(r.level3)) for r in rows), default=0)
    groups: dict[str, list[Indicator]] = {}
    for r in rows:
        groups.setdefault(normalise(r.level3), []).append(r)
    for name, group in groups.items():
        if len(group) < 2:
            continue
        if len(name) >= 6 and len(name) == longest:  # cut by the print: compare what is left
            same = Counter((r.level2, r.value.text) for r in group)
            (key, count), = same.most_common(1)
            if count < 2:
                continue
            group = [r for r in group if (r.level2, r.value.text) == key]
        yield {"row": group[0], "count": len(group)}


# --- funds -----------------------------------------------------------------------------------

@project_check("period_vs_annual_funds")
def period_vs_annual_funds(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    f = p.funds
    if f is None or f.period_total is None or f.annual_total is None:
        return
    tolerance = profile.tolerance_yuan
    if _one_year(p) and abs(f.period_total - f.annual_total) > tolerance:
        yield {"period_total": fmt_yuan(f.in_yuan(f.period_total)), "annual_total": fmt_yuan(f.in_yuan(f.annual_total)),
               "reason": f"项目期{p.duration or '1年'}（{p.attribute or '一次性项目'}）的实施期资金应等于年度资金"}
    elif f.annual_total > f.period_total + tolerance:
        yield {"period_total": fmt_yuan(f.in_yuan(f.period_total)), "annual_total": fmt_yuan(f.in_yuan(f.annual_total)),
               "reason": "年度资金不应超过实施期资金"}


@project_check("attribute_vs_duration")
def attribute_vs_duration(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    attribute = unicodedata.normalize("NFKC", p.attribute or "")
    m = re.search(r"\((\d+)年结束\)", attribute)
    if m and p.duration and _years(p) != int(m.group(1)):
        yield {"attribute": p.attribute, "duration": p.duration}


@project_check("sources_sum")
def sources_sum(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    f = p.funds
    if f is None:
        return
    tolerance = profile.tolerance_yuan
    sides = (("实施期", f.period_total, f.period_sources), ("年度", f.annual_total, f.annual_sources))
    for side, total, sources in sides:
        printed = [v for v in sources.values() if v is not None]
        if total is None or not printed:
            continue
        if abs(sum(printed) - total) > tolerance:
            yield {"side": side, "total": fmt_yuan(f.in_yuan(total)), "sum": fmt_yuan(f.in_yuan(sum(printed))),
                   "period": side}


@project_check("sources_split")
def sources_split(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    f = p.funds
    if f is None or not _one_year(p) or f.period_total != f.annual_total:
        return
    differing = [k for k in f.period_sources
                 if (f.period_sources.get(k) or 0) != (f.annual_sources.get(k) or 0)]
    if differing:
        detail = "；".join(f"{k}：实施期{fmt_yuan(f.in_yuan(f.period_sources.get(k) or 0))}、"
                          f"年度{fmt_yuan(f.in_yuan(f.annual_sources.get(k) or 0))}" for k in differing)
        yield {"detail": detail}


# --- cost vs budget ---------------------------------------------------------------------------

_PER_UNIT_NAME = re.compile(r"每人|每户|每家|每个|每次|每名|人均|户均|单价|标准|单位成本")
_MONTHLY_NAME = re.compile(r"^(每月|月均|月度)|每月.*(合计|总额|金额)")
_TIME_PER = frozenset({"年", "全年", "每年", "半年", "季", "季度", "月", "每月", "周", "旬"})


def cost_total(row: Indicator, years: int = 1) -> float | None:
    """The amount a money row commits to over `years`; None for a unit cost (per person, per item)."""
    v = row.value
    if v.kind != "money" or v.yuan is None:
        return None
    name = unicodedata.normalize("NFKC", row.full_name or row.level3)
    if v.per is not None and v.per not in _TIME_PER:
        return None  # 元/人, 元/户
    if _PER_UNIT_NAME.search(name) and not re.search(r"合计|总额|总计", name):
        return None
    if v.per is not None:
        return (v.annual_yuan or v.yuan) * years
    if _MONTHLY_NAME.search(name):
        return v.yuan * 12 * years
    return v.yuan


def _cost_rows(p: Project, period: str, money_outputs: bool = False) -> list[Indicator]:
    """Cost rows of one column set; with money_outputs, also money amounts filed under other 产出 二级."""
    rows = p.indicators if period == "实施期" else p.annual_indicators
    return [r for r in rows if is_cost_row(r) or (money_outputs and r.level1 == "产出指标" and r.value.kind == "money")]


@project_check("cost_exceeds_budget")
def cost_exceeds_budget(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    f = p.funds
    if f is None:
        return
    ratio = 1 + profile.tolerance_ratio
    seen: set[tuple[str, str]] = set()
    for period, budget in (("实施期", f.in_yuan(f.period_total)), ("年度", f.in_yuan(f.annual_total))):
        if not budget:
            continue
        years = _years(p) if period == "实施期" else 1
        rows = _cost_rows(p, period, money_outputs=True)
        totals = [(r, cost_total(r, years)) for r in rows]
        for r, total in totals:
            key = (normalise(r.full_name or r.level3), r.value.text)
            if total is not None and total > budget * ratio and key not in seen:
                seen.add(key)
                per = f"（折合{fmt_yuan(total)}）" if r.value.per else ""
                yield {"row": r, "period": period, "cost": r.value.raw + per, "budget": fmt_yuan(budget)}
        summed = [t for _, t in totals if t is not None]
        if len(summed) > 1 and sum(summed) > budget * ratio and all(t <= budget * ratio for t in summed):
            yield {"period": period, "cost": f"成本指标合计{fmt_yuan(sum(summed))}", "budget": fmt_yuan(budget)}


def _annual_budget(p: Project) -> float | None:
    return p.funds.in_yuan(p.funds.annual_total) if p.funds else None


@project_check("cost_restates_budget")
def cost_restates_budget(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    budget = _annual_budget(p)
    if not budget:
        return
    rows = [r for r in _cost_rows(p, "实施期") if r.value.text]
    if len(rows) != 1:
        return
    row = rows[0]
    amount = row.value.yuan if row.value.kind == "money" else (
        row.value.number if row.value.kind == "quantity" and not row.value.unit else None)
    if amount is not None and row.value.per is None and abs(amount - budget) <= max(1.0, budget * 0.005):
        yield {"row": row, "budget": fmt_yuan(budget)}


@project_check("cost_coverage")
def cost_coverage(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    budget = _annual_budget(p)
    if not budget:
        return
    rows = [r for r in _cost_rows(p, "年度") or _cost_rows(p, "实施期") if r.value.kind == "money"]
    totals = [cost_total(r) for r in rows]
    if not rows or any(t is None for t in totals):
        return  # unit costs: the quantity they multiply is not known
    share = sum(t for t in totals if t is not None) / budget
    if share < profile.cost_coverage_min:
        yield {"row": rows[0], "cost": fmt_yuan(sum(t for t in totals if t is not None)),
               "budget": fmt_yuan(budget), "share": f"{share:.1%}"}


# --- goals ------------------------------------------------------------------------------------

def containment(a: str, b: str) -> float:
    """How much of the shorter text appears, in order, in the longer (0–1)."""
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    pairs = {short[i:i + 2] for i in range(len(short) - 1)}
    if pairs and len(pairs & {long_[i:i + 2] for i in range(len(long_) - 1)}) / len(pairs) < 0.6:
        return 0.0  # most character pairs of the shorter text are missing: far from a copy
    matcher = SequenceMatcher(None, short, long_, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(short)


_FIELD_LABELS = {"overview": "项目概况", "basis": "立项依据", "necessity": "项目设立必要性",
                 "measures": "保证项目实施的制度、措施", "plan": "项目实施计划"}


def distinct_goals(p: Project) -> list[tuple[str, str]]:
    """(period, goal) for each printed goal; a 年度 goal equal to the 实施期 one is not repeated."""
    goals = [("实施期", p.goal_period)]
    if p.goal_annual and normalise(p.goal_annual) != normalise(p.goal_period):
        goals.append(("年度", p.goal_annual))
    return [(period, goal) for period, goal in goals if goal]


@project_check("goal_copies_field")
def goal_copies_field(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    """The fields a goal copies, named by how much of the goal each one supplies (the best, and any
    as good), quoting the copied part itself: what the finding says was copied is what was."""
    threshold = profile.goal_similarity
    for period, goal in distinct_goals(p):
        text = normalise(goal)
        copied = [(attr, label) for attr, label in _FIELD_LABELS.items()
                  if getattr(p, attr) and len(normalise(getattr(p, attr))) >= 10
                  and containment(goal, getattr(p, attr)) >= threshold]
        if not copied:
            continue
        covers = {attr: _coverage(text, normalise(getattr(p, attr))) for attr, _ in copied}
        best = max(covers.values())
        named = [(attr, label) for attr, label in copied if covers[attr] >= best - 0.1]
        quote = text if best >= 0.8 else _copied_part(text, normalise(getattr(p, named[0][0])))
        yield {"period": period, "fields": "、".join(label for _, label in named),
               "goal": quote[:40] + ("…" if len(quote) > 40 else ""),
               "example": _example_for(p, params.get("examples") or [])}


def _copied_part(goal: str, field: str) -> str:
    """The goal from where its first copied run (10 characters or more) begins."""
    for block in SequenceMatcher(None, goal, field, autojunk=False).get_matching_blocks():
        if block.size >= 10:
            return goal[block.a:]
    return goal


def _coverage(goal: str, field: str) -> float:
    """The share of the goal's characters that come from the field."""
    if not goal:
        return 0.0
    matcher = SequenceMatcher(None, goal, field, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(goal)


_INPUT_ONLY = re.compile(r"^(为|向)?.{0,24}?(拨付|安排|发放|支付|缴纳|兑现|申请|下达)(了)?.{0,30}?"
                         r"(资金|经费|补贴|奖励|奖补|补助|费用|工资|保障金|抚恤金)(\d+(\.\d+)?万?元)?[。.;；]?$")
_OUTCOME = re.compile(r"提升|提高|促进|带动|实现|建成|完成|覆盖|达到|改善|降低|减少|增加|增长|培育|新增"
                      r"|确保.{0,6}(率|%)")
_RUNNING_ONLY = re.compile(r".{0,12}(保障|保证|确保).{0,20}(正常运转|顺利运转|运行)[。.]?")


@project_check("goal_input_only")
def goal_input_only(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    """A goal that only spends or keeps running; the rewrite example fits the kind of project (the
    rule's `examples`: the first whose `project` pattern the project's name matches)."""
    for period, goal in distinct_goals(p):
        text = normalise(goal)
        if (_INPUT_ONLY.match(text) or _RUNNING_ONLY.fullmatch(text)) and not _OUTCOME.search(text):
            yield {"period": period, "goal": goal, "example": _example_for(p, params.get("examples") or [])}


def _example_for(p: Project, examples: Iterable[Mapping[str, str]]) -> str:
    for example in examples:
        if re.search(example.get("project") or "", f"{p.name} {p.overview or ''}"):
            return example.get("text", "")
    return ""


_GOAL_MONEY = re.compile(r"(\d+(?:\.\d+)?)\s*(万元|元|万(?=[，,。；;、)）\s]|$))(?!/)")


@project_check("goal_amounts_vs_funds")
def goal_amounts_vs_funds(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    """Money a goal states should match the funds of its column (or a cost indicator)."""
    f = p.funds
    if f is None:
        return
    costs = {round(r.value.yuan or 0) for r in [*p.indicators, *p.annual_indicators] if r.value.yuan}
    texts = (("实施期", "总体目标", p.goal_period, f.in_yuan(f.period_total)),
             ("年度", "总体目标", p.goal_annual, f.in_yuan(f.annual_total)),
             ("实施期", "项目概况", p.overview, f.in_yuan(f.period_total)))
    for period, field, goal, total in texts:
        if not goal or not total:
            continue
        amounts = [float(m.group(1)) * (1 if m.group(2) == "元" else 10000)
                   for m in _GOAL_MONEY.finditer(unicodedata.normalize("NFKC", goal))]
        if amounts and not any(abs(a - total) <= max(1.0, total * 0.005) or round(a) in costs for a in amounts):
            stated = "、".join(fmt_yuan(a) for a in amounts[:3])
            yield {"period": period, "field": field if field == "项目概况" else f"{period}总体目标",
                   "stated": stated, "funds": fmt_yuan(total)}


@project_check("goal_numbers_vs_indicators")
def goal_numbers_vs_indicators(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    from .narrative import unmatched_promises

    goal = p.goal_annual or p.goal_period
    if goal:
        for promise in unmatched_promises(goal, [*p.indicators]):
            yield {"promise": promise.text, "detail": promise.detail, "period": "年度" if p.goal_annual else "实施期"}


@project_check("multi_year_same_targets")
def multi_year_same_targets(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    if _one_year(p) or not p.goal_annual or normalise(p.goal_annual) != normalise(p.goal_period):
        return
    left = [(r.level2, normalise(r.level3), r.value.text) for r in p.indicators]
    right = [(r.level2, normalise(r.full_name or r.level3), r.value.text) for r in p.annual_indicators]
    if not p.annual_indicators or left == right:
        yield {"duration": p.duration}


@project_check("filled_date")
def filled_date(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    m = re.match(r"(\d{4})(\d{2})(\d{2})", p.filled_on or "")
    if not m or not doc.year or doc.kind != "budget":
        return
    year, month = int(m.group(1)), int(m.group(2))
    if year > doc.year or (year == doc.year and month > int(params.get("latest_month", 6))):
        yield {"filled": f"{year}年{month}月{int(m.group(3))}日", "year": doc.year}

