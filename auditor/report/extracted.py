"""`auditor extract --format xlsx`: the extracted tables as a workbook to edit and check again.

Visible sheets (指标明细, 项目信息, 文件信息) hold what a person edits; a hidden sheet holds the whole
extracted record, so `auditor check` of the edited workbook sees exactly what the source said,
with the edits applied (record_layout.py says how).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..codec import to_data
from ..model import Document, EvaluatedIndicator, Indicator, Project
from ..output import atomic_writer
from ..record_layout import (
    FILE_SHEET,
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    PROJECT_COLUMNS,
    PROJECT_FIELDS,
    PROJECT_SHEET,
    RECORD_CHUNK,
    RECORD_MARK,
    RECORD_SHEET,
    indicator_key,
)
from ..vocabulary import OVERALL_TABLE, VALUE_KIND_LABELS
from .sheets import Column, Sheet, formats, xlsx_options

_WIDTHS = {"项目": 24, "期间": 6, "一级指标": 10, "二级指标": 12, "三级指标": 28, "指标值": 18, "值类型": 7,
           "完成值": 14, "源行号": 7, "文件": 24, "单位": 20, "年度": 6, "编号": 12}


def _indicator_rows(doc: Document) -> Iterable[list[Any]]:
    tables: list[tuple[str, int, str, Sequence[Indicator]]] = []
    for n, o in enumerate(doc.overall):
        tables.append(("O", n, OVERALL_TABLE, o.indicators))
    for n, p in enumerate(doc.projects):
        tables.append(("P", n, p.name, [*p.indicators, *p.annual_indicators]))
    for kind, n, name, rows in tables:
        position = {"实施期": 0, "年度": 0}
        for r in rows:
            key = indicator_key(kind, n, r.period, position[r.period])
            position[r.period] += 1
            actual = r.actual if isinstance(r, EvaluatedIndicator) else None
            yield [name, r.period, r.level1_printed or r.level1, r.level2_printed or r.level2, r.full_name or r.level3,
                   r.value.raw, VALUE_KIND_LABELS.get(r.value.kind, r.value.kind), actual or "", r.line, doc.name,
                   doc.unit or "", doc.year or "", key]


def _project_row(n: int, p: Project) -> list[Any]:
    values: list[Any] = []
    for _, field in PROJECT_FIELDS:
        if field in ("period_total", "annual_total", "unit"):
            value = getattr(p.funds, field) if p.funds is not None else None
        else:
            value = getattr(p, field)
        values.append("" if value is None else value)
    return [*values, f"P{n}"]


def record_text(doc: Document) -> str:
    """The record as ASCII JSON: nothing in it a workbook could alter (no control characters, no
    lone surrogates), so its digest still holds when read back."""
    return json.dumps(to_data(doc), ensure_ascii=True, separators=(",", ":"))


def write_extracted(path: str | Path, documents: Sequence[Document]) -> None:
    """The workbook of one document, to edit and check again; given several documents, their
    indicators listed together (a table to read: the record holds one document)."""
    import xlsxwriter

    with atomic_writer(path, binary=True) as handle:
        wb = xlsxwriter.Workbook(handle, {**xlsx_options(), "in_memory": True})
        fmts = formats(wb)
        sheet = Sheet(wb.add_worksheet(INDICATOR_SHEET),
                      [Column(t, _WIDTHS.get(t, 12), wrap=t in ("项目", "三级指标", "指标值"), hidden=t == "编号")
                       for t in INDICATOR_COLUMNS], fmts,
                      continued=lambda n: wb.add_worksheet(f"{INDICATOR_SHEET} ({n})"))
        sheet.header()
        for doc in documents:
            for row in _indicator_rows(doc):
                sheet.write(row)
        sheet.finish(title="提取的绩效指标（可直接修改指标值后用 auditor check 重新审核）",
                     printed=INDICATOR_COLUMNS.index("值类型") + 1)
        if len(documents) == 1:
            _write_projects(wb, fmts, documents[0])
            _write_record(wb, documents[0])
        wb.close()


def _write_projects(wb: Any, fmts: dict[str, Any], doc: Document) -> None:
    wide = {"项目名称": 24, "项目概况": 40, "立项依据": 30, "项目设立必要性": 30, "保证项目实施的制度、措施": 30,
            "项目实施计划": 30, "实施期总体目标": 40, "年度总体目标": 40}
    sheet = Sheet(wb.add_worksheet(PROJECT_SHEET),
                  [Column(t, wide.get(t, 12), wrap=t in wide, hidden=t == "编号") for t in PROJECT_COLUMNS], fmts)
    sheet.header()
    for n, p in enumerate(doc.projects):
        sheet.write(_project_row(n, p))
    sheet.finish(title=f"{doc.unit or ''} 项目信息")
    info = Sheet(wb.add_worksheet(FILE_SHEET), [Column("项目", 12), Column("内容", 60, wrap=True)], fmts)
    info.header()
    for label, value in (("文件", doc.name), ("单位", doc.unit or ""), ("年度", doc.year or ""),
                         ("类型", {"budget": "预算公开", "final": "决算公开"}.get(doc.kind, doc.kind)),
                         ("说明", "“指标明细”和“项目信息”可以修改（改指标值、增删指标行）；文件的其余内容（资金来源、"
                                  "文字说明中的数字等）按原文件保存在隐藏的“_提取记录”工作表中，请勿改动。")):
        info.write([label, value])
    info.finish(title="文件信息", landscape=False)


def _write_record(wb: Any, doc: Document) -> None:
    text = record_text(doc)
    ws = wb.add_worksheet(RECORD_SHEET)
    ws.write_string(0, 0, RECORD_MARK)
    ws.write_string(0, 1, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    for n, start in enumerate(range(0, len(text), RECORD_CHUNK), start=1):
        ws.write_string(n, 0, text[start:start + RECORD_CHUNK])
    ws.hide()
