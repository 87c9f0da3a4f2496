"""Named checks over one 项目支出绩效自评表: scores against weights, totals and grades, results
against targets, execution rate (财预〔2020〕10号 scoring conventions)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..model import Document, EvaluatedIndicator, Indicator, Project, SelfEvaluation
from .profile import Profile
from .project_checks import is_unfilled, project_check
from .score import grade

_RESULT_PHRASE = re.compile(r"达成预期指标|部分达成|未达成")


_EXECUTION_WEIGHT = 10.0  # 预算执行率 is worth 10 of the 100 points (财预〔2020〕10号 附件)


def _rows(p: Project) -> list[EvaluatedIndicator]:
    return list(p.indicators) if isinstance(p, SelfEvaluation) else []


def met(row: Indicator) -> bool | None:
    """Whether the 实际完成值 meets the 年初指标值, when both are numbers with a direction."""
    from ..values import parse_value

    target, actual = row.value, parse_value(row.actual or "")
    if target.number is None or actual.number is None or target.unit != actual.unit:
        return None
    if target.comparator in ("≥", ">"):
        return actual.number >= target.number
    if target.comparator in ("≤", "<"):
        return actual.number <= target.number
    if target.comparator == "=" or target.comparator is None:
        return actual.number == target.number
    return None


@project_check("selfeval_points_over_weight")
def points_over_weight(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    for r in _rows(p):
        if r.points is not None and r.weight is not None and r.points > r.weight + 1e-9:
            yield {"row": r, "points": f"{r.points:g}", "weight": f"{r.weight:g}"}
    if p.self_evaluation and p.funds:
        for label, rate, points in p.funds.execution_rows:
            if points is not None and points > _EXECUTION_WEIGHT + 1e-9:
                where = f"{label}，执行率{rate:g}%" if rate is not None else label
                yield {"level3": f"预算执行（{where}）",
                       "points": f"{points:g}", "weight": f"{_EXECUTION_WEIGHT:g}"}


@project_check("selfeval_execution")
def execution(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    f = p.funds
    if not p.self_evaluation or f is None or f.execution_rate is None:
        return
    expected = min(f.execution_rate, 100) / 100 * _EXECUTION_WEIGHT
    problems = []
    if f.execution_points is not None and abs(f.execution_points - expected) > 0.1:
        problems.append(f"预算执行得分{f.execution_points:g}分，按执行率应为{expected:.2f}分")
    low, high = float(params.get("low", 80)), float(params.get("high", 120))
    if f.execution_rate < low:
        problems.append(f"执行率只有{f.execution_rate:g}%")
    elif f.execution_rate > high:
        problems.append(f"执行率{f.execution_rate:g}%超过{high:g}%")
    if problems:
        yield {"detail": "；".join(problems), "rate": f"{f.execution_rate:g}%",
               "grade": p.score_grade or "", "total": f"{p.score_total:g}" if p.score_total is not None else ""}


@project_check("selfeval_total")
def total(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    if not p.self_evaluation or p.score_total is None:
        return
    points = [r.points for r in _rows(p) if r.points is not None]
    if not points:
        return
    execution_points = p.funds.execution_points if p.funds and p.funds.execution_points is not None else 0.0
    summed = sum(points) + execution_points
    if abs(summed - p.score_total) > float(params.get("tolerance", 0.05)):
        yield {"total": f"{p.score_total:g}", "sum": f"{summed:.2f}"}


@project_check("selfeval_grade")
def grade_band(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    if p.self_evaluation and p.score_total is not None and p.score_grade and grade(p.score_total) != p.score_grade:
        yield {"total": f"{p.score_total:g}", "grade": p.score_grade, "expected": grade(p.score_total)}


@project_check("selfeval_unmet_full")
def unmet_full(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    for r in _rows(p):
        if met(r) is False and r.points is not None and r.weight is not None and r.points >= r.weight:
            yield {"row": r, "actual": r.actual}


@project_check("selfeval_met_deducted")
def met_deducted(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    for r in _rows(p):
        if met(r) is True and r.points is not None and r.weight is not None and r.points < r.weight:
            yield {"row": r, "actual": r.actual, "points": f"{r.points:g}", "weight": f"{r.weight:g}"}


@project_check("selfeval_deviation")
def no_deviation(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    for r in _rows(p):
        if r.points is not None and r.weight is not None and r.points < r.weight and not r.deviation:
            yield {"row": r, "points": f"{r.points:g}", "weight": f"{r.weight:g}"}


@project_check("selfeval_result")
def vague_result(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    for r in _rows(p):
        if r.actual and _RESULT_PHRASE.fullmatch(r.actual.strip()) and r.points is not None and r.weight is not None \
                and r.points >= r.weight and not re.search(r"\d", r.value.text):
            yield {"row": r, "actual": r.actual}


@project_check("selfeval_unfilled")
def unfilled_scored(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    for r in _rows(p):
        if is_unfilled(r.value.text) and r.points:
            yield {"row": r, "points": f"{r.points:g}", "weight": f"{r.weight:g}" if r.weight is not None else "?"}



def _weighted_rows(p: Project) -> list[EvaluatedIndicator] | None:
    """The rows of a self-evaluation whose 分值 are all printed (None when any is missing: the table
    cannot be checked against a total it does not show)."""
    rows = _rows(p)
    if not rows or any(r.weight is None for r in rows):
        return None
    return rows


@project_check("selfeval_weight_total")
def weight_total(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    rows = _weighted_rows(p)
    expected = profile.selfeval_weight_total
    if rows is None or expected <= 0:
        return
    weights = sum(r.weight or 0.0 for r in rows)
    total = weights + _EXECUTION_WEIGHT
    if abs(total - expected) > 0.05:
        yield {"weights": f"{weights:g}", "execution": f"{_EXECUTION_WEIGHT:g}", "total": f"{total:g}",
               "expected": f"{expected:g}"}


def _weight_group(row: Indicator) -> str:
    """The group a row's 分值 counts towards: its 二级 under 产出 (and 成本 wherever it is), else its 一级."""
    if row.level2 == "成本指标" or row.level1 == "产出指标":
        return row.level2
    return row.level1


@project_check("selfeval_default_weights")
def default_weights(p: Project, doc: Document, params: Mapping[str, Any], profile: Profile):
    rows = _weighted_rows(p)
    if rows is None or not profile.selfeval_weights:
        return
    printed: dict[str, float] = {}
    for r in rows:
        printed[_weight_group(r)] = printed.get(_weight_group(r), 0.0) + (r.weight or 0.0)
    off = [f"{group}{printed.get(group, 0.0):g}分（默认{default:g}分）"
           for group, default in profile.selfeval_weights.items() if abs(printed.get(group, 0.0) - default) > 0.05]
    if off:
        yield {"detail": "、".join(off)}
