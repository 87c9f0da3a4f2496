"""Named checks over one project and the same project's table of an earlier year (scope `pair`).

A reviewer's strongest findings come from comparison: targets copied unchanged while the funds
moved, targets lowered to be easy, indicators dropped, last year's shortfalls not followed up.
The engine (across.py) matches the projects and their rows; each check yields hits like the
project checks do, with the new row (`row`) and the old one (`old_row`) they point at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model import Document, Indicator, Project, Value
from .conditions import is_cost_row
from .matching import year_free
from .profile import Profile
from .project_checks import Hit, fmt_yuan, registrar
from .selfeval_checks import met


@dataclass(frozen=True, slots=True)
class Pair:
    """A project in a new document matched with the same unit's project of an earlier year, and their rows:
    matched (old, new), dropped (old, None) and added (None, new)."""

    old_doc: Document
    new_doc: Document
    old: Project
    new: Project
    rows: tuple[tuple[Indicator | None, Indicator | None], ...]

    @property
    def matched(self) -> list[tuple[Indicator, Indicator]]:
        return [(o, n) for o, n in self.rows if o is not None and n is not None]

    def funds(self) -> tuple[float | None, float | None]:
        """Annual funds (元) of the old and the new table."""
        def annual(p: Project) -> float | None:
            return p.funds.in_yuan(p.funds.annual_total) if p.funds else None
        return annual(self.old), annual(self.new)


PairCheck = Callable[[Pair, Mapping[str, Any], Profile], Iterable[Hit]]
PAIR_CHECKS: dict[str, PairCheck] = {}

pair_check = registrar(PAIR_CHECKS)


def _years(pair: Pair) -> dict[str, Any]:
    return {"old_year": pair.old_doc.year or "上年", "new_year": pair.new_doc.year or "本年",
            "old_project": pair.old.name}


def _funds_change(pair: Pair) -> float | None:
    old, new = pair.funds()
    if not old or new is None:
        return None
    return (new - old) / old


@pair_check("copied_targets")
def copied_targets(pair: Pair, params: Mapping[str, Any], profile: Profile):
    """Every indicator and value as last year (years in dates aside) while the funds moved."""
    if not pair.matched or any(o is None or n is None for o, n in pair.rows):
        return
    if any(year_free(o.value.text) != year_free(n.value.text) for o, n in pair.matched):
        return
    change = _funds_change(pair)
    if change is None or abs(change) <= profile.compare_funds_change:
        return
    old, new = pair.funds()
    yield {**_years(pair), "rows": len(pair.matched), "old_funds": fmt_yuan(old), "new_funds": fmt_yuan(new),
           "change": f"{change:+.0%}"}


def _same_unit(a: Value, b: Value) -> bool:
    return (a.unit or "") == (b.unit or "") or {a.kind, b.kind} == {"percent"}


def _loosened(o: Indicator, n: Indicator, funds_ratio: float | None) -> str | None:
    """How the new target asks less than the old one, or None."""
    ov, nv = o.value, n.value
    if is_cost_row(n) or is_cost_row(o) or "money" in (ov.kind, nv.kind):
        return None  # cost caps follow the funds
    if ov.kind == "deadline" and nv.kind == "deadline" and ov.date and nv.date and ov.date[1] and nv.date[1]:
        old_md, new_md = (ov.date[1], ov.date[2] or 31), (nv.date[1], nv.date[2] or 31)
        return "完成时限推后" if new_md > old_md else None
    if ov.number is not None and nv.number is None and nv.kind in ("qualitative", "yesno"):
        return "由定量改为定性"
    if ov.number is None or nv.number is None or not _same_unit(ov, nv) or ov.kind == "deadline":
        return None
    caps = ("≤", "<")
    if (ov.comparator in caps) != (nv.comparator in caps):
        return None
    if ov.comparator in caps:
        return "上限放宽" if nv.number > ov.number else None
    if nv.number >= ov.number:
        return None
    if nv.kind == "quantity" and funds_ratio is not None and ov.number and funds_ratio <= nv.number / ov.number:
        return None  # the funds fell at least as much as the quantity
    return "目标值降低"


@pair_check("lowered_targets")
def lowered_targets(pair: Pair, params: Mapping[str, Any], profile: Profile):
    change = _funds_change(pair)
    ratio = None if change is None else 1 + change
    for o, n in pair.matched:
        how = _loosened(o, n, ratio)
        if how:
            yield {**_years(pair), "row": n, "old_row": o, "old_value": o.value.raw, "how": how}


def _shortfall(pair: Pair, row: Indicator) -> bool:
    """Missed last year, by the self-evaluation — money aside (spending less than planned is no shortfall
    of the work, and cost targets follow the funds)."""
    if is_cost_row(row) or row.value.kind == "money":
        return False
    return pair.old.self_evaluation and met(row) is False


@pair_check("dropped_indicators")
def dropped_indicators(pair: Pair, params: Mapping[str, Any], profile: Profile):
    for o, n in pair.rows:
        if n is None and o is not None and not _shortfall(pair, o):
            yield {**_years(pair), "old_row": o, "old_name": o.full_name or o.level3, "old_value": o.value.raw,
                   "level2": o.level2}


@pair_check("added_indicators")
def added_indicators(pair: Pair, params: Mapping[str, Any], profile: Profile):
    for o, n in pair.rows:
        if o is None and n is not None:
            yield {**_years(pair), "row": n}


def _explained(project: Project, name: str) -> bool:
    """The new table's own text says something about the indicator (its name, or a stretch of it)."""
    text = "".join(filter(None, (project.overview, project.plan, project.measures, project.goal_period,
                                 project.goal_annual, project.necessity)))
    return len(name) >= 2 and any(name[i:i + 4] in text for i in range(max(1, len(name) - 3)))


def _raised(o: Indicator, n: Indicator) -> bool:
    ov, nv = o.value, n.value
    if ov.number is None or nv.number is None or not _same_unit(ov, nv):
        return False
    return nv.number < ov.number if ov.comparator in ("≤", "<") else nv.number > ov.number


@pair_check("shortfalls_unaddressed")
def shortfalls_unaddressed(pair: Pair, params: Mapping[str, Any], profile: Profile):
    """Last year's self-evaluation says the target was missed; this year's table neither raises the
    target (nor keeps it with a word on how it will be met) — or drops the indicator."""
    if not pair.old.self_evaluation:
        return
    for o, n in pair.rows:
        if o is None or not _shortfall(pair, o):
            continue
        actual = getattr(o, "actual", None) or "—"
        base = {**_years(pair), "old_row": o, "old_name": o.full_name or o.level3, "old_value": o.value.raw,
                "actual": actual}
        if n is None:
            yield {**base, "level2": o.level2, "now": "本年删去了该指标"}
        elif not _raised(o, n) and not _explained(pair.new, year_free(n.full_name or n.level3)):
            yield {**base, "row": n, "now": f"本年目标仍为“{n.value.raw}”，也没有说明改进措施"}
