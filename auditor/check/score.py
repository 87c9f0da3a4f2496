"""Quality score: 100 minus weighted deductions, per project and per document; grade bands 90/80/60.

Each finding deducts its severity's weight (profile `weights`, default 错误 10 / 警告 4 / 提示 1);
one rule deducts at most `rule_cap` times in one table, so a single systematic slip (叠字 in
every row) cannot sink a table alone. A document's score is the mean of its tables' scores minus
the document-level findings; a document with no tables is scored on document-level findings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from ..model import Document, Finding, Score
from .profile import Profile


def grade(score: float) -> str:
    return "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"


def _deduction(findings: Iterable[Finding], weights: Mapping[str, float], cap: int) -> float:
    per_rule: Counter[str] = Counter()
    total = 0.0
    for f in findings:
        per_rule[f.rule] += 1
        if per_rule[f.rule] <= cap:
            total += float(weights.get(f.severity, 0))
    return total


def score_document(doc: Document, findings: Sequence[Finding],
                   profile: Profile | None = None) -> tuple[Score, dict[str, Score]]:
    """(document score, score per table name)."""
    profile = profile or Profile()
    weights = profile.weights
    cap = profile.rule_cap
    by_table: dict[str | None, list[Finding]] = defaultdict(list)
    for f in findings:
        by_table[f.project].append(f)
    tables = [p.name for p in doc.projects]
    if doc.overall:
        from ..vocabulary import OVERALL_TABLE

        tables.append(OVERALL_TABLE)
    per_table = {}
    for name in tables:
        value = max(0.0, 100.0 - _deduction(by_table.get(name, []), weights, cap))
        per_table[name] = Score(round(value, 1), grade(value))
    base = sum(s.score for s in per_table.values()) / len(per_table) if per_table else 100.0
    document_level = [f for f in findings if f.project is None or f.project not in per_table]
    value = max(0.0, base - _deduction(document_level, weights, cap))
    return Score(round(value, 1), grade(value)), per_table

