"""`extract --format xlsx` → edit in a spreadsheet → `check`: the same findings as the source, less
what the edits fixed; the fill-in template the same; a tampered record refused."""

from __future__ import annotations

import json
import shutil

import pytest
from builders import fill_template
from click.testing import CliRunner
from conftest import BUDGET_SAMPLES, SAMPLES
from office import convert

from auditor.cli import main

STEMS = sorted(p.stem for p in SAMPLES.glob("*.txt"))


def run(*args):
    return CliRunner().invoke(main, [*map(str, args)])


def checked(path) -> dict:
    result = run("check", path, "--format", "json")
    data = json.loads(result.stdout)
    assert not data["failures"], data["failures"]
    (doc,) = data["documents"]
    return doc


def finding_keys(doc: dict) -> list[tuple]:
    """A finding as a person reads it (the file name aside: the workbook is another file)."""
    return sorted((f["rule"], f["severity"], f["project"], f["period"], f["level3"], f["value"], f["message"],
                   f["location"]["line"]) for f in doc["findings"])


def extracted(source, path):
    result = run("extract", source, "--format", "xlsx", "-o", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("round_trip")
    return {stem: extracted(SAMPLES / f"{stem}.txt", folder / f"{stem}.xlsx") for stem in STEMS}


@pytest.mark.parametrize("stem", STEMS)
def test_extract_then_check_finds_what_the_source_has(workbooks, stem):
    source, workbook = checked(SAMPLES / f"{stem}.txt"), checked(workbooks[stem])
    assert finding_keys(workbook) == finding_keys(source)
    assert workbook["score"] == source["score"] and workbook["projects"] == source["projects"]


def test_the_workbook_reads_as_a_table_too(workbooks):
    """Visible sheets a person edits; the record hidden; nothing mistaken for 计量单位."""
    from openpyxl import load_workbook

    wb = load_workbook(workbooks["002_4d30544783f67109"])
    assert wb.sheetnames == ["指标明细", "项目信息", "文件信息", "_提取记录"]
    assert wb["_提取记录"].sheet_state == "hidden"
    header = [c.value for c in wb["指标明细"][1]]
    assert header[:6] == ["项目", "期间", "一级指标", "二级指标", "三级指标", "指标值"]
    from openpyxl.utils import get_column_letter

    assert wb["指标明细"].column_dimensions[get_column_letter(header.index("编号") + 1)].hidden


def _edit(path, out, sheet, match, column, value):
    """Change one cell as a person would in Excel (openpyxl loads and saves the whole book)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if match({h: c.value for h, c in zip(header, row, strict=False)}):
            row[header.index(column)].value = value
            break
    else:
        raise AssertionError(f"no row to edit in {sheet}")
    wb.save(out)
    return out


def test_an_edited_value_clears_its_finding_and_nothing_else(workbooks, tmp_path):
    stem = "000_6173ad3f6f2e28ea"
    before = checked(workbooks[stem])
    (t01,) = [f for f in before["findings"] if f["rule"] == "T01" and f["level3"] == "工程建设费用拨付及时性"]
    edited = _edit(workbooks[stem], tmp_path / "edited.xlsx", "指标明细",
                   lambda r: r["三级指标"] == "工程建设费用拨付及时性" and r["期间"] == t01["period"], "指标值",
                   "2026年6月30日前")
    after = checked(edited)
    on_row = [k for k in finding_keys(before) if k[7] == t01["location"]["line"] and k[2] == t01["project"]
              and k[3] == t01["period"]]
    assert on_row and not [k for k in finding_keys(after) if k[7] == t01["location"]["line"]
                           and k[2] == t01["project"] and k[3] == t01["period"] and k[0] in ("T01", "V13")]
    untouched = [k for k in finding_keys(before) if k not in on_row]
    assert [k for k in finding_keys(after) if k[:2] != ("T01",)] and set(untouched) <= set(finding_keys(after))


def test_rows_added_and_project_funds_edited(workbooks, tmp_path):
    from openpyxl import load_workbook

    stem = "002_4d30544783f67109"
    wb = load_workbook(workbooks[stem])
    ws = wb["指标明细"]
    header = [c.value for c in ws[1]]
    project = ws.cell(2, header.index("项目") + 1).value
    new = {"项目": project, "期间": "实施期", "一级指标": "产出指标", "二级指标": "时效指标",
           "三级指标": "新增核查时限", "指标值": "及时"}
    ws.append([new.get(h) for h in header])
    funds = wb["项目信息"]
    fheader = [c.value for c in funds[1]]
    for row in funds.iter_rows(min_row=2):
        if row[fheader.index("项目名称")].value == project:
            row[fheader.index("年度资金总额")].value = 10
    wb.save(tmp_path / "edited.xlsx")
    after = checked(tmp_path / "edited.xlsx")
    assert any(f["rule"] == "T01" and f["level3"] == "新增核查时限" for f in after["findings"])
    before = checked(workbooks[stem])
    exceeds = {f["period"] for f in after["findings"] if f["rule"] == "C02" and f["project"] == project}
    assert "年度" in exceeds and "年度" not in {f["period"] for f in before["findings"]
                                                if f["rule"] == "C02" and f["project"] == project}


def test_deleted_rows_are_gone(workbooks, tmp_path):
    from openpyxl import load_workbook

    stem = "003_42fbab3105c3da5b"
    before = checked(workbooks[stem])
    wb = load_workbook(workbooks[stem])
    ws = wb["指标明细"]
    header = [c.value for c in ws[1]]
    victim = next(f for f in before["findings"] if f["rule"] == "V02")
    for r in range(ws.max_row, 1, -1):
        values = {h: ws.cell(r, i + 1).value for i, h in enumerate(header)}
        if values["源行号"] == victim["location"]["line"] and values["期间"] == victim["period"]:
            ws.delete_rows(r)
    wb.save(tmp_path / "deleted.xlsx")
    after = checked(tmp_path / "deleted.xlsx")
    assert not [f for f in after["findings"] if f["location"]["line"] == victim["location"]["line"]
                and f["period"] == victim["period"] and f["level3"] == victim["level3"]]


def test_a_tampered_record_is_refused_in_chinese(workbooks, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(workbooks["002_4d30544783f67109"])
    ws = wb["_提取记录"]
    ws.cell(2, 1).value = ws.cell(2, 1).value.replace("36000", "99999", 1)
    wb.save(tmp_path / "tampered.xlsx")
    result = run("check", tmp_path / "tampered.xlsx")
    assert result.exit_code == 2 and "_提取记录" in result.output and "校验不符" in result.output


def test_a_save_by_libreoffice_keeps_the_round_trip(workbooks, tmp_path):
    stem = "001_9ab8174854570465"  # self-evaluation tables: the richest record
    shutil.copy(workbooks[stem], tmp_path / "book.xlsx")
    (tmp_path / "saved").mkdir()
    saved = convert(tmp_path / "book.xlsx", tmp_path / "saved", "xlsx:Calc MS Excel 2007 XML")
    assert finding_keys(checked(saved)) == finding_keys(checked(SAMPLES / f"{stem}.txt"))


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
def test_the_template_round_trips_the_same(gold, stem, tmp_path):
    assert run("template", "-o", tmp_path / "template.xlsx").exit_code == 0
    fill_template(tmp_path / "template.xlsx", gold[stem], tmp_path / "filled.xlsx")
    filled = checked(tmp_path / "filled.xlsx")
    assert filled["findings"]
    again = checked(extracted(tmp_path / "filled.xlsx", tmp_path / "again.xlsx"))
    assert finding_keys(again) == finding_keys(filled)


def test_a_record_that_is_not_a_document_is_refused(workbooks, tmp_path):
    """A well-formed digest over hostile JSON (nested a thousand deep, or the wrong shape) is still
    refused with the file named, never a crash."""
    import hashlib

    from openpyxl import load_workbook

    for name, text in (("deep", "[" * 5000 + "]" * 5000), ("shape", '{"path": 1, "projects": "x"}')):
        wb = load_workbook(workbooks["002_4d30544783f67109"])
        ws = wb["_提取记录"]
        for row in range(2, ws.max_row + 1):
            ws.cell(row, 1).value = None
        ws.cell(2, 1).value = text
        ws.cell(1, 2).value = hashlib.sha256(text.encode()).hexdigest()
        wb.save(tmp_path / f"{name}.xlsx")
        result = run("check", tmp_path / f"{name}.xlsx")
        assert result.exit_code == 2 and f"{name}.xlsx" in result.output and "_提取记录" in result.output, name
