"""Inputs beyond text: Excel (printed layout and flat list / template), Word, PDF — the same records
and findings as the text path, and a clear message for files that cannot be read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from builders import fill_template, printed_docx, printed_workbook
from click.testing import CliRunner
from conftest import BUDGET_SAMPLES, GOLD, SAMPLES
from office import convert as to_pdf
from office import need_libreoffice

from auditor.check import check_document
from auditor.cli import main
from auditor.errors import InputError
from auditor.extract import extract_path
from auditor.serialize import document_dict


def f1(scorer, stem: str, path: Path) -> float:
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    pred = document_dict(extract_path(path))
    pairs, leftovers = scorer.pair_projects(gold["projects"], pred["projects"])
    (_, _, score), _ = scorer.score_rows(pairs, leftovers, "indicators", certain_only=True)
    found = sum(1 for _, p in pairs if p is not None)
    assert found == len(pairs), f"{path.name}: {found}/{len(pairs)} projects"
    return score


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("built")
    result = CliRunner().invoke(main, ["template", "-o", str(folder / "template.xlsx")])
    assert result.exit_code == 0
    for stem in BUDGET_SAMPLES:
        gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
        printed_workbook(gold, folder / f"{stem}.xlsx")
        printed_docx(gold, folder / f"{stem}.docx")
        fill_template(folder / "template.xlsx", gold, folder / f"{stem}_template.xlsx")
    return folder


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
@pytest.mark.parametrize("kind", ["_template.xlsx", ".xlsx", ".docx"])
def test_round_trip_office_files(built, scorer, stem, kind):
    assert f1(scorer, stem, built / f"{stem}{kind}") >= 0.99


@pytest.mark.parametrize("stem", BUDGET_SAMPLES)
def test_round_trip_pdf_made_by_libreoffice(built, scorer, stem, tmp_path):
    need_libreoffice()
    pdf = to_pdf(built / f"{stem}.xlsx", tmp_path)
    assert f1(scorer, stem, pdf) >= 0.97


def _text_as(kind: str, source: Path, target: Path) -> Path:
    """A sample's printed lines as an Excel sheet (one cell per tab field) or Word tables."""
    lines = source.read_text(encoding="utf-8").split("\n")
    if kind == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        for line in lines:
            wb.active.append(line.split("\t"))
        wb.save(target)
        return target
    import docx

    document = docx.Document()
    i = 0
    while i < len(lines):
        if "\t" not in lines[i]:
            document.add_paragraph(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and "\t" in lines[j]:
            j += 1
        rows = [ln.split("\t") for ln in lines[i:j]]
        table = document.add_table(rows=len(rows), cols=max(map(len, rows)))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        i = j
    document.save(str(target))
    return target


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_same_records_and_findings_as_the_text_path(documents, kind, tmp_path):
    sample = SAMPLES / "003_42fbab3105c3da5b.txt"
    other = extract_path(_text_as(kind, sample, tmp_path / f"003.{kind}"))
    text = documents["003_42fbab3105c3da5b"]
    assert [p.name for p in other.projects] == [p.name for p in text.projects]
    for a, b in zip(other.projects, text.projects, strict=True):
        assert [(r.level1, r.level2, r.level3, r.value) for r in a.indicators] == \
            [(r.level1, r.level2, r.level3, r.value) for r in b.indicators]
        assert a.funds == b.funds and a.goal_period == b.goal_period
    from dataclasses import replace

    assert other.overall[0].indicators and replace(other.declared, line=0) == replace(text.declared, line=0)
    def key(f):
        return (f.rule, f.project, f.level3, f.value)
    assert sorted(map(key, check_document(other))) == sorted(map(key, check_document(text)))


def test_template_has_dropdowns_and_reads_back(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "绩效目标表.xlsx"
    assert CliRunner().invoke(main, ["template", "-o", str(path)]).exit_code == 0
    wb = load_workbook(path)
    ws = wb["绩效目标"]
    header = [c.value for c in ws[1]]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation
             if dv.type == "list"}
    col = {name: chr(ord("A") + header.index(name)) for name in ("一级指标", "二级指标", "指标性质")}
    assert "产出指标" in lists[f"{col['一级指标']}2"] and "服务对象满意度" in lists[f"{col['二级指标']}2"]
    assert "≥" in lists[f"{col['指标性质']}2"]
    rows = [["补贴发放", "101-示范局", "示范局", "一次性项目(1年结束)", "1年", 200000, 200000, "发放补贴100户",
             "实施期",
             "产出指标", "时效指标", "补贴发放时间", "", "及时", "", ""],
            ["补贴发放", None, None, None, None, None, None, None, "实施期", "产出指标", "成本指标", "户均补贴", "≥",
             2000, "元/户", ""]]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c).value = value
    wb.save(path)
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json"])
    findings = {f["rule"] for f in json.loads(result.stdout)["documents"][0]["findings"]}
    assert {"T01", "C01"} <= findings


def test_encrypted_and_scanned_pdf(tmp_path, built):
    from PIL import Image

    scanned = tmp_path / "scan.pdf"
    Image.new("RGB", (600, 800), "white").save(scanned)
    with pytest.raises(InputError, match="没有文字层"):
        extract_path(scanned)
    need_libreoffice()
    encrypted = to_pdf(built / f"{BUDGET_SAMPLES[1]}.xlsx", tmp_path, 'pdf:calc_pdf_Export:{"EncryptFile":'
                       '{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"pw"}}')
    with pytest.raises(InputError, match="已加密"):
        extract_path(encrypted)


def test_password_protected_and_tableless_xlsx(tmp_path, built):
    from msoffcrypto.format.ooxml import OOXMLFile
    from openpyxl import Workbook

    protected = tmp_path / "protected.xlsx"
    with (built / f"{BUDGET_SAMPLES[1]}.xlsx").open("rb") as source, protected.open("wb") as out:
        OOXMLFile(source).encrypt("secret", out)
    with pytest.raises(InputError, match="密码保护"):
        extract_path(protected)
    plain = tmp_path / "plain.xlsx"
    wb = Workbook()
    wb.active.append(["姓名", "电话"])
    wb.active.append(["张三", "123"])
    wb.save(plain)
    result = CliRunner().invoke(main, ["extract", str(plain), str(protected)])
    assert f"{plain}：未找到绩效目标表" in result.stderr and "密码保护" in result.stderr
    assert result.exit_code == 2  # the protected one could not be read; the plain one was


def test_a_batch_of_bad_office_files_goes_on(tmp_path, built):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(built / f"{BUDGET_SAMPLES[1]}.docx", folder / "good.docx")
    (folder / "broken.docx").write_bytes((built / f"{BUDGET_SAMPLES[1]}.docx").read_bytes()[:2000])
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    result = CliRunner().invoke(main, ["audit", str(folder), "-o", str(tmp_path / "out"), "--no-cache", "-q"])
    assert result.exit_code == 2
    data = json.loads((tmp_path / "out" / "审核结果.json").read_text(encoding="utf-8"))
    assert [d["document"] for d in data["documents"]] == ["good.docx"]
    assert {Path(f["path"]).name for f in data["failures"]} == {"broken.docx", "broken.pdf"}


def test_an_audit_report_is_not_taken_for_a_budget_document(tmp_path):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["audit", str(SAMPLES / "002_4d30544783f67109.txt"), "-o", str(out),
                                     "--no-cache", "-q"]).exit_code == 0
    with pytest.raises(InputError, match="审核报告"):
        extract_path(out / "审核汇总.xlsx")
