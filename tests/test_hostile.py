"""Hostile and broken inputs: property-based tests of the reader, extractor and value parser, and
one test per hostile file in a batch beside a good document."""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.check import check_document
from auditor.cli import main
from auditor.errors import InputError
from auditor.extract import extract_text
from auditor.invariants import violations
from auditor.reader import decode
from auditor.values import parse_value

SAMPLE_LINES = (SAMPLES / "002_4d30544783f67109.txt").read_text(encoding="utf-8").split("\n")
TABLE_LINES = SAMPLE_LINES[529:620]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_decode_returns_text_or_input_error(data):
    try:
        assert isinstance(decode(data, "x.txt"), str)
    except InputError as exc:
        assert exc.path == "x.txt" and exc.problem


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_value_parser_never_fails(text):
    v = parse_value(text, text[:5])
    assert all(x is None or math.isfinite(x) for x in (v.number, v.number_high, v.yuan, v.annual_yuan))
    assert v.kind in ("quantity", "percent", "money", "deadline", "duration", "qualitative", "yesno", "empty")


@st.composite
def mangled_tables(draw):
    """The sample's target tables with cells shifted, lines cut, duplicated, dropped or shuffled."""
    lines = list(TABLE_LINES)
    for _ in range(draw(st.integers(0, 12))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["shift", "cut", "dup", "drop", "swap", "junk", "tabs"]))
        if op == "shift":
            lines[i] = "\t" * draw(st.integers(0, 3)) + lines[i].lstrip("\t")
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "drop" and len(lines) > 1:
            lines.pop(i)
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "junk":
            lines[i] = draw(st.text(max_size=30))
        else:
            lines[i] = lines[i].replace("\t", "\t\t")
    return "\n".join(lines)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled_tables())
def test_extraction_and_checks_keep_their_invariants(text):
    doc = extract_text(text, "fuzz.txt")
    assert violations(doc) == []
    for f in check_document(doc):
        assert f.message and f.severity in ("错误", "警告", "提示")


# --- one test per hostile file, all in one batch with a good document --------------------------

def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (40 * 1024 * 1024))


def _entity_docx(path: Path, good: Path) -> None:
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                        for i in range(1, 10))
              + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              '<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = laughs.encode() if item.filename == "word/document.xml" else source.read(item.filename)
            target.writestr(item, data)


def test_hostile_batch(tmp_path):
    import docx
    from openpyxl import load_workbook

    folder = tmp_path / "in"
    folder.mkdir()
    good_text = (SAMPLES / "002_4d30544783f67109.txt").read_text(encoding="utf-8")
    (folder / "good.txt").write_text(good_text, encoding="utf-8")
    (folder / "zero.txt").write_bytes(b"")
    (folder / "nul.txt").write_bytes(b"\x00" * 4096)
    dirty = good_text.replace("督办事项数量", "督办\u200b事项\x07数量\u202e").replace("及时", "及\x0b时\ufeff")
    (folder / "dirty.txt").write_text(dirty, encoding="utf-8")
    (folder / "evil.txt").write_text(good_text.replace("长治市屯留区人民政府办公室", "../../evil"), encoding="utf-8")
    _zip_bomb(folder / "bomb.xlsx")
    plain = docx.Document()
    plain.add_paragraph("正文")
    plain.save(str(tmp_path / "plain.docx"))
    _entity_docx(folder / "entities.docx", tmp_path / "plain.docx")
    soffice = shutil.which("soffice")
    if soffice:
        import subprocess

        from openpyxl import Workbook

        wb = Workbook()
        wb.active.append(["项目名称", "加密测试"])
        wb.save(tmp_path / "enc.xlsx")
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to",
                        'pdf:calc_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
                        '"DocumentOpenPassword":{"type":"string","value":"pw"}}', "--outdir", str(folder),
                        str(tmp_path / "enc.xlsx")], check=True, capture_output=True, timeout=300)
    elif os.environ.get("CI"):
        pytest.fail("LibreOffice is missing: .ci/run installs it")
    out = tmp_path / "out"
    before = {p for p in tmp_path.rglob("*")}
    result = CliRunner().invoke(main, ["audit", str(folder), "-o", str(out), "--per-unit", "--no-cache", "-q"])
    assert result.exit_code == 2, result.output
    created = {p for p in tmp_path.rglob("*")} - before
    assert all(out in p.parents or p == out for p in created), [p for p in created if out not in p.parents]
    data = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
    failures = {Path(f["path"]).name: f["error"] for f in data["failures"]}
    assert failures["zero.txt"] == "文件为空" and failures["nul.txt"] == "文件为空"
    assert "压缩炸弹" in failures["bomb.xlsx"]
    assert "实体" in failures["entities.docx"]
    if soffice:
        assert "已加密" in failures["enc.pdf"]
    audited = {d["document"]: d for d in data["documents"]}
    assert set(audited) == {"good.txt", "dirty.txt", "evil.txt"}
    good = audited["good.txt"]
    assert len(good["projects"]) == 9 and good["findings"]
    dirty_names = {f["level3"] for f in audited["dirty.txt"]["findings"] if f["level3"]}
    assert not any(ch in name for name in dirty_names for ch in "\u200b\x07\u202e\x0b\ufeff")
    assert audited["evil.txt"]["unit"] == "../../evil"
    units = sorted(p.name for p in (out / "各单位审核意见").iterdir())
    assert any(name.startswith("_._evil") or "evil" in name for name in units)
    wb = load_workbook(out / "审核汇总.xlsx")
    assert [row[0] for row in wb["处理失败"].iter_rows(min_row=2, values_only=True)]


def test_size_and_time_limits(tmp_path):
    from auditor.batch import Settings, audit_file

    path = str(SAMPLES / "000_6173ad3f6f2e28ea.txt")
    assert "文件过大" in audit_file(path, Settings(max_size_mb=0.01)).error
    assert "处理超时" in audit_file(path, Settings(timeout_s=0.001)).error
    assert audit_file(path, Settings()).error is None


def test_corrupt_pdf_and_absurd_inputs(tmp_path):
    from auditor.extract import extract_path

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    with pytest.raises(InputError):
        extract_path(broken)
    fake = tmp_path / "fake.docx"
    fake.write_bytes(io.BytesIO(b"not a zip at all").getvalue())
    with pytest.raises(InputError, match="损坏"):
        extract_path(fake)
