"""The workbooks a bureau sends as they are: Chinese wherever a person reads, the machine's columns
hidden or off the print area, rows as tall as their text, A4 pages with titles and page numbers;
the unit's workbook a cover letter; reviews and replies read back by --baseline. Printed through
LibreOffice, every page is rendered and every character is at least 8 points."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from office import convert

from auditor.cli import main

OFFICE, DEADLINE = "长治市屯留区财政局绩效科", "2026年12月20日"
PERSON_FACING = ("问题类型", "值类型", "严重程度", "期间", "审核意见")


def audit(*args):
    return CliRunner().invoke(main, ["audit", *map(str, args)])


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workbooks")
    result = audit(SAMPLES, "-o", folder, "--per-unit", "--no-cache", "-q", "--office", OFFICE, "--deadline", DEADLINE)
    assert result.exit_code == 0, result.output
    return folder


def workbooks(out):
    return [out / "审核汇总.xlsx", *sorted((out / "各单位审核意见").glob("*.xlsx"))]


def _header(ws):
    return [c.value for c in ws[1]]


def test_person_facing_columns_carry_no_code(out):
    from openpyxl import load_workbook

    for path in workbooks(out):
        wb = load_workbook(path)
        for ws in wb.worksheets:
            header = _header(ws)
            for title in PERSON_FACING:
                if title not in header:
                    continue
                values = {row[header.index(title)] for row in ws.iter_rows(min_row=2, values_only=True)}
                english = sorted(str(v) for v in values if v and str(v).isascii())
                assert not english, (path.name, ws.title, title, english[:5])


def test_the_kind_chart_is_labelled_in_chinese_and_units_with_their_year(out):
    from openpyxl import load_workbook

    ws = load_workbook(out / "审核汇总.xlsx")["汇总"]
    cells = [(c.row, c.column, c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    kind_header = next((r, col) for r, col, v in cells if v == "问题类型")
    kinds = [ws.cell(r, kind_header[1]).value for r in range(kind_header[0] + 1, kind_header[0] + 8)]
    assert all(k and not str(k).isascii() for k in kinds), kinds
    unit_header = next((r, col) for r, col, v in cells if v == "单位（年度）")
    labels = [ws.cell(r, unit_header[1]).value for r in range(unit_header[0] + 1, unit_header[0] + 5)]
    assert len(set(labels)) == 4 and "长治市屯留区工业和信息化局（2023）" in labels
    assert "长治市屯留区工业和信息化局（2026）" in labels
    first_chart_row = min(chart.anchor._from.row for chart in ws._charts)
    assert first_chart_row > unit_header[0] + 4  # tables above the charts, as the sheet prints


def test_machine_columns_are_hidden_or_off_the_print_area(out):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter, range_boundaries

    for path in workbooks(out):
        ws = load_workbook(path)["问题清单"]
        header = _header(ws)
        fingerprint = get_column_letter(header.index("指纹") + 1)
        assert ws.column_dimensions[fingerprint].hidden, path.name
        (area,) = ws.print_area if isinstance(ws.print_area, list) else [ws.print_area]
        _, _, last_col, _ = range_boundaries(area.split("!")[-1].replace("$", ""))
        printed = header[:last_col]
        assert printed[-3:] == ["审核意见", "审核说明", "整改情况"], printed
        assert not {"文件", "行号", "指纹", "依据"} & set(printed)
        assert ws.print_title_rows == "$1:$1"


def test_every_sheet_is_set_up_for_a4_with_page_numbers(out):
    from openpyxl import load_workbook

    for path in workbooks(out):
        for ws in load_workbook(path).worksheets:
            assert ws.page_setup.paperSize == 9, (path.name, ws.title)
            expected = "portrait" if ws.title == "说明" else "landscape"
            assert ws.page_setup.orientation == expected, (path.name, ws.title)
            assert "&P" in (ws.oddFooter.center.text or ""), (path.name, ws.title)
            assert ws.print_area, (path.name, ws.title)
            scale = ws.page_setup.scale or 100
            assert 80 <= scale <= 100, (path.name, ws.title, scale)  # 10-point text prints at 8 points or more


def test_rows_are_as_tall_as_their_wrapped_text(out):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from auditor.report.sheets import lines_needed

    ws = load_workbook(out / "审核汇总.xlsx")["问题清单"]
    header = _header(ws)
    message = header.index("问题说明")
    width = ws.column_dimensions[get_column_letter(message + 1)].width
    checked = 0
    for row in ws.iter_rows(min_row=2, max_row=200):
        text = row[message].value or ""
        lines = lines_needed(text, width)
        if lines > 1:
            height = ws.row_dimensions[row[0].row].height
            assert height is not None and height >= lines * 13, (row[0].row, text, height)
            assert row[message].alignment.wrap_text
            checked += 1
    assert checked > 20


def test_the_unit_workbook_is_a_cover_letter(out):
    from openpyxl import load_workbook

    path = out / "各单位审核意见" / "长治市屯留区人民政府办公室_2026审核意见.xlsx"
    wb = load_workbook(path)
    cover = [str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value is not None]
    text = "\n".join(cover)
    assert OFFICE in text and DEADLINE in text and "审核日期" in text
    assert "请先改这" in text and "1. 错误" in text
    header = ["项目", "得分", "等级", "错误", "警告", "提示"]
    assert all(h in cover for h in header)
    assert "单位运转经费" in cover  # one row per project
    issues = wb["问题清单"]
    issue_header = _header(issues)
    from openpyxl.utils import get_column_letter

    assert issues.column_dimensions[get_column_letter(issue_header.index("单位") + 1)].hidden
    assert "整改情况" in issue_header and "审核说明" in issue_header


def test_reviews_and_replies_come_back_with_the_baseline(out, tmp_path):
    """The reviewer marks 误报 with a remark in the summary; the department answers in its own
    workbook; the next audit reads both: the 误报 listed on 已排除 with the remark, the reply kept."""
    from openpyxl import load_workbook

    summary = load_workbook(out / "审核汇总.xlsx")
    ws = summary["问题清单"]
    header = _header(ws)
    col = {t: header.index(t) + 1 for t in ("审核意见", "审核说明", "指纹", "规则", "文件")}
    marked = replied = None
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["文件"]).value == "002_4d30544783f67109.txt" and ws.cell(r, col["规则"]).value == "V02":
            ws.cell(r, col["审核意见"]).value, ws.cell(r, col["审核说明"]).value = "误报", "定性指标可接受"
            marked = ws.cell(r, col["指纹"]).value
            break
    summary.save(tmp_path / "reviewed.xlsx")
    unit = load_workbook(out / "各单位审核意见" / "长治市屯留区人民政府办公室_2026审核意见.xlsx")
    uws = unit["问题清单"]
    uheader = _header(uws)
    for r in range(2, uws.max_row + 1):
        fingerprint = uws.cell(r, uheader.index("指纹") + 1).value
        if fingerprint != marked:
            uws.cell(r, uheader.index("整改情况") + 1).value = "已改为 2026年6月30日前"
            replied = fingerprint
            break
    unit.save(tmp_path / "answered.xlsx")
    again = tmp_path / "again"
    result = audit(SAMPLES, "-o", again, "--per-unit", "--no-cache", "-q", "--baseline", tmp_path / "reviewed.xlsx",
                   "--baseline", tmp_path / "answered.xlsx")
    assert result.exit_code == 0, result.output
    wb = load_workbook(again / "审核汇总.xlsx")
    excluded = wb["已排除"]
    rows = list(excluded.iter_rows(min_row=2, values_only=True))
    eheader = _header(excluded)
    assert [(r[eheader.index("审核意见")], r[eheader.index("审核说明")]) for r in rows] == [("误报", "定性指标可接受")]
    issues = wb["问题清单"]
    iheader = _header(issues)
    by_fp = {r[iheader.index("指纹")]: r for r in issues.iter_rows(min_row=2, values_only=True)}
    assert marked not in by_fp
    assert by_fp[replied][iheader.index("整改情况")] == "已改为 2026年6月30日前"
    unit_again = load_workbook(again / "各单位审核意见" / "长治市屯留区人民政府办公室_2026审核意见.xlsx")
    assert "已排除" in unit_again.sheetnames


def test_printed_pages_are_legible(out, tmp_path):
    """Summary and a unit's workbook through LibreOffice: every page rendered to an image with ink on
    it, every character at least 8 points, and no page holding only a spilled-over column."""
    import pdfplumber
    import pypdfium2

    sources = {"summary.xlsx": out / "审核汇总.xlsx",
               "unit.xlsx": out / "各单位审核意见" / "长治市屯留区人民政府办公室_2026审核意见.xlsx"}
    for name, source in sources.items():
        shutil.copy(source, tmp_path / name)
        pdf = convert(tmp_path / name, tmp_path)
        with pdfplumber.open(pdf) as document:
            assert len(document.pages) >= 3
            sizes = [round(ch["size"], 1) for page in document.pages for ch in page.chars]
            assert sizes and min(sizes) >= 8.0, (name, sorted(set(sizes))[:5])
            for number, page in enumerate(document.pages, start=1):
                lines = [ln for ln in (page.extract_text() or "").splitlines() if ln.strip()]
                assert len(lines) >= 3, (name, number, lines)  # a title, a header row, content
        rendered = pypdfium2.PdfDocument(str(pdf))
        for index in range(len(rendered)):
            image = rendered[index].render(scale=0.5).to_pil().convert("L")
            low, high = image.getextrema()
            assert high - low > 100, (name, index + 1)  # ink on paper, not a blank page
        rendered.close()
