"""Rows rendered as XML (report/rows.py) make the same workbook as XlsxWriter writing cell by cell:
every value, style, row height and comment of every sheet, on the samples and on text that needs
escaping (markup, Excel's own _xHHHH_ escapes, edge spaces, numbers)."""

from __future__ import annotations

import dataclasses

import openpyxl
import pytest

from auditor import api
from auditor.report import sheets


def _snapshot(path):
    book = openpyxl.load_workbook(path)
    seen = {}
    for ws in book.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    cells.append((c.coordinate, c.value, c.fill.fgColor.rgb, c.font.b, c.alignment.wrap_text,
                                  c.comment.text if c.comment else None))
        heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height}
        seen[ws.title] = (cells, heights, ws.dimensions, ws.auto_filter.ref, ws.freeze_panes)
    return seen


def _audit(out, documents, monkeypatch, rendered: bool):
    if not rendered:
        monkeypatch.setattr(sheets, "can_place", lambda ws: False)
    report = api.check(documents)
    api.write_reports(report, out)
    monkeypatch.undo()
    return out / "审核汇总.xlsx"


@pytest.fixture(scope="module")
def odd_documents(documents):
    """The samples, and one whose indicator texts need escaping and keep their spaces."""
    documents = list(documents.values())
    doc = documents[0]
    project = doc.projects[0]
    odd = ["<b>&amp; 5 > 3</b>", "_x0041_ 不是 A", "  前后有空格  ", "中文" * 400, "𠀀𠀁"]
    rows = [dataclasses.replace(r, level3=text, full_name=text) for r, text in zip(project.indicators, odd,
                                                                                   strict=False)]
    changed = dataclasses.replace(project, indicators=(*rows, *project.indicators[len(rows):]))
    return [*documents, dataclasses.replace(doc, projects=(changed, *doc.projects[1:]), path="odd.txt")]


def test_rendered_rows_make_the_same_workbook_as_cell_by_cell(odd_documents, tmp_path, monkeypatch):
    fast = _snapshot(_audit(tmp_path / "fast", odd_documents, monkeypatch, rendered=True))
    slow = _snapshot(_audit(tmp_path / "slow", odd_documents, monkeypatch, rendered=False))
    assert fast.keys() == slow.keys()
    for title in fast:
        assert fast[title] == slow[title], title
    values = {c[1] for c in fast["指标明细"][0]}
    assert {"<b>&amp; 5 > 3</b>", "  前后有空格  ", "𠀀𠀁"} <= values
    assert "_x005F_x0041_ 不是 A" in values  # escaped as Excel expects (openpyxl does not undo that escape)
    assert any(isinstance(c[1], str) and c[1].startswith("V") and c[3] is not True
               for c in fast["指标明细"][0])  # the 问题 column names the findings


def test_rendered_rows_are_used_for_the_big_sheets(documents, tmp_path, monkeypatch):
    calls = []
    real = sheets.render_row
    monkeypatch.setattr(sheets, "render_row", lambda *a: calls.append(1) or real(*a))
    api.write_reports(api.check(list(documents.values())[:1]), tmp_path)
    assert len(calls) > 100



def _parts(path):
    import zipfile

    with zipfile.ZipFile(path) as book:
        assert book.testzip() is None
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


def test_streamed_sheets_are_zipped_as_xlsxwriter_assembles_them(tmp_path):
    """The summary's sheets go into the zip straight from their row streams: every part the same bytes
    as XlsxWriter's own assembly (the creation time aside), a sheet without rows too, and no row
    stream left in the temporary folder."""
    import xlsxwriter

    from auditor.report.rows import streamed_workbook

    def write(book):
        bold = book.add_format({"bold": True})
        rows = book.add_worksheet("问题清单")
        rows.write_row(0, 0, ["序号", "问题"], bold)
        for n in range(1, 3000):
            rows.write_row(n, 0, [n, f"第{n}行 <&> 文字" * (n % 7)])
        rows.autofilter(0, 0, 2999, 1)
        book.add_worksheet("空表")
        book.close()

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(streamed_workbook(str(tmp_path / "streamed.xlsx"), {"tmpdir": str(tmp_path / "a")}))
    write(xlsxwriter.Workbook(str(tmp_path / "plain.xlsx"), {"constant_memory": True, "tmpdir": str(tmp_path / "b")}))
    streamed, plain = _parts(tmp_path / "streamed.xlsx"), _parts(tmp_path / "plain.xlsx")
    assert streamed.keys() == plain.keys()
    assert [n for n in streamed if streamed[n] != plain[n]] == []
    assert b"auditor:rows" not in b"".join(streamed.values())
    assert list((tmp_path / "a").iterdir()) == []
