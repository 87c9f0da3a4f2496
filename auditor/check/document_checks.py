"""Named checks over a whole document: the narrative's claims vs the tables, the 整体 table,
repeated and headerless tables, boilerplate across projects."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..model import Document
from ..textnorm import normalise
from ..vocabulary import OVERALL_TABLE
from .profile import Profile
from .project_checks import Hit, registrar

DocumentCheck = Callable[[Document, Mapping[str, Any], Profile], Iterable[Hit]]
DOCUMENT_CHECKS: dict[str, DocumentCheck] = {}

document_check = registrar(DOCUMENT_CHECKS)


def _annual_total_wan(doc: Document) -> float:
    return sum((p.funds.in_yuan(p.funds.annual_total) or 0) / 10000 for p in doc.projects if p.funds)


def _tables(doc: Document) -> str:
    if doc.projects and all(p.self_evaluation for p in doc.projects):
        return "项目支出绩效自评表"
    return "项目支出绩效目标表"


def _fmt(wan: float | None) -> str:
    return "—" if wan is None else f"{wan:,.2f}万元"


@document_check("declared_count")
def declared_count(doc: Document, params: Mapping[str, Any], profile: Profile):
    d = doc.declared
    if d is None or d.project_count is None or (not doc.projects and doc.kind != "budget"):
        return
    printed = len(doc.projects)
    if d.project_count != printed:
        yield {"line": d.line, "declared": d.project_count, "printed": printed, "tables": _tables(doc)}


@document_check("declared_amount")
def declared_amount(doc: Document, params: Mapping[str, Any], profile: Profile):
    d = doc.declared
    if d is None or d.project_amount_wan is None or not doc.projects:
        return
    total = _annual_total_wan(doc)
    if abs(total - d.project_amount_wan) > profile.amount_tolerance_wan + 0.005:
        yield {"line": d.line, "declared": _fmt(d.project_amount_wan), "printed": _fmt(total),
               "difference": _fmt(d.project_amount_wan - total), "tables": _tables(doc)}


@document_check("declared_percent")
def declared_percent(doc: Document, params: Mapping[str, Any], profile: Profile):
    d, b = doc.declared, doc.budget
    if d is None or b is None or d.percent_of_project_spending is None or not b.project_wan:
        return
    amount = d.published_amount_wan or d.project_amount_wan
    if amount is None:
        return
    actual = amount / b.project_wan * 100
    if abs(actual - d.percent_of_project_spending) > profile.percent_tolerance_pp:
        yield {"line": d.line, "declared": f"{d.percent_of_project_spending:g}%", "actual": f"{actual:.2f}%",
               "amount": _fmt(amount), "project_spending": _fmt(b.project_wan)}


@document_check("declared_within_spending")
def declared_within_spending(doc: Document, params: Mapping[str, Any], profile: Profile):
    d, b = doc.declared, doc.budget
    if d is None or b is None or d.project_amount_wan is None or b.project_wan is None:
        return
    if d.project_amount_wan > b.project_wan + profile.amount_tolerance_wan + 0.005:
        yield {"line": d.line, "declared": _fmt(d.project_amount_wan), "project_spending": _fmt(b.project_wan)}


@document_check("declared_type_split")
def declared_type_split(doc: Document, params: Mapping[str, Any], profile: Profile):
    d = doc.declared
    if d is None or not d.by_type or d.project_count is None:
        return
    counts = [c for c, _ in d.by_type.values() if c is not None]
    amounts = [a for _, a in d.by_type.values() if a is not None]
    if counts and sum(counts) != d.project_count:
        yield {"line": d.line, "what": "项目个数", "parts": sum(counts), "total": d.project_count}
    tolerance = profile.amount_tolerance_wan + 0.005
    if amounts and d.project_amount_wan is not None and abs(sum(amounts) - d.project_amount_wan) > tolerance:
        yield {"line": d.line, "what": "金额", "parts": _fmt(sum(amounts)), "total": _fmt(d.project_amount_wan)}


@document_check("declared_coverage")
def declared_coverage(doc: Document, params: Mapping[str, Any], profile: Profile):
    d = doc.declared
    if d is None or d.project_count is None or d.published_count is None:
        return
    if d.published_count < d.project_count:
        yield {"line": d.line, "published": d.published_count, "declared": d.project_count}


@document_check("declared_overall")
def declared_overall(doc: Document, params: Mapping[str, Any], profile: Profile):
    d = doc.declared
    if d is None or d.overall_target_tables is None or doc.kind != "budget":
        return
    if d.overall_target_tables != len(doc.overall):
        yield {"line": d.line, "declared": d.overall_target_tables, "printed": len(doc.overall)}


@document_check("overall_balance")
def overall_balance(doc: Document, params: Mapping[str, Any], profile: Profile):
    tolerance = profile.amount_tolerance_wan + 0.005
    for o in doc.overall:
        if o.budget_total_wan is None:
            continue
        if o.basic_wan is not None and o.project_wan is not None \
                and abs(o.basic_wan + o.project_wan - o.budget_total_wan) > tolerance:
            yield {"line": o.line_start, "project": OVERALL_TABLE, "total": _fmt(o.budget_total_wan),
                   "parts": f"基本支出{_fmt(o.basic_wan)}+项目支出{_fmt(o.project_wan)}"}
        sources = [v for k, v in o.sources_wan.items()]
        if sources and abs(sum(sources) - o.budget_total_wan) > tolerance:
            yield {"line": o.line_start, "project": OVERALL_TABLE, "total": _fmt(o.budget_total_wan),
                   "parts": f"各资金来源合计{_fmt(sum(sources))}"}


@document_check("overall_vs_budget")
def overall_vs_budget(doc: Document, params: Mapping[str, Any], profile: Profile):
    b = doc.budget
    if b is None:
        return
    tolerance = profile.amount_tolerance_wan + 0.005
    for o in doc.overall:
        pairs = [("年度预算合计", o.budget_total_wan, b.total_wan), ("基本支出", o.basic_wan, b.basic_wan),
                 ("项目支出", o.project_wan, b.project_wan)]
        wrong = [(label, table, text) for label, table, text in pairs
                 if table is not None and text is not None and abs(table - text) > tolerance]
        if wrong:
            detail = "；".join(f"{label}：表中{_fmt(t)}，说明中{_fmt(x)}" for label, t, x in wrong)
            yield {"line": o.line_start, "project": OVERALL_TABLE, "detail": detail}


@document_check("overall_goal_numbers")
def overall_goal_numbers(doc: Document, params: Mapping[str, Any], profile: Profile):
    from .narrative import unmatched_promises

    for o in doc.overall:
        if o.annual_goal:
            for promise in unmatched_promises(o.annual_goal, o.indicators):
                yield {"line": o.line_start, "project": OVERALL_TABLE, "promise": promise.text,
                       "detail": promise.detail}


@document_check("duplicate_tables")
def duplicate_tables(doc: Document, params: Mapping[str, Any], profile: Profile):
    for name, first, repeat in doc.duplicate_tables:
        yield {"line": repeat, "project": name, "first_line": first}


@document_check("fragments")
def fragments(doc: Document, params: Mapping[str, Any], profile: Profile):
    for f in doc.fragments:
        yield {"line": f.line_start, "start": f.line_start, "end": f.line_end, "rows": len(f.indicators)}


_PATTERN_LISTS = ("timeliness", "satisfaction", "assurance", "direction", "evaluative", "compliance", "binary")


def _value_pattern(text: str, lexicon: Mapping[str, Any]) -> str:
    """Values of one vague family (及时 / 及时发放 / 按时) count as one pattern."""
    from ..values import collapse_doubled

    collapsed = collapse_doubled(text)[0]
    for name in _PATTERN_LISTS:
        words = lexicon.get(name) or []
        if collapsed in words:
            return f"@{name}"
    return collapsed


@document_check("boilerplate")
def boilerplate(doc: Document, params: Mapping[str, Any], profile: Profile):
    """The same value for one 二级 in most of a department's tables is a template, not a target."""
    from .rules import load_lexicon

    minimum = profile.boilerplate_min_tables
    if len(doc.projects) < minimum:
        return
    lexicon = load_lexicon()
    by_level2: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for p in doc.projects:
        patterns = set()
        for r in p.indicators:
            if r.value.text:
                pattern = _value_pattern(r.value.text, lexicon)
                patterns.add((r.level2, pattern))
                examples[(r.level2, pattern)][r.value.text] += 1
        for level2, pattern in patterns:
            by_level2[level2][pattern] += 1
    share = profile.boilerplate_share
    for level2, values in by_level2.items():
        pattern, count = values.most_common(1)[0]
        if count >= minimum and count / len(doc.projects) >= share and pattern.startswith("@"):
            shown = "、".join(v for v, _ in examples[(level2, pattern)].most_common(3))
            yield {"level2": level2, "value": shown, "count": count, "total": len(doc.projects)}


@document_check("identical_indicator_sets")
def identical_indicator_sets(doc: Document, params: Mapping[str, Any], profile: Profile):
    """Two projects with different funds but the same indicators: targets copied, not set."""
    groups: dict[tuple, list] = defaultdict(list)
    for p in doc.projects:
        key = tuple(sorted((r.level2, normalise(r.level3), r.value.text) for r in p.indicators))
        if len(key) >= 3:
            groups[key].append(p)
    for projects in groups.values():
        if len(projects) > 1:
            for p in projects[1:]:
                others = "、".join(q.name for q in projects if q is not p)
                yield {"line": p.line_start, "project": p.name, "names": others, "count": len(projects)}

