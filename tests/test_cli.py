"""`auditor extract`: formats, exit codes, messages naming the file, safe output."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import SAMPLES

from auditor.cli import main

SAMPLE_000 = str(SAMPLES / "000_6173ad3f6f2e28ea.txt")


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_json_to_stdout_uses_gold_field_names():
    result = run("extract", SAMPLE_000)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    (doc,) = data["documents"]
    assert doc["document"] == "000_6173ad3f6f2e28ea.txt" and len(doc["projects"]) == 13
    row = doc["projects"][0]["indicators"][0]
    assert {"level1", "level2", "level3", "value", "value_kind", "doubled", "parsed", "line"} <= row.keys()


def test_folder_input_and_json_file(tmp_path):
    out = tmp_path / "out" / "x.json"
    result = run("extract", str(SAMPLES), "-o", str(out))
    assert result.exit_code == 0
    docs = json.loads(out.read_text(encoding="utf-8"))["documents"]
    assert [d["document"] for d in docs] == sorted(p.name for p in SAMPLES.glob("*.txt"))
    assert "0 个项目表，0 张整体表，16 张绩效自评表" in result.stderr  # 001: final accounts


def _indicator_count(path):
    from auditor.extract import extract_path

    return sum(len(p.indicators) + len(p.annual_indicators) for p in extract_path(path).projects)


def test_csv_has_one_row_per_indicator():
    result = run("extract", SAMPLE_000, "--format", "csv")
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("文件,单位,年度,项目,期间,一级指标,二级指标,三级指标,指标值")
    assert len(lines) == 1 + _indicator_count(SAMPLE_000) == 1 + 212
    assert "13 个项目表，0 张整体表，212 行指标" in result.stderr


def test_xlsx_output(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "x.xlsx"
    assert run("extract", SAMPLE_000, "--format", "xlsx", "-o", str(out)).exit_code == 0
    ws = load_workbook(out)["指标明细"]
    assert ws.max_row == 1 + _indicator_count(SAMPLE_000) and ws.freeze_panes == "A2" and ws.auto_filter.ref


def test_xlsx_requires_output_file():
    result = run("extract", SAMPLE_000, "--format", "xlsx")
    assert result.exit_code == 2


def test_bad_inputs_are_named_and_the_batch_goes_on(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 50)
    gb = tmp_path / "gb.txt"
    gb.write_bytes((SAMPLES / "002_4d30544783f67109.txt").read_text(encoding="utf-8").encode("gb18030"))
    result = run("extract", str(empty), str(binary), str(gb))
    assert result.exit_code == 2
    assert f"{empty}：文件为空" in result.stderr
    assert f"{binary}：不是文本文件" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    data = json.loads(result.stdout)
    assert len(data["documents"]) == 1 and len(data["documents"][0]["projects"]) == 9
    assert {f["path"] for f in data["failures"]} == {str(empty), str(binary)}


def test_document_without_tables_exits_0(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("某某局2026年度部门预算公开\n一、部门职责\n负责全区工作。\n", encoding="utf-8")
    result = run("extract", str(plain))
    assert result.exit_code == 0
    assert f"{plain}：未找到绩效目标表" in result.stderr


def test_nonexistent_path_is_usage_error(tmp_path):
    result = run("extract", str(tmp_path / "missing.txt"))
    assert result.exit_code == 2 and "missing.txt：文件不存在" in result.stderr


def test_formula_like_text_stays_text(tmp_path):
    from openpyxl import load_workbook

    text = (SAMPLES / "002_4d30544783f67109.txt").read_text(encoding="utf-8")
    text = text.replace("督办事项数量", '=HYPERLINK("http://x","y")').replace("≥100件", "+8613800000000")
    doc = tmp_path / "evil.txt"
    doc.write_text(text, encoding="utf-8")
    out = tmp_path / "evil.xlsx"
    assert run("extract", str(doc), "--format", "xlsx", "-o", str(out)).exit_code == 0
    ws = load_workbook(out)["指标明细"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith(("=", "+"))]
    assert cells and all(c.data_type == "s" for c in cells)
    csv_text = run("extract", str(doc), "--format", "csv").stdout
    assert "'=HYPERLINK" in csv_text and "'+8613800000000" in csv_text
