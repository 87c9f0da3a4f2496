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
from auditor.sources.text import decode
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
    return _mangle(draw, TABLE_LINES, 12, ["shift", "cut", "dup", "drop", "swap", "junk", "tabs"])


def _mangle(draw, source: list[str], most: int, ops: list[str]) -> str:
    """Up to `most` edits of the lines, each one of `ops`."""
    lines = list(source)
    for _ in range(draw(st.integers(0, most))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(ops))
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
        elif op == "tabs":
            lines[i] = lines[i].replace("\t", "\t\t")
        elif op == "spaces":
            lines[i] = lines[i].replace("  ", " " * draw(st.integers(1, 6)))
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


def test_size_limit():
    from auditor.batch import Settings, audit_file

    path = str(SAMPLES / "000_6173ad3f6f2e28ea.txt")
    assert "文件过大" in audit_file(path, Settings(max_size_mb=0.01)).error
    assert audit_file(path, Settings()).error is None


def test_pool_kills_a_worker_stuck_in_one_c_call_and_goes_on():
    import time

    from hostile_files import stuck_or_upper

    from auditor.pool import KillingPool

    pool = KillingPool(work=stuck_or_upper, on_timeout=lambda item: f"timeout:{item}",
                       on_crash=lambda item: f"crash:{item}", jobs=2, timeout_s=1.5, memory_mb=1024)
    start = time.monotonic()
    results = list(pool.map(["a", "stuck", "b", "die", "hog", "c"]))
    assert results == ["A", "timeout:stuck", "B", "crash:die", "MemoryError", "C"]
    assert time.monotonic() - start < 20


def test_timeout_kills_the_file_in_audit_and_check(tmp_path, monkeypatch):
    """A file stuck inside a parser's C call is stopped by the batch's timeout, in audit and check alike."""
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the stuck parser is patched in; only forked workers see the patch")
    import re as regex

    import auditor.extract

    real = auditor.extract.extract_path

    def stuck_on_one_file(path):
        if Path(path).name == "stuck.txt":
            regex.match(r"(a+)+$", "a" * 64 + "b")
        return real(path)

    monkeypatch.setattr(auditor.extract, "extract_path", stuck_on_one_file)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "002_4d30544783f67109.txt", folder / "good.txt")
    shutil.copy(SAMPLES / "002_4d30544783f67109.txt", folder / "stuck.txt")
    checked = CliRunner().invoke(main, ["check", str(folder), "--timeout", "6", "--format", "json"])
    assert checked.exit_code == 2, checked.output
    data = json.loads(checked.stdout)
    assert [d["document"] for d in data["documents"]] == ["good.txt"]
    assert "处理超时" in data["failures"][0]["error"] and data["failures"][0]["path"].endswith("stuck.txt")
    audited = CliRunner().invoke(main, ["audit", str(folder), "-o", str(tmp_path / "out"), "--timeout", "6",
                                        "--no-cache", "-q"])
    assert audited.exit_code == 2 and "stuck.txt：处理超时" in audited.stderr


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


# --- the attack, all in one batch beside one good document ------------------------------

def _garbled_bytes() -> bytes:
    """UTF-8 text read as GB18030 and saved so: every byte decodes, no character is right."""
    text = (SAMPLES / "002_4d30544783f67109.txt").read_text(encoding="utf-8")
    return text.encode("utf-8").decode("gb18030", errors="replace").encode("gb18030")


def _big5_bytes() -> bytes:
    import opencc

    text = (SAMPLES / "002_4d30544783f67109.txt").read_text(encoding="utf-8")
    return opencc.OpenCC("s2t").convert(text).encode("big5", errors="replace")


def test_attack_batch_finishes_within_limits(tmp_path):
    import resource
    import subprocess
    import sys

    import hostile_files as hostile

    folder = tmp_path / "in"
    folder.mkdir()
    good_text = (SAMPLES / "002_4d30544783f67109.txt").read_text(encoding="utf-8")
    (folder / "good.txt").write_text(good_text, encoding="utf-8")
    long_unit = "长治市屯留区某某某中心" * 30  # 300 characters
    (folder / "long_unit.txt").write_text(good_text.replace("长治市屯留区人民政府办公室", long_unit), encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"\xb2\xe2\xca\xd4.txt"), "wb") as handle:  # 测试 in GBK
        handle.write(good_text.encode("utf-8"))
    (folder / "big5.txt").write_bytes(_big5_bytes())
    (folder / "garbled.txt").write_bytes(_garbled_bytes())
    hostile.gridspan_docx(folder / "gridspan.docx")
    hostile.gridspan_docx(folder / "nan_span.docx", span="many")
    hostile.many_tables_docx(folder / "many_tables.docx")
    hostile.merged_bomb_xlsx(folder / "merged.xlsx")
    hostile.far_cell_xlsx(folder / "far_cell.xlsx")
    hostile.cid_pdf(folder / "cid.pdf")
    (folder / "no_table.txt").write_text("某某局2026年度部门预算公开\n一、部门职责\n负责全区工作。\n" * 20,
                                         encoding="utf-8")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (folder / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    (folder / "huge.png").write_bytes(hostile.png_declaring(60000, 60000))
    os.symlink(folder / "gone.txt", folder / "dangling.txt")
    (tmp_path / "secret.txt").write_text(good_text, encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", folder / "outside.txt")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "auditor", "audit", str(folder), "-o", str(out), "--per-unit", "--no-cache",
               "-q", "--timeout", "60", "--jobs", "2"]
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True); "
             "sys.stderr.buffer.write(r.stderr); "
             "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    run = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, timeout=600)
    code, peak_kb = map(int, run.stdout.split())
    assert code == 2 and "Traceback" not in run.stderr, run.stderr[-3000:]
    assert peak_kb * 3 < 2 * 1024 * 1024  # the main process and two workers, each at most this
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 2 * 1024 * 1024
    data = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
    failures = {Path(f["path"]).name: f["error"] for f in data["failures"]}
    expected = {"gridspan.docx": "声明跨 1,000,000,000 列", "nan_span.docx": "不是数字",
                "many_tables.docx": "表格过多", "merged.xlsx": "合并单元格", "far_cell.xlsx": "过大",
                "cid.pdf": "文字层无法识别", "garbled.txt": "文字无法识别", "no_table.txt": "未找到绩效目标表",
                "old.doc": "另存为 .docx", "old.xls": "另存为 .xlsx", "scan.png": "图片无法读取",
                "huge.png": "图片过大",
                "dangling.txt": "链接指向的文件不存在", "outside.txt": "输入文件夹以外"}
    assert set(failures) == set(expected), failures
    for name, reason in expected.items():
        assert reason in failures[name], (name, failures[name])
    audited = {d["document"]: d for d in data["documents"]}
    assert set(audited) == {"good.txt", "long_unit.txt", "\ufffd\ufffd\ufffd\ufffd.txt", "big5.txt"}
    assert all(len(d["projects"]) == 9 and d["findings"] for d in audited.values())
    assert audited["long_unit.txt"]["unit"] == long_unit
    units = sorted(p.name for p in (out / "各单位审核意见").iterdir())
    assert len(units) == 4 and all(len(name.encode()) <= 200 for name in units)
    assert not any(p.name.endswith(".tmp") for p in out.rglob("*"))
    from openpyxl import load_workbook

    listed = [row[0] for row in load_workbook(out / "审核汇总.xlsx")["处理失败"].iter_rows(min_row=2, values_only=True)]
    assert len(listed) == len(expected)


def _layout_lines(layout: str) -> list[str]:
    import layouts

    gold = json.loads((Path(__file__).parent / "fixtures" / "gold" / "002_4d30544783f67109.json")
                      .read_text(encoding="utf-8"))
    gold = {**gold, "projects": gold["projects"][:2]}
    return layouts.render_text(gold, "platform" if layout == "spaces" else "two_sets", layout).split("\n")


LAYOUT_LINES = {layout: _layout_lines(layout) for layout in ("cell_per_line", "spaces", "markdown")}


@st.composite
def mangled_layouts(draw):
    """Renders of the other layouts (one cell per line, space-aligned, markdown) cut, shuffled, duplicated."""
    lines = LAYOUT_LINES[draw(st.sampled_from(sorted(LAYOUT_LINES)))]
    return _mangle(draw, lines, 10, ["cut", "dup", "drop", "swap", "junk", "spaces"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled_layouts())
def test_other_layouts_keep_their_invariants_when_mangled(text):
    doc = extract_text(text, "fuzz.txt")
    assert violations(doc) == []
    for f in check_document(doc):
        assert f.message and f.severity in ("错误", "警告", "提示")
