"""Build small documents from a rule's pass/fail examples, so every example can be run.

Row examples are one indicator ({level2, level3, value}); project examples give rows, funds,
goals and header fields; document examples give the narrative's claims, the budget figures and
projects, 整体 tables, fragments and repeated tables. Used by the tests and `auditor explain`.
"""

from __future__ import annotations

from typing import Any

from ..model import (
    BudgetFigures,
    Declared,
    Document,
    Entry,
    EvaluatedIndicator,
    Finding,
    Fragment,
    Funds,
    Indicator,
    OverallTable,
    Project,
    SelfEvaluation,
)
from ..values import parse_value
from ..vocabulary import FUNDING_SOURCES, LEVEL2_PARENT, level2_of, nature_of
from .profile import Profile
from .rules import Rule

SOURCES = FUNDING_SOURCES


def _entry(spec: dict[str, Any]) -> Entry | None:
    """An example's platform cells ({nature, unit, explanation}), as the platform's export prints them."""
    fields = {k: "" if spec[k] is None else str(spec[k]) for k in ("nature", "unit", "explanation") if k in spec}
    if "nature" in fields:
        fields["nature"] = nature_of(fields["nature"])
    return Entry(**fields) if fields else None


def _row(spec: Any, line: int, period: str = "实施期") -> Indicator:
    entry = None
    if isinstance(spec, dict):
        level2, level3, value, level1 = spec.get("level2", ""), spec.get("level3", ""), spec.get("value", ""), \
            spec.get("level1")
        entry = _entry(spec)
    else:
        level2, level3, value = spec
        level1 = None
    canonical = level2_of(level2) or level2
    level1 = level1 or LEVEL2_PARENT.get(canonical, "")
    return Indicator(level1=level1, level2=canonical, level3=str(level3), value=parse_value(str(value), str(level3)),
                     period=period, line=line, entry=entry)  # type: ignore[arg-type]


def _funds(spec: dict[str, Any] | None) -> Funds:
    spec = spec or {}
    period_total = spec.get("period_total", 100000)
    annual_total = spec.get("annual_total", period_total)
    return Funds(
        unit="元", period_total=period_total, annual_total=annual_total,
        period_sources={k: (spec.get("period_sources") or {"市县": period_total}).get(k) for k in SOURCES},
        annual_sources={k: (spec.get("annual_sources") or {"市县": annual_total}).get(k) for k in SOURCES},
    )


def _selfeval_row(spec: list[Any], line: int) -> EvaluatedIndicator:
    level2, level3, value, actual, weight, points, *rest = [*spec, None][:7]
    row = _row([level2, level3, value], line)
    return EvaluatedIndicator(**{**_as_dict(row), "period": "年度", "adjusted": value, "actual": actual,
                        "weight": float(weight) if weight is not None else None,
                        "points": float(points) if points is not None else None,
                        "deviation": rest[0] if rest else None})


def _selfeval_project(spec: dict[str, Any]) -> SelfEvaluation:
    rows = tuple(_selfeval_row(r, i) for i, r in enumerate(spec.get("rows") or [], start=1))
    f = spec.get("funds") or {}
    funds = Funds(unit="万元", period_total=None, annual_total=f.get("annual_total"), period_sources={},
                  annual_sources={}, executed=f.get("executed"), execution_rate=f.get("execution_rate"),
                  execution_points=f.get("execution_points"))
    total, grade = (spec.get("score") or [None, None])
    return SelfEvaluation(name=spec.get("name", "示例自评项目"), line_start=1, line_end=50, funds=funds,
                          indicators=rows, has_annual_columns=False, score_total=total, score_grade=grade)


def _project(spec: dict[str, Any], index: int = 0) -> Project:
    if spec.get("self_evaluation"):
        return _selfeval_project(spec)
    rows = [_row(r, 100 * index + i) for i, r in enumerate(spec.get("rows") or [], start=1)]
    funds = spec.get("funds") or ({"period_total": spec["annual_total"], "annual_total": spec["annual_total"]}
                                  if "annual_total" in spec else None)
    return Project(
        name=spec.get("name", f"示例项目{index + 1}"), line_start=100 * index + 1, line_end=100 * index + 50,
        attribute=spec.get("attribute", "一次性项目(1年结束)"), duration=spec.get("duration", "1年"),
        funds=_funds(funds), overview=spec.get("overview"), basis=spec.get("basis"), plan=spec.get("plan"),
        goal_period=spec.get("goal_period"), goal_annual=spec.get("goal_annual"), indicators=tuple(rows),
        annual_indicators=tuple(r.__class__(**{**_as_dict(r), "period": "年度"}) for r in rows),
        filled_on=spec.get("filled_on"),
    )


def _as_dict(row: Indicator) -> dict[str, Any]:
    return {f: getattr(row, f) for f in row.__slots__}  # type: ignore[attr-defined]


def _declared(spec: dict[str, Any] | None) -> Declared | None:
    if not spec:
        return None
    by_type = {k: (v[0], v[1]) for k, v in (spec.get("by_type") or {}).items()}
    return Declared(line=1, project_count=spec.get("project_count"), project_amount_wan=spec.get("project_amount_wan"),
                    by_type=by_type, published_count=spec.get("published_count"),
                    published_amount_wan=spec.get("published_amount_wan"),
                    percent_of_project_spending=spec.get("percent"),
                    overall_target_tables=spec.get("overall_target_tables"))


def _overall(spec: dict[str, Any], index: int) -> OverallTable:
    rows = [_row(r, 900 + i) for i, r in enumerate(spec.get("rows") or [], start=1)]
    return OverallTable(line_start=900 + index, line_end=950, budget_total_wan=spec.get("budget_total_wan"),
                        basic_wan=spec.get("basic_wan"), project_wan=spec.get("project_wan"),
                        annual_goal=spec.get("annual_goal"), indicators=tuple(rows))


def example_document(rule: Rule, spec: Any) -> Document:
    """The smallest document that shows one example of a rule."""
    if rule.scope == "row":
        project = _project({"rows": [spec]})
        return Document(path="示例.txt", unit="示例单位", year=2026, kind="budget", projects=(project,))
    if rule.scope == "project":
        return Document(path="示例.txt", unit="示例单位", year=2026, kind="budget", projects=(_project(spec),))
    projects_spec = spec.get("projects", [])
    if isinstance(projects_spec, int):
        projects_spec = [{} for _ in range(projects_spec)]
    projects = tuple(_project(p, i) for i, p in enumerate(projects_spec))
    overall_spec = spec.get("overall", [])
    if isinstance(overall_spec, int):
        overall_spec = [{} for _ in range(overall_spec)]
    budget = spec.get("budget")
    fragment_rows = (_row(["数量指标", "示例", "1个"], 500),)
    fragments = tuple(Fragment(line_start=500 + i, line_end=510 + i, indicators=fragment_rows)
                      for i in range(spec.get("fragments", 0)))
    duplicates = tuple(("示例项目1", 1, 200 + i) for i in range(spec.get("duplicates", 0)))
    return Document(
        path="示例.txt", unit="示例单位", year=2026, kind="budget", declared=_declared(spec.get("declared")),
        budget=BudgetFigures(line=1, **budget) if budget else None,
        overall=tuple(_overall(o, i) for i, o in enumerate(overall_spec)), projects=projects,
        fragments=fragments, duplicate_tables=duplicates,
    )


def example_documents(rule: Rule, spec: Any) -> list[Document]:
    """The documents a pair example (an old and a new project, a year apart) or a batch example (one
    project per unit) stands for."""
    if rule.scope == "pair":
        return [Document(path=f"示例{year}.txt", unit="示例单位", year=year,
                         kind="final" if spec[side].get("self_evaluation") else "budget",
                         projects=(_project(spec[side]),)) for side, year in (("old", 2025), ("new", 2026))]
    return [Document(path=f"示例{i}.txt", unit=f"示例单位{i}", year=2026, kind="budget", projects=(_project(p),))
            for i, p in enumerate(spec["units"], start=1)]


def run_example(rule: Rule, spec: Any, profile: Profile) -> list[Finding]:
    """Findings of this one rule on the example."""
    from . import check_document

    if rule.scope in ("pair", "batch"):
        from .across import compare_years, similar_groups

        docs = example_documents(rule, spec)
        found = compare_years(docs, [rule], profile) if rule.scope == "pair" else similar_groups(docs, [rule], profile)
        return [c.finding for c in found]
    return [f for f in check_document(example_document(rule, spec), [rule], profile) if f.rule == rule.code]

