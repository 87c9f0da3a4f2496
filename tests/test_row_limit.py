"""No row is ever lost to Excel's row limit (a small limit is injected here; the real one is 1,048,576
rows a sheet). A batch whose rows would overflow a sheet goes on in 审核汇总_第2部分.xlsx…, whole
documents in input order, with a 说明 sheet saying which files each part holds; a single document
too big for a sheet continues on 问题清单 (2)…. Every row is found again, the totals match the rows
written, and a baseline reads its reviews back from every part."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest
import xlsxwriter
from conftest import SAMPLES, sample_regions

from auditor import api
from auditor.baseline import read_reviews
from auditor.extract import extract_path
from auditor.report import sheets
from auditor.report.sheets import Column, Sheet

LIMIT = 300  # rows a sheet holds here, header included: bigger than any one sample's, smaller than two


def _parts(book, name: str) -> list:
    return [ws for ws in book.worksheets if ws.title == name or ws.title.startswith(f"{name} (")]


def _indicators(path) -> int:
    doc = extract_path(path)
    return sum(len(p.indicators) + len(p.annual_indicators) for p in doc.projects) + sum(
        len(o.indicators) for o in doc.overall)


@pytest.fixture
def regions(tmp_path):
    """The samples filed by two regions' folders (eight documents)."""
    return sample_regions(tmp_path / "in")


def _books(out):
    return [out / "审核汇总.xlsx", *sorted(out.glob("审核汇总_第*部分.xlsx"), key=lambda p: int(p.stem[6:-2]))]


def test_rows_past_a_sheet_go_on_in_part_workbooks_and_none_is_lost(regions, tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "EXCEL_ROWS", LIMIT)
    out = tmp_path / "out"
    outcome = api.audit_to([regions], out, api.Options(jobs=1))
    report = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
    assert outcome.done == len(report["documents"]) == 8 and outcome.parts > 2
    books = _books(out)
    assert len(books) == outcome.parts
    assert [p.name for p in books[1:]] == [f"审核汇总_第{n}部分.xlsx" for n in range(2, outcome.parts + 1)]
    assert set(map(str, books)) <= {str(p) for p in outcome.written}

    issues, details, runs = [], 0, []
    listed = []
    for number, path in enumerate(books, start=1):
        book = openpyxl.load_workbook(path, read_only=True)
        assert book.sheetnames[0] == ("汇总" if number == 1 else "说明")
        for name in ("问题清单", "指标明细", "已排除"):
            assert [ws.title for ws in _parts(book, name)] == [name]  # whole documents: no sheet continued
        rows = list(book["问题清单"].iter_rows(values_only=True))
        assert len(rows) <= LIMIT and rows[0][0] == "序号"
        issues += rows[1:]
        detail_rows = list(book["指标明细"].iter_rows(values_only=True))
        assert len(detail_rows) <= LIMIT
        details += len(detail_rows) - 1
        file_col = detail_rows[0].index("文件")
        for row in detail_rows[1:]:
            if not runs or runs[-1] != (number, row[file_col]):
                runs.append((number, row[file_col]))
        listed.append((len(rows) - 1, len(detail_rows) - 1))

    samples = [p.name for p in sorted(SAMPLES.glob("*.txt"))]
    assert [name for _, name in runs] == samples * 2  # each document's rows together, in one workbook
    findings = [f for d in report["documents"] for f in d["findings"]]
    assert len(issues) == len(findings)
    assert [r[0] for r in issues] == list(range(1, len(findings) + 1))  # 序号 runs on across the parts
    assert {r[-1] for r in issues} == {f["fingerprint"] for f in findings}
    assert details == 2 * sum(_indicators(p) for p in SAMPLES.glob("*.txt"))

    summary = openpyxl.load_workbook(out / "审核汇总.xlsx", read_only=True)
    ranking = [r for r in summary["汇总"].iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]
    assert len(ranking) == 8  # the ranking keeps every unit, whatever part its rows are in
    notes = " ".join(str(c) for row in summary["汇总"].iter_rows(values_only=True) for c in row if c)
    assert "见“说明”" in notes
    table = list(summary["说明"].iter_rows(values_only=True))
    header = table[0]
    parts = [r for r in table[1:] if isinstance(r[0], int)]
    assert [r[header.index("工作簿")] for r in parts] == [p.name for p in books]
    assert sum(r[header.index("文件数")] for r in parts) == 8
    assert [(r[header.index("问题清单行数")], r[header.index("指标明细行数")]) for r in parts] == listed
    assert "东城区" in str(parts[0][header.index("文件夹")]) and "西城区" in str(parts[-1][header.index("文件夹")])

    # a reviewer marks a finding of the last part 误报: the baseline (the summary alone) reads it back
    last = openpyxl.load_workbook(books[-1])
    ws = last["问题清单"]
    titles = [c.value for c in ws[1]]
    ws.cell(2, titles.index("审核意见") + 1, "误报")
    marked = ws.cell(2, titles.index("指纹") + 1).value
    last.save(books[-1])
    assert read_reviews([out / "审核汇总.xlsx"])[marked].verdict == "误报"

    # a later run that fits in one workbook leaves no part of the earlier one behind
    monkeypatch.setattr(sheets, "EXCEL_ROWS", 10_000)
    again = tmp_path / "again"
    shutil.copytree(out, again)
    outcome = api.audit_to([regions], again, api.Options(jobs=1), baseline=[books[-1].parent / "审核汇总.xlsx"])
    assert outcome.parts == 1 and outcome.suppressed == 2  # the same file in both regions: one fingerprint
    assert _books(again) == [again / "审核汇总.xlsx"]


def test_one_document_past_a_sheet_continues_on_numbered_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "EXCEL_ROWS", 40)
    out = tmp_path / "out"
    sample = SAMPLES / "000_6173ad3f6f2e28ea.txt"
    api.audit_to([sample], out, api.Options(jobs=1), per_unit=True)
    report = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
    findings = report["documents"][0]["findings"]
    book = openpyxl.load_workbook(out / "审核汇总.xlsx", read_only=True)
    issues = _parts(book, "问题清单")
    assert len(issues) > 2 and [ws.title for ws in issues][1] == "问题清单 (2)"
    rows = []
    for ws in issues:
        values = list(ws.iter_rows(values_only=True))
        assert len(values) <= 40 and values[0][0] == "序号"  # each part has its header
        rows += values[1:]
    assert [r[0] for r in rows] == list(range(1, len(findings) + 1))  # numbered across the parts
    written = sum(1 for ws in _parts(book, "指标明细") for _ in ws.iter_rows(min_row=2, values_only=True))
    assert written == _indicators(sample)
    notes = " ".join(str(c) for row in book["汇总"].iter_rows(values_only=True) for c in row if c)
    assert "“问题清单”共" in notes and "“问题清单 (2)”" in notes and "“指标明细 (2)”" in notes
    assert not list(out.glob("审核汇总_第*部分.xlsx"))
    fingerprints = {r[-1] for r in rows}
    book.close()

    # a review written on a continued sheet is read back like one on the first
    edited = openpyxl.load_workbook(out / "审核汇总.xlsx")
    ws = edited["问题清单 (3)"]
    titles = [c.value for c in ws[1]]
    ws.cell(2, titles.index("审核说明") + 1, "已核实")
    edited.save(out / "审核汇总.xlsx")
    reviews = read_reviews([out / "审核汇总.xlsx"])
    assert len(reviews) == 1 and next(iter(reviews)) in fingerprints

    # a unit's own workbook continues the same way
    unit = next((out / "各单位审核意见").glob("*.xlsx"))
    assert len(_parts(openpyxl.load_workbook(unit, read_only=True), "问题清单")) > 1


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
    outcome = api.audit_to([SAMPLES / "000_6173ad3f6f2e28ea.txt"], out, api.Options(jobs=1))
    book = openpyxl.load_workbook(out / "审核汇总.xlsx", read_only=True)
    assert [ws.title for ws in _parts(book, "问题清单")] == ["问题清单"] and "说明" not in book.sheetnames
    notes = " ".join(str(c) for row in book["汇总"].iter_rows(values_only=True) for c in row if c)
    assert "接续" not in notes and outcome.parts == 1
