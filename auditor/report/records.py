"""Findings and scores as plain data: the JSON of `auditor check` (and of the audit reports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model import SEVERITY_ORDER, Document, Finding, Score
from ..serialize import document_header
from ..vocabulary import ECHO_KINDS


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    document: Document
    findings: tuple[Finding, ...]
    score: Score
    table_scores: dict[str, Score]
    suppressed: tuple[Finding, ...] = ()  # findings an earlier review marked 误报, left out of the score
    cached: bool = False  # served from the cache: the file, rules and options had not changed


def _row_key(f: Finding) -> tuple:
    return (f.project, f.period, f.location.line, f.level3)


def fold_echoes(findings: Sequence[Finding]) -> list[tuple[Finding, list[Finding]]]:
    """Each finding with the echoes folded into it: a doubled value (是是) beside another finding on
    the same indicator says nothing new, so it rides along; alone, it stays a finding of its own.
    The order of `findings` is kept."""
    others: dict[tuple, Finding] = {}
    for f in sort_findings(findings):
        if f.kind not in ECHO_KINDS and f.level3 is not None:
            others.setdefault(_row_key(f), f)
    folded: dict[int, list[Finding]] = {}
    kept: list[Finding] = []
    for f in findings:
        host = others.get(_row_key(f)) if f.kind in ECHO_KINDS else None
        if host is None:
            kept.append(f)
        else:
            folded.setdefault(id(host), []).append(f)
    return [(f, folded.get(id(f), [])) for f in kept]


def fix_first(findings: Sequence[Finding], limit: int = 5) -> list[Finding]:
    """The few findings to fix first: most severe, one per rule and table, in document order."""
    chosen: list[Finding] = []
    seen: set[tuple[str, str | None]] = set()
    for f, _ in fold_echoes(sort_findings(findings)):
        if (f.rule, f.project) in seen:
            continue
        seen.add((f.rule, f.project))
        chosen.append(f)
        if len(chosen) == limit:
            break
    return chosen


def severity_counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {sev: sum(1 for f in findings if f.severity == sev) for sev in ("错误", "警告", "提示")}


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule, "kind": f.kind, "severity": f.severity, "project": f.project, "period": f.period,
        "level1": f.level1, "level2": f.level2, "level3": f.level3, "value": f.value, "message": f.message,
        "suggestion": f.suggestion, "basis": f.basis, "source": f.source, "confidence": f.confidence,
        "location": {"file": f.location.file, "line": f.location.line, "table": f.location.table,
                     "row": f.location.row, "where": f.location.where},
        "fingerprint": f.fingerprint(),
    }


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Most severe first, then document order."""
    return sorted(findings, key=lambda f: (-SEVERITY_ORDER[f.severity], f.location.line or 0, f.rule))


def checked_dict(c: CheckedDocument) -> dict[str, Any]:
    return {
        **document_header(c.document),
        "score": c.score.score,
        "grade": c.score.grade,
        "projects": [{"name": name, "score": s.score, "grade": s.grade} for name, s in c.table_scores.items()],
        "counts": severity_counts(c.findings),
        "findings": [finding_dict(f) for f in sort_findings(c.findings)],
    }
