"""No row is ever lost to Excel's row limit: a sheet that fills continues on 问题清单 (2)…, the 汇总
sheet says where, and the rows written equal the batch's totals (a small limit is injected here;
the real one is 1,048,576 rows a sheet)."""

from __future__ import annotations

import json

import openpyxl
import pytest
import xlsxwriter
from conftest import SAMPLES

from auditor import api
from auditor.report import sheets
from auditor.report.sheets import Column, Sheet

LIMIT = 40


def _parts(book, name: str) -> list:
    return [ws for ws in book.worksheets if ws.title == name or ws.title.startswith(f"{name} (")]


def test_a_full_sheet_continues_and_every_row_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "EXCEL_ROWS", LIMIT)
    out = tmp_path / "out"
    api.audit_to(sorted(SAMPLES.glob("*.txt")), out, api.Options(jobs=1), per_unit=True)
    report = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
    findings = sum(len(d["findings"]) for d in report["documents"])
    book = openpyxl.load_workbook(out / "审核汇总.xlsx", read_only=True)

    issues = _parts(book, "问题清单")
    assert len(issues) > 2 and [ws.title for ws in issues][1] == "问题清单 (2)"
    rows = []
    for ws in issues:
        values = list(ws.iter_rows(values_only=True))
        assert len(values) <= LIMIT and values[0][0] == "序号"  # each part has its header
        rows += values[1:]
    assert len(rows) == findings
    assert [r[0] for r in rows] == list(range(1, findings + 1))  # numbered across the parts

    details = _parts(book, "指标明细")
    assert len(details) > 2
    written = sum(1 for ws in details for _ in ws.iter_rows(min_row=2, values_only=True))
    from auditor.extract import extract_path

    indicators = 0
    for path in sorted(SAMPLES.glob("*.txt")):
        doc = extract_path(path)
        indicators += sum(len(p.indicators) + len(p.annual_indicators) for p in doc.projects)
        indicators += sum(len(o.indicators) for o in doc.overall)
    assert written == indicators

    notes = " ".join(str(c) for row in book["汇总"].iter_rows(values_only=True) for c in row if c)
    assert "“问题清单”共" in notes and "“问题清单 (2)”" in notes and "“指标明细 (2)”" in notes

    # a unit's own workbook continues the same way
    unit = next((out / "各单位审核意见").glob("*.xlsx"))
    assert len(_parts(openpyxl.load_workbook(unit, read_only=True), "问题清单")) >= 1


def test_a_sheet_that_cannot_continue_refuses_rather_than_drop_a_row(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    fmts = {"header": None, "plain": None, "wrap": None}
    sheet = Sheet(wb.add_worksheet("表"), [Column("甲", 10)], fmts, row_limit=3)
    sheet.header()
    sheet.write(["1"])
    sheet.write(["2"])
    with pytest.raises(OverflowError):
        sheet.write(["3"])
    wb.close()


def test_without_a_limit_reached_nothing_is_split(tmp_path):
    out = tmp_path / "out"
    api.audit_to([SAMPLES / "000_6173ad3f6f2e28ea.txt"], out, api.Options(jobs=1))
    book = openpyxl.load_workbook(out / "审核汇总.xlsx", read_only=True)
    assert [ws.title for ws in _parts(book, "问题清单")] == ["问题清单"]
    notes = " ".join(str(c) for row in book["汇总"].iter_rows(values_only=True) for c in row if c)
    assert "接续" not in notes
