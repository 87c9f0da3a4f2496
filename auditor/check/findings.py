"""Findings made from a rule's texts and a hit's fields: one constructor for every scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..model import Finding, Indicator, Location
from .rules import Rule


class _Fields(dict):
    """Template fields; an unknown {name} renders as itself instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, fields: Mapping[str, Any]) -> str:
    return template.format_map(_Fields(fields))


def row_fields(row: Indicator, table: str) -> dict[str, Any]:
    v = row.value
    return {"project": table, "level1": row.level1, "level2": row.level2, "level3": row.full_name or row.level3,
            "name": row.full_name or row.level3, "value": v.raw, "text": v.text,
            "number": "" if v.number is None else f"{v.number:g}", "unit": v.unit or "", "period": row.period}


class Placed(Protocol):
    """Where a finding goes: a document, or what an index kept of one (its file and pages)."""

    path: str

    def where(self, line: int | None) -> str | None: ...


def finding_of(rule: Rule, doc: Placed, fields: Mapping[str, Any], row: Indicator | None, table: str | None,
             row_number: int | None = None, line: int | None = None) -> Finding:
    level2 = row.level2 if row else fields.get("level2")
    return Finding(
        rule=rule.code, kind=rule.kind, severity=rule.severity,  # type: ignore[arg-type]
        message=render(rule.message, fields), suggestion=render(rule.suggestion_for(level2), fields),
        basis=rule.basis,
        location=Location(file=doc.path, line=row.line if row else line, table=table, row=row_number,
                          where=doc.where(row.line if row else line)),
        project=table, period=row.period if row else fields.get("period"),
        level1=row.level1 if row else None, level2=level2, level3=(row.full_name or row.level3) if row else None,
        value=row.value.raw if row else fields.get("value"),
    )
