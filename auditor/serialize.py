"""Records → plain data: the JSON of `auditor extract` (gold-schema field names plus extras)
and the flat one-row-per-indicator table used by csv/xlsx."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from .model import Document, Funds, Indicator, OverallTable, Project, SelfEvaluation, Value

FLAT_COLUMNS = ["文件", "单位", "年度", "项目", "期间", "一级指标", "二级指标", "三级指标", "指标值",
                "比较符", "数值", "单位(计量)", "周期", "值类型", "折合元", "叠字", "完整名称", "源行号"]


def value_dict(v: Value) -> dict[str, Any]:
    data = asdict(v)
    data["date"] = list(v.date) if v.date else None
    return data


def indicator_dict(row: Indicator) -> dict[str, Any]:
    return {
        "level1": row.level1,
        "level2": row.level2,
        "level3": row.level3,
        "value": row.value.raw,
        "adjusted": getattr(row, "adjusted", None),
        "actual": getattr(row, "actual", None),
        "weight": getattr(row, "weight", None),
        "points": getattr(row, "points", None),
        "deviation": getattr(row, "deviation", None),
        "value_kind": row.value.kind,
        "doubled": row.value.doubled,
        "parsed": value_dict(row.value),
        "level1_printed": row.level1_printed,
        "level2_printed": row.level2_printed,
        "full_name": row.full_name,
        "mirrored": row.mirrored,
        "line": row.line,
        "entry": asdict(row.entry) if row.entry is not None else None,
    }


def funds_dict(f: Funds | None) -> dict[str, Any] | None:
    if f is None:
        return None
    return {"funds_unit": f.unit, "period_total": f.period_total, "annual_total": f.annual_total,
            "period_sources": dict(f.period_sources), "annual_sources": dict(f.annual_sources),
            "executed": f.executed, "execution_rate": f.execution_rate, "execution_points": f.execution_points}


def project_dict(p: Project) -> dict[str, Any]:
    return {
        "name": p.name,
        "department": p.department,
        "implementer": p.implementer,
        "attribute": p.attribute,
        "period": p.duration,
        "funds": funds_dict(p.funds),
        "overview": p.overview,
        "basis": p.basis,
        "necessity": p.necessity,
        "measures": p.measures,
        "plan": p.plan,
        "goal_period": p.goal_period,
        "goal_annual": p.goal_annual,
        "indicators": [indicator_dict(r) for r in p.indicators],
        "annual_indicators": [indicator_dict(r) for r in p.annual_indicators],
        "empty_level2": list(p.empty_level2),
        "has_annual_columns": p.has_annual_columns,
        "filled_on": p.filled_on,
        "lines": [p.line_start, p.line_end],
        "self_evaluation": p.self_evaluation,
        "score": {"total": p.score_total, "grade": p.score_grade} if isinstance(p, SelfEvaluation) else None,
    }


def overall_dict(o: OverallTable) -> dict[str, Any]:
    return {
        "department": o.department,
        "budget_total_wan": o.budget_total_wan,
        "basic_wan": o.basic_wan,
        "project_wan": o.project_wan,
        "sources_wan": dict(o.sources_wan),
        "duties": o.duties,
        "strategy": o.strategy,
        "tasks": [list(t) for t in o.tasks],
        "annual_goal": o.annual_goal,
        "indicators": [indicator_dict(r) for r in o.indicators],
        "empty_level2": list(o.empty_level2),
        "lines": [o.line_start, o.line_end],
    }


def document_header(doc: Document) -> dict[str, Any]:
    return {"document": doc.name, "path": doc.path, "unit": doc.unit, "year": doc.year, "kind": doc.kind,
            "notes": list(doc.notes)}


def document_dict(doc: Document) -> dict[str, Any]:
    declared = None
    if doc.declared is not None:
        d = doc.declared
        declared = {
            "project_count": d.project_count,
            "project_amount_wan": d.project_amount_wan,
            "overall_target_tables": d.overall_target_tables,
            "by_type": {k: {"count": c, "amount_wan": a} for k, (c, a) in d.by_type.items()},
            "published_count": d.published_count,
            "published_amount_wan": d.published_amount_wan,
            "percent_of_project_spending": d.percent_of_project_spending,
            "overall_amount_wan": d.overall_amount_wan,
            "line": d.line,
        }
    budget = asdict(doc.budget) if doc.budget else None
    return {
        **document_header(doc),
        "declared": declared,
        "budget": budget,
        "overall": [overall_dict(o) for o in doc.overall],
        "projects": [project_dict(p) for p in doc.projects],
        "fragments": [{"lines": [f.line_start, f.line_end], "indicators": [indicator_dict(r) for r in f.indicators]}
                      for f in doc.fragments],
        "duplicate_tables": [{"name": n, "first_line": a, "repeat_line": b} for n, a, b in doc.duplicate_tables],
        "repeated_tables": [project_dict(p) for p in doc.repeated_tables],
        "self_evaluation_tables": doc.self_evaluation_tables,
    }


def flat_rows(docs: Iterable[Document]) -> Iterable[list[Any]]:
    """One row per indicator, in document order, for csv/xlsx."""
    for doc in docs:
        tables: list[tuple[str, Iterable[Indicator]]] = []
        for o in doc.overall:
            tables.append(("（整体支出绩效目标）", o.indicators))
        for p in doc.projects:
            tables.append((p.name, [*p.indicators, *p.annual_indicators]))
        for name, rows in tables:
            for r in rows:
                v = r.value
                yield [doc.name, doc.unit or "", doc.year or "", name, r.period, r.level1, r.level2, r.level3,
                       v.raw, v.comparator or "", v.number if v.number is not None else "", v.unit or "",
                       v.per or "", v.kind, v.yuan if v.yuan is not None else "", "是" if v.doubled else "",
                       r.full_name or "", r.line]
