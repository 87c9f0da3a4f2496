"""Run rule packs over extracted documents and produce Findings.

Row rules run on every 实施期 row, on 年度 rows that differ from their 实施期 twin, and on the
rows of 整体 tables; project rules on each project; document rules once per document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from ..model import Document, Finding, Indicator, Project
from ..textnorm import normalise
from ..vocabulary import OVERALL_TABLE
from . import rules as packs
from .conditions import RowContext, holds
from .findings import finding_of as _finding
from .findings import row_fields as _row_fields
from .profile import Profile, load_profile
from .project_checks import Hit
from .registry import DOCUMENT_CHECKS, PROJECT_CHECKS, checks_for
from .rules import Rule, RuleError, load_lexicon, select_rules

__all__ = ["RuleError", "check_document", "load_profile", "load_rules", "select_rules"]


@lru_cache(maxsize=8)
def load_rules(extra: str | None = None) -> tuple[Rule, ...]:
    """The built-in rule packs (and a user's folder of packs), each rule validated against the
    check registry and the condition vocabulary: a mistake is a RuleError naming file and line."""
    rules = packs.load_rules(None, extra)
    problems = validate_rules(rules)
    if problems:
        raise RuleError("\n".join(problems))
    return rules


def _rows_to_check(p: Project) -> list[tuple[Indicator, int]]:
    """实施期 rows, plus 年度 rows that say something the 实施期 rows do not."""
    rows = [(r, i) for i, r in enumerate(p.indicators, start=1)]
    left = {(normalise(r.level3), r.value.text) for r in p.indicators}
    left_names = [normalise(r.level3) for r in p.indicators]
    for i, r in enumerate(p.annual_indicators, start=1):
        if r.mirrored:
            continue
        name = normalise(r.full_name or r.level3)
        if (name, r.value.text) in left:
            continue
        if any(n.startswith(name) for n in left_names) and any(
                n.startswith(name) and (n, r.value.text) in left for n in left_names):
            continue
        rows.append((r, i))
    return rows


_Seen = tuple[Indicator, str, int | None]  # a row, its table and its number there


def check_document(doc: Document, rules: Sequence[Rule] | None = None,
                   profile: Profile | None = None, warnings: list[str] | None = None) -> list[Finding]:
    """Every finding for one document, in document order (rows, then project, then document).

    A model that cannot be loaded adds a message to `warnings` (when given); the rules still run.
    """
    rules = list(rules) if rules is not None else list(load_rules())
    profile = profile if profile is not None else load_profile("national")
    lexicon = load_lexicon()
    model_rules = [r for r in rules if r.check == "model"]
    row_rules = [r for r in rules if r.scope == "row" and r.check != "model"]
    project_rules = [r for r in rules if r.scope == "project"]
    document_rules = [r for r in rules if r.scope == "document"]
    findings: list[Finding] = []
    # the rows each model rule looks at: its `when` holds for them, as a row rule's does
    candidates: list[list[_Seen]] = [[] for _ in model_rules]

    def run_rows(rows: Iterable[tuple[Indicator, int]], table: str, project: Project | None) -> None:
        for row, number in rows:
            ctx = RowContext(row, table, project, doc, profile, lexicon)
            for rule, rows_seen in zip(model_rules, candidates, strict=True):
                if holds(ctx, rule.when):
                    rows_seen.append((row, table, number))
            for rule in row_rules:
                if holds(ctx, rule.when) and holds(ctx, rule.test):
                    findings.append(_finding(rule, doc, _row_fields(row, table), row, table, number))

    for o in doc.overall:
        run_rows(((r, i) for i, r in enumerate(o.indicators, start=1)), OVERALL_TABLE, None)
    for p in doc.projects:
        run_rows(_rows_to_check(p), p.name, p)
        for rule in project_rules:
            for hit in PROJECT_CHECKS[rule.check](p, doc, rule.params, profile):
                findings.append(_project_finding(rule, doc, p, hit))
    for rule in document_rules:
        for hit in DOCUMENT_CHECKS[rule.check](doc, rule.params, profile):
            table = hit.get("project")
            fields = {"project": table or "", **hit}
            findings.append(_finding(rule, doc, fields, hit.get("row"), table, line=hit.get("line")))
    if any(candidates):
        findings.extend(_model_findings(doc, model_rules, candidates, findings, warnings))
    return findings


def _model_findings(doc: Document, rules: Sequence[Rule], candidates: Sequence[Sequence[_Seen]],
                    findings: list[Finding], warnings: list[str] | None) -> list[Finding]:
    """Each model rule over the rows its `when` selects (`candidates`, one list per rule)."""
    from dataclasses import replace

    from ..classify.apply import model_hits
    from ..classify.model import ModelError

    def make(rule: Rule, row: Indicator, table: str, number: int | None, extra: dict[str, Any]) -> Finding:
        finding = _finding(rule, doc, {**_row_fields(row, table), **extra}, row, table, number)
        return replace(finding, source="model", confidence=extra.get("confidence"))

    out: list[Finding] = []
    for rule, rows in zip(rules, candidates, strict=True):
        if not rows:
            continue  # no row for this model: it is not loaded
        try:
            out.extend(model_hits(rule, rows, findings, make))
        except ModelError as exc:
            if warnings is not None and str(exc) not in warnings:
                warnings.append(f"{exc}；规则 {rule.code} 未运行，其余规则照常审核")
    return out


def _project_finding(rule: Rule, doc: Document, p: Project, hit: Hit) -> Finding:
    row = hit.get("row")
    fields = {**(_row_fields(row, p.name) if row else {}), "project": p.name, **hit}
    number = None
    if row is not None:
        rows = p.indicators if row.period == "实施期" else p.annual_indicators
        number = next((i for i, r in enumerate(rows, start=1) if r is row), None)
    finding = _finding(rule, doc, fields, row, p.name, number, line=p.line_start)
    if row is None and hit.get("period"):
        from dataclasses import replace

        finding = replace(finding, period=hit["period"])
    return finding


def validate_rules(rules: Iterable[Rule]) -> list[str]:
    """Problems a pack would only show at run time: unknown checks or condition keys."""
    from .conditions import unknown_keys

    problems = []
    for rule in rules:
        where = f"{rule.source}:{rule.line}: 规则 {rule.code}" if rule.source else rule.code
        known = checks_for(rule.scope)
        if rule.check not in known:
            problems.append(f"{where}: 未知的检查 {rule.check!r}（{rule.scope} 规则可用：{'、'.join(sorted(known))}）")
        if rule.check == "model" and rule.params.get("model") not in ("vague", "category"):
            problems.append(f"{where}: 未知的模型 {rule.params.get('model')!r}（可用：vague、category）")
        bad = unknown_keys(rule.when) | unknown_keys(rule.test)
        if bad:
            problems.append(f"{where}: 未知条件 {', '.join(sorted(bad))}")
    return problems
