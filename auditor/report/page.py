"""A checked document as the web page shows it: its tables row by row, each row carrying the findings
that point at it, projects worst first. Plain data (JSON), built from the same finding records as every
other format; the page renders it as text, never as markup."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model import SEVERITY_ORDER, Document, Finding, Indicator
from ..vocabulary import KIND_LABELS, OVERALL_TABLE
from .records import CheckedDocument, finding_dict, fold_echoes, severity_counts, sort_findings


def page_document(checked: CheckedDocument, shown_path: str) -> dict[str, Any]:
    """One document for the page; `shown_path` is its name as the user uploaded it."""
    doc = checked.document
    findings = sort_findings(checked.findings)
    tables = _tables(doc)
    by_table: dict[str | None, list[Finding]] = {}
    for f in findings:
        by_table.setdefault(f.project if f.project in tables else None, []).append(f)
    projects = []
    for name, rows in tables.items():
        own = by_table.get(name, [])
        score = checked.table_scores.get(name)
        projects.append({
            "name": name,
            "score": score.score if score else None,
            "grade": score.grade if score else None,
            "counts": severity_counts(own),
            "findings": _findings(own),
            "rows": _rows(rows, own),
        })
    projects.sort(key=lambda p: (p["score"] if p["score"] is not None else 101, -p["counts"]["错误"]))
    return {
        "file": shown_path,
        "unit": doc.unit,
        "year": doc.year,
        "kind": "决算（自评）" if doc.kind == "final" else "预算",
        "score": checked.score.score,
        "grade": checked.score.grade,
        "counts": severity_counts(findings),
        "suppressed": [finding_dict(f) for f in checked.suppressed],
        "document_findings": _findings(by_table.get(None, [])),
        "projects": projects,
    }


def page_summary(page: dict[str, Any], index: int) -> dict[str, Any]:
    """A document's line in a batch's list: who, score, counts, and how many findings of each kind and
    severity (the page's filters count from these before a document is opened)."""
    tally: dict[tuple[str, str, str], int] = {}
    for f in _all_findings(page):
        for one in (f, *f["echoes"]):
            key = (f["kind"], f["kind_label"], one.get("severity", f["severity"]))
            tally[key] = tally.get(key, 0) + 1
    return {"index": index, **{k: page[k] for k in ("file", "unit", "year", "kind", "score", "grade", "counts")},
            "suppressed": len(page["suppressed"]), "tally": [[*key, n] for key, n in sorted(tally.items())]}


def kinds_present(summaries: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The finding kinds of a job's documents, with their Chinese labels, for the page's filter."""
    seen = {kind: label for summary in summaries for kind, label, _, _ in summary["tally"]}
    return [{"kind": k, "label": v} for k, v in sorted(seen.items(), key=lambda kv: kv[1])]


def _all_findings(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["document_findings"] + [f for p in doc["projects"] for f in p["findings"]]


def _tables(doc: Document) -> dict[str, list[Indicator]]:
    """Each table's indicator rows in print order: 实施期 then 年度 for a project, the 整体 tables after."""
    tables: dict[str, list[Indicator]] = {}
    for project in doc.projects:
        tables.setdefault(project.name, []).extend([*project.indicators, *project.annual_indicators])
    for overall in doc.overall:
        tables.setdefault(OVERALL_TABLE, []).extend(overall.indicators)
    return tables


def _findings(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    out = []
    for f, echoes in fold_echoes(findings):
        data = finding_dict(f)
        data["kind_label"] = KIND_LABELS.get(f.kind, f.kind)
        data["echoes"] = [{"rule": e.rule, "severity": e.severity, "message": e.message,
                           "fingerprint": e.fingerprint()} for e in echoes]
        out.append(data)
    return out


def _row_of(f: Finding, rows: Sequence[Indicator]) -> int | None:
    """The index of the row a finding points at: the same column set, name (a 年度 name cut short in
    print is reported by its full name) and source line, else the same column set and name."""
    if f.level3 is None:
        return None
    named = [i for i, row in enumerate(rows)
             if f.level3 in (row.full_name, row.level3) and (f.period is None or row.period == f.period)]
    on_line = [i for i in named if rows[i].line == f.location.line]
    return (on_line or named or [None])[0]


def _rows(rows: Sequence[Indicator], findings: Sequence[Finding]) -> list[dict[str, Any]]:
    flagged: dict[int, list[Finding]] = {}
    for f in findings:
        index = _row_of(f, rows)
        if index is not None:
            flagged.setdefault(index, []).append(f)
    out = []
    for i, row in enumerate(rows):
        own = flagged.get(i, [])
        worst = max(own, key=lambda f: SEVERITY_ORDER[f.severity]).severity if own else None
        out.append({
            "period": row.period, "level1": row.level1_printed or row.level1,
            "level2": row.level2_printed or row.level2, "level3": row.level3, "value": row.value.raw,
            "actual": getattr(row, "actual", None), "line": row.line, "severity": worst,
            "rules": sorted({f.rule for f in own}), "fingerprints": [f.fingerprint() for f in own],
        })
    return out
