"""A workbook this tool wrote (`extract --format xlsx`), read back: the embedded record rebuilt, then
every edit a person made in its visible sheets applied (record_layout.py).

Rows keep their identity through the hidden 编号 column: a row left as it was keeps the indicator
exactly as first read (its parsed value, its printed labels, its source line); a changed row is
parsed again from what it now says; a deleted row is gone; a row added without a key joins the
project its 项目 cell names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..codec import from_data
from ..errors import InputError
from ..model import Document, Funds, Indicator, Project
from ..record_layout import (
    INDICATOR_KEY,
    INDICATOR_SHEET,
    PROJECT_FIELDS,
    PROJECT_KEY,
    PROJECT_SHEET,
    parse_indicator_key,
)
from ..sources.base import Line, Source
from ..values import parse_amount, parse_value
from ..vocabulary import LEVEL2_PARENT, OVERALL_TABLE, level1_of, level2_of

_TEXT_FIELDS = {field for _, field in PROJECT_FIELDS} - {"period_total", "annual_total", "unit"}


def _same(a: Any, b: Any) -> bool:
    """Equal as a cell shows them (whitespace and line breaks aside)."""
    def shown(v: Any) -> str:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return " ".join(str("" if v is None else v).split())

    return shown(a) == shown(b)


def _sheet_rows(source: Source, sheet: str) -> list[tuple[Line, dict[str, str]]] | None:
    """The rows of one visible sheet as {column title: cell}, None when the sheet is gone."""
    lines = [ln for ln in source.lines if ln.where == sheet]
    if not lines:
        return None
    header = lines[0].text.split("\t")
    rows = []
    for line in lines[1:]:
        cells = line.text.split("\t")
        row = {title: (cells[i].strip() if i < len(cells) else "") for i, title in enumerate(header)}
        if any(row.values()):
            rows.append((line, row))
    return rows


def document_from_record(source: Source) -> Document:
    text = source.record or ""
    if hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() != source.record_digest:
        raise InputError(source.path, "隐藏的“_提取记录”工作表已损坏或被改动（校验不符），请重新运行 auditor extract")
    try:
        doc = from_data(Document, json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as exc:
        raise InputError(source.path, f"隐藏的“_提取记录”无法读取（{type(exc).__name__}）") from None
    if not isinstance(doc, Document):
        raise InputError(source.path, "隐藏的“_提取记录”无法读取")
    doc = replace(doc, path=source.path, notes=(*doc.notes, "按本工具提取的工作簿读取（含其中的修改）"))
    projects = _sheet_rows(source, PROJECT_SHEET)
    if projects is not None:
        doc = _apply_projects(doc, projects)
    indicators = _sheet_rows(source, INDICATOR_SHEET)
    if indicators is not None:
        doc = _apply_indicators(doc, indicators)
    return doc


def _written(p: Project, field: str) -> Any:
    if field in ("period_total", "annual_total", "unit"):
        return getattr(p.funds, field) if p.funds is not None else None
    return getattr(p, field)


def _apply_projects(doc: Document, rows: Sequence[tuple[Line, dict[str, str]]]) -> Document:
    projects = list(doc.projects)
    for _, row in rows:
        key = row.get(PROJECT_KEY, "")
        if not key.startswith("P") or not key[1:].isdigit() or int(key[1:]) >= len(projects):
            continue
        n = int(key[1:])
        p = projects[n]
        changes: dict[str, Any] = {}
        funds = p.funds
        for title, field in PROJECT_FIELDS:
            if title not in row or _same(row[title], _written(p, field)):
                continue
            if field in _TEXT_FIELDS:
                changes[field] = row[title] or (p.name if field == "name" else None)
            elif field == "unit":
                funds = replace(funds or Funds("元", None, None, {}, {}), unit=row[title] or "元")
            else:
                funds = replace(funds or Funds("元", None, None, {}, {}), **{field: parse_amount(row[title])})
        if funds is not p.funds:
            changes["funds"] = funds
        if changes:
            projects[n] = replace(p, **changes)
    return replace(doc, projects=tuple(projects))


def _rebuilt(row: dict[str, str], line: Line, original: Indicator | None) -> Indicator:
    """The row's indicator: the original when nothing changed, else parsed again from its cells."""
    l1, l2, name, raw = (row.get(t, "") for t in ("一级指标", "二级指标", "三级指标", "指标值"))
    period = "年度" if "年度" in row.get("期间", "") else "实施期"
    if original is not None and original.period == period and all(_same(a, b) for a, b in (
            (l1, original.level1_printed or original.level1), (l2, original.level2_printed or original.level2),
            (name, original.full_name or original.level3), (raw, original.value.raw))):
        return original
    level2 = level2_of(l2) or l2
    level1 = LEVEL2_PARENT.get(level2) or level1_of(l1) or l1
    value = parse_value(raw, name)
    if original is None:
        return Indicator(level1=level1, level2=level2, level3=name, value=value, period=period, line=line.number,
                         level1_printed=l1 or None, level2_printed=l2 or None)
    return replace(original, level1=level1, level2=level2, level3=name, value=value, period=period,
                   level1_printed=l1 or None, level2_printed=l2 or None, full_name=None, mirrored=False,
                   inherited_level2=False)


def _apply_indicators(doc: Document, rows: Sequence[tuple[Line, dict[str, str]]]) -> Document:
    tables: dict[tuple[str, int], Sequence[Indicator]] = {}
    for n, o in enumerate(doc.overall):
        tables[("O", n)] = o.indicators
    for n, p in enumerate(doc.projects):
        tables[("P", n)] = (*p.indicators, *p.annual_indicators)
    originals: dict[tuple[str, int, str, int], Indicator] = {}
    for (kind, n), indicators in tables.items():
        position = {"实施期": 0, "年度": 0}
        for r in indicators:
            originals[(kind, n, r.period, position[r.period])] = r
            position[r.period] += 1
    by_name = {p.name: ("P", n) for n, p in enumerate(doc.projects)}
    if doc.overall:
        by_name.setdefault(OVERALL_TABLE, ("O", 0))
    rebuilt: dict[tuple[str, int], list[Indicator]] = {table: [] for table in tables}
    added: dict[str, list[Indicator]] = {}
    for line, row in rows:
        if not (row.get("三级指标") or row.get("指标值")):
            continue
        key = parse_indicator_key(row.get(INDICATOR_KEY, ""))
        original = originals.get(key) if key else None
        table = (key[0], key[1]) if key and original is not None else by_name.get(row.get("项目", ""))
        indicator = _rebuilt(row, line, original)
        if table is not None:
            rebuilt[table].append(indicator)
        elif row.get("项目"):
            added.setdefault(row["项目"], []).append(indicator)
    overall = tuple(replace(o, indicators=tuple(rebuilt[("O", n)])) for n, o in enumerate(doc.overall))
    projects = []
    for n, p in enumerate(doc.projects):
        rows_of = rebuilt[("P", n)]
        projects.append(_with_rows(p, rows_of))
    for name, rows_of in added.items():
        first = min(r.line for r in rows_of)
        projects.append(_with_rows(Project(name=name, line_start=first, line_end=max(r.line for r in rows_of)),
                                   rows_of))
    return replace(doc, overall=overall, projects=tuple(projects))


def _with_rows(p: Project, rows: Sequence[Indicator]) -> Project:
    """The project with these rows: a self-evaluation table has one column set (all in
    `indicators`); a target table keeps 实施期 rows on the left and 年度 rows on the right, as do
    its one-column-set tables whose rows all sat on one side."""
    if p.self_evaluation or (not p.has_annual_columns and not p.annual_indicators):
        return replace(p, indicators=tuple(rows))
    left = tuple(r for r in rows if r.period == "实施期")
    right = tuple(r for r in rows if r.period == "年度")
    return replace(p, indicators=left, annual_indicators=right,
                   has_annual_columns=p.has_annual_columns or bool(right))
