"""Findings and scores as plain data: the JSON of `auditor check` (and of the audit reports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model import SEVERITY_ORDER, Document, Finding, Score
from ..serialize import document_header


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    document: Document
    findings: tuple[Finding, ...]
    score: Score
    table_scores: dict[str, Score]


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
        "counts": {sev: sum(1 for f in c.findings if f.severity == sev) for sev in ("错误", "警告", "提示")},
        "findings": [finding_dict(f) for f in sort_findings(c.findings)],
    }
