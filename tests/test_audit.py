"""`auditor audit`: the 审核汇总 workbook, per-unit workbooks, failures, cache, baseline round trip."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from auditor.cli import main

SAMPLE_000 = SAMPLES / "000_6173ad3f6f2e28ea.txt"
SAMPLE_002 = SAMPLES / "002_4d30544783f67109.txt"


def audit(*args):
    return CliRunner().invoke(main, ["audit", *map(str, args)])


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit")
    result = audit(SAMPLES, "-o", out, "--per-unit", "--no-cache", "-q")
    assert result.exit_code == 0, result.output
    return out


def test_summary_workbook_layout(audited):
    from openpyxl import load_workbook

    wb = load_workbook(audited / "审核汇总.xlsx")
    # the samples hold two years of one bureau and three units: the comparisons across them get their sheets
    assert wb.sheetnames == ["汇总", "问题清单", "指标明细", "已排除", "年度对比", "相似填报", "处理失败"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.print_title_rows == "$1:$1"
    summary = wb["汇总"]
    assert [c.value for c in summary[1]][:12] == ["排名", "单位", "年度", "文件", "项目数", "指标数", "错误", "警告",
                                                   "提示", "问题总数", "得分", "等级"]
    scores = [row[10] for row in summary.iter_rows(min_row=2, max_row=4, values_only=True)]
    assert scores == sorted(scores)  # worst first
    assert len(summary._charts) == 2
    issues = wb["问题清单"]
    header = [c.value for c in issues[1]]
    assert header == ["序号", "单位", "项目", "期间", "一级指标", "二级指标", "三级指标", "指标值", "严重程度",
                      "问题类型", "规则", "问题说明", "修改建议", "审核意见", "审核说明", "整改情况", "依据",
                      "页/工作表", "文件", "行号", "指纹"]
    assert issues.auto_filter.ref and issues.max_row > 300
    (validation,) = issues.data_validations.dataValidation
    from openpyxl.utils import get_column_letter

    verdict_column = get_column_letter(header.index("审核意见") + 1)
    assert validation.formula1 == '"确认,误报,待定"' and str(validation.sqref).startswith(f"{verdict_column}2:")
    details = wb["指标明细"]
    head = [c.value for c in details[1]]
    value, said, count = head.index("指标值"), head.index("问题"), head.index("问题数")
    rows = list(details.iter_rows(min_row=2))
    flagged = [r for r in rows if r[count].value]
    assert flagged and all(r[value].fill.fgColor.rgb not in (None, "00000000") and r[said].value for r in flagged)
    assert all(not r[said].value for r in rows if not r[count].value)
    assert any("C02 成本超过预算" in r[said].value for r in flagged)
    assert not [c for r in rows for c in r if c.comment]  # the summary's messages are in 问题清单, not comments


def test_json_records_match_check(audited):
    data = json.loads((audited / "审核结果.json").read_text(encoding="utf-8"))
    assert [d["document"] for d in data["documents"]] == sorted(p.name for p in SAMPLES.glob("*.txt"))
    checked = json.loads(CliRunner().invoke(main, ["check", str(SAMPLE_002), "--format", "json"]).stdout)
    mine = next(d for d in data["documents"] if d["document"] == SAMPLE_002.name)
    expected = [f["fingerprint"] for f in checked["documents"][0]["findings"]]
    assert [f["fingerprint"] for f in mine["findings"]] == expected
    assert data["failures"] == [] and data["suppressed"] == 0


def test_per_unit_workbooks(audited):
    from openpyxl import load_workbook

    files = sorted(p.name for p in (audited / "各单位审核意见").iterdir())
    assert "长治市屯留区人民政府办公室_2026审核意见.xlsx" in files and len(files) == 4
    wb = load_workbook(audited / "各单位审核意见" / "长治市屯留区人民政府办公室_2026审核意见.xlsx")
    assert wb.sheetnames == ["说明", "问题清单", "指标明细"]  # 已排除 only when a review set findings aside
    assert "等级" in wb["说明"]["A2"].value and "怎么改" in "".join(str(c.value) for c in wb["说明"]["A"])
    units = {row[1] for row in wb["问题清单"].iter_rows(min_row=2, values_only=True)}
    assert units == {"长治市屯留区人民政府办公室"}
    details = wb["指标明细"]
    head = [c.value for c in details[1]]
    value, said = head.index("指标值"), head.index("问题")
    flagged = [r for r in details.iter_rows(min_row=2) if r[said].value]
    assert flagged and all(r[value].comment for r in flagged)  # a unit's own workbook explains on the cell
    assert all(code.split()[0] in r[value].comment.text for r in flagged for code in r[said].value.split("；"))


def test_formula_like_text_stays_text(tmp_path):
    from openpyxl import load_workbook

    text = SAMPLE_002.read_text(encoding="utf-8")
    text = text.replace("督办事项数量", '=HYPERLINK("http://x","y")').replace("≥100件", "+8613800000000")
    text = text.replace("长治市屯留区人民政府办公室", "@单位")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "evil.txt").write_text(text, encoding="utf-8")
    assert audit(tmp_path / "in", "-o", tmp_path / "out", "--no-cache", "-q").exit_code == 0
    wb = load_workbook(tmp_path / "out" / "审核汇总.xlsx")
    risky = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(("=", "+", "@"))]
    assert {c.value for c in risky} >= {'=HYPERLINK("http://x","y")', "+8613800000000", "@单位"}
    assert all(c.data_type == "s" for c in risky)


def test_broken_files_are_listed_and_the_rest_is_audited(tmp_path):
    from openpyxl import load_workbook

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE_002, folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    whole = tmp_path / "whole.xlsx"
    shutil.copy(_any_xlsx(tmp_path), whole)
    (folder / "truncated.xlsx").write_bytes(whole.read_bytes()[:3000])
    result = audit(folder, folder / "truncated.xlsx", "-o", tmp_path / "out", "--no-cache", "-q")
    assert result.exit_code == 2
    failed = {row[0].split("/")[-1]: row[1] for row in
              load_workbook(tmp_path / "out" / "审核汇总.xlsx")["处理失败"].iter_rows(min_row=2, values_only=True)}
    assert set(failed) == {"empty.txt", "binary.txt", "truncated.xlsx"}
    assert failed["empty.txt"] == "文件为空" and "不是文本文件" in failed["binary.txt"]
    data = json.loads((tmp_path / "out" / "审核结果.json").read_text(encoding="utf-8"))
    assert [d["document"] for d in data["documents"]] == ["good.txt"]
    assert "empty.txt：文件为空" in result.stderr


def _any_xlsx(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "made.xlsx"
    wb = Workbook()
    for i in range(200):
        wb.active.append([f"单元格{i}", i, "内容" * 10])
    wb.save(path)
    return path


def test_baseline_round_trip(tmp_path):
    from openpyxl import load_workbook

    first = tmp_path / "first"
    assert audit(SAMPLE_002, "-o", first, "--no-cache", "-q").exit_code == 0
    path = first / "审核汇总.xlsx"
    wb = load_workbook(path)
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    verdict, fingerprint, rule = header.index("审核意见") + 1, header.index("指纹") + 1, header.index("规则") + 1
    rows = list(range(2, ws.max_row + 1))
    marked = {ws.cell(r, fingerprint).value for r in rows[:2]}
    for r in rows[:2]:
        ws.cell(r, verdict).value = "误报"
    ws.cell(rows[2], verdict).value = "确认"
    confirmed = ws.cell(rows[2], fingerprint).value
    wb.save(path)
    total = len(rows)
    second = tmp_path / "second"
    result = audit(SAMPLE_002, "-o", second, "--baseline", path, "--no-cache", "-q")
    assert result.exit_code == 0 and "排除误报 2 条" in result.stderr
    wb2 = load_workbook(second / "审核汇总.xlsx")
    ws2 = wb2["问题清单"]
    header2 = [c.value for c in ws2[1]]
    fp_col, verdict_col = header2.index("指纹"), header2.index("审核意见")
    fps = {row[fp_col]: row[verdict_col] for row in ws2.iter_rows(min_row=2, values_only=True)}
    assert not marked & set(fps) and len(fps) == total - 2
    assert fps[confirmed] == "确认"  # the reviewer's verdict is carried over
    notes = [c.value for row in wb2["汇总"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("排除误报 2 条" in n for n in notes)
    assert json.loads((second / "审核结果.json").read_text(encoding="utf-8"))["suppressed"] == 2
    del rule


def test_cache_and_up_to_date_reports(tmp_path):
    from auditor.batch import Settings, run_batch
    from auditor.cache import ResultCache

    folder = tmp_path / "in"
    folder.mkdir()
    for p in (SAMPLE_000, SAMPLE_002):
        shutil.copy(p, folder / p.name)
    paths = sorted(str(p) for p in folder.iterdir())
    cache = ResultCache(tmp_path / "c.sqlite")
    first = list(run_batch(paths, Settings(), jobs=1, cache=cache))
    second = list(run_batch(paths, Settings(), jobs=1, cache=cache))
    assert [r.cached for r in first] == [False, False] and [r.cached for r in second] == [True, True]
    assert [r.findings for r in first] == [r.findings for r in second]
    assert [r.document for r in first] == [r.document for r in second]
    (folder / SAMPLE_002.name).write_text(SAMPLE_002.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    third = list(run_batch(paths, Settings(), jobs=1, cache=cache))
    assert [r.cached for r in third] == [True, False]
    assert not next(run_batch(paths, Settings(profile="shanxi"), jobs=1, cache=cache)).cached
    out = tmp_path / "out"
    args = (folder, "-o", out, "--cache", tmp_path / "c2.sqlite", "-q")
    assert "已审核 2 份文件" in audit(*args).stderr
    assert "报告已是最新" in audit(*args).stderr
    (out / "审核汇总.xlsx").unlink()
    assert "已审核 2 份文件" in audit(*args).stderr  # a missing report is written again


def test_parallel_results_keep_input_order(tmp_path):
    from auditor.batch import Settings, run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    paths = []
    for i in range(8):
        src = [SAMPLE_000, SAMPLE_002][i % 2]
        target = folder / f"{i:02d}_{src.name}"
        shutil.copy(src, target)
        paths.append(str(target))
    results = list(run_batch(paths, Settings(), jobs=2))
    assert [r.path for r in results] == paths
    assert [len(r.document.projects) for r in results] == [13, 9] * 4


def test_unit_names_never_escape_the_output_folder(tmp_path):
    from auditor.report.excel import safe_file_name

    for name in ["../../evil", "..", "a/b\\c", "CON", "nul.txt", "x" * 300, "", "名称:*?\"<>|"]:
        safe = safe_file_name(name)
        assert safe and "/" not in safe and "\\" not in safe and ".." not in safe and len(safe) <= 80
        assert (tmp_path / f"{safe}.xlsx").resolve().parent == tmp_path.resolve()


def test_report_folder_inside_the_input_folder_is_not_read_back(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE_002, folder / SAMPLE_002.name)
    args = (folder, "-o", folder / "审核结果", "--per-unit", "--no-cache", "-q")
    assert audit(*args).exit_code == 0
    assert audit(*args).exit_code == 0  # the second run must not audit its own reports
    data = json.loads((folder / "审核结果" / "审核结果.json").read_text(encoding="utf-8"))
    assert [d["document"] for d in data["documents"]] == [SAMPLE_002.name]


def test_output_folder_may_be_the_input_folder(tmp_path):
    """Outputs are left out, inputs are not (also a user's file that happens to be another report)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for p in (SAMPLE_000, SAMPLE_002):
        shutil.copy(p, folder / p.name)
    for _ in range(2):
        result = audit(folder, "-o", folder, "--per-unit", "--no-cache", "-q")
        assert result.exit_code == 0, result.output
        data = json.loads((folder / "审核结果.json").read_text(encoding="utf-8"))
        assert [d["document"] for d in data["documents"]] == [SAMPLE_000.name, SAMPLE_002.name]
        assert data["failures"] == []


def test_stale_temporary_files_of_a_killed_run_are_removed(tmp_path):
    out = tmp_path / "out"
    (out / "各单位审核意见").mkdir(parents=True)
    dead = 2**22 + 12345  # above any pid_max default: no such process
    stale = [out / f".auditor-{dead}-abc123.tmp", out / "各单位审核意见" / f".auditor-{dead}-x9.tmp"]
    live = out / f".auditor-{os.getpid()}-live.tmp"  # this process is alive: a live run's file stays
    other = out / ".somebody-else.tmp"
    for path in (*stale, live, other):
        path.write_bytes(b"x" * 1000)
    assert audit(SAMPLE_002, "-o", out, "--per-unit", "--no-cache", "-q").exit_code == 0
    assert not any(p.exists() for p in stale) and live.exists() and other.exists()


def test_cache_rows_are_committed_as_results_arrive(tmp_path):
    """A batch killed midway keeps every result it finished: each is committed when it arrives."""
    import sqlite3

    from auditor.batch import Settings, run_batch
    from auditor.cache import ResultCache

    cache = ResultCache(tmp_path / "c.sqlite")
    batch = run_batch([str(SAMPLE_000), str(SAMPLE_002)], Settings(), jobs=1, cache=cache)
    next(batch)
    reader = sqlite3.connect(tmp_path / "c.sqlite")
    assert reader.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 1
    batch.close()


@pytest.mark.parametrize("content,problem", [(None, "不存在"), (b"plain text", "不是 Excel 工作簿"),
                                             (b"PK\x03\x04broken", "损坏")])
def test_baseline_mistakes_are_chinese_errors(tmp_path, content, problem):
    baseline = tmp_path / ("上次.txt" if content == b"plain text" else "上次.xlsx")
    if content is not None:
        baseline.write_bytes(content)
    result = audit(SAMPLE_002, "-o", tmp_path / "out", "--baseline", baseline, "--no-cache", "-q")
    assert result.exit_code == 2 and problem in result.stderr and "Traceback" not in result.output
    assert result.stderr.startswith("错误：")


def test_no_files_names_every_supported_type(tmp_path):
    from auditor.sources import SUPPORTED_SUFFIXES

    empty = tmp_path / "empty"
    empty.mkdir()
    for command in (["audit", str(empty), "-o", str(tmp_path / "out")], ["check", str(empty)],
                    ["extract", str(empty)]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2 and all(s in result.stderr for s in SUPPORTED_SUFFIXES), result.stderr


def test_killed_audit_leaves_nothing_the_next_run_does_not_remove(tmp_path):
    """SIGKILL in the middle of a batch: its temporary files are recognised and removed next time,
    and the results it had finished are in the cache."""
    import signal
    import sqlite3
    import sys
    import time

    folder, out, cache = tmp_path / "in", tmp_path / "out", tmp_path / "c.sqlite"
    folder.mkdir()
    text = SAMPLE_002.read_text(encoding="utf-8")
    for i in range(400):  # distinct contents: the cache is keyed by content
        (folder / f"{i:03d}.txt").write_text(f"{text}\n附注{i}\n", encoding="utf-8")
    command = [sys.executable, "-m", "auditor", "audit", str(folder), "-o", str(out), "--cache", str(cache), "-q",
               "--jobs", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    def finished() -> int:
        try:
            return sqlite3.connect(cache).execute("SELECT COUNT(*) FROM results").fetchone()[0]
        except sqlite3.OperationalError:  # not created yet
            return 0

    while time.monotonic() < deadline:
        done = finished() if cache.exists() else 0
        if done >= 3 and list(out.glob(".auditor-*.tmp")):
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    leftovers = list(out.glob(".auditor-*.tmp"))
    assert leftovers and not (out / "审核汇总.xlsx").exists()
    kept = sqlite3.connect(cache).execute("SELECT COUNT(*) FROM results").fetchone()[0]
    assert 3 <= kept < 400
    result = audit(folder, "-o", out, "--cache", cache, "-q")
    assert result.exit_code == 0 and (out / "审核汇总.xlsx").exists()
    assert not any(p.exists() for p in leftovers)


def test_person_facing_columns_speak_chinese(audited):
    """问题类型 and 值类型 carry the vocabulary's Chinese labels, the chart too; JSON keeps the codes."""
    from openpyxl import load_workbook

    wb = load_workbook(audited / "审核汇总.xlsx")
    for sheet, column in (("问题清单", "问题类型"), ("指标明细", "值类型")):
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        values = {row[header.index(column)] for row in ws.iter_rows(min_row=2, values_only=True)}
        assert values and not any(v and str(v).isascii() for v in values), (sheet, sorted(map(str, values))[:5])
    data = json.loads((audited / "审核结果.json").read_text(encoding="utf-8"))
    assert all(f["kind"].isascii() for d in data["documents"] for f in d["findings"])


def test_workbooks_explain_the_weights_of_the_profile_in_force(tmp_path):
    from openpyxl import load_workbook

    profile = tmp_path / "严格.yml"
    profile.write_text("extends: national\nweights: {错误: 20, 警告: 5, 提示: 0.5}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert audit(SAMPLE_002, "-o", out, "--per-unit", "--profile", profile, "--no-cache", "-q").exit_code == 0
    (unit,) = (out / "各单位审核意见").iterdir()
    texts = [c for row in load_workbook(unit)["说明"].iter_rows(values_only=True) for c in row if c]
    assert any("错误 20、警告 5、提示 0.5" in str(t) for t in texts)
    summary = [c for row in load_workbook(out / "审核汇总.xlsx")["汇总"].iter_rows(values_only=True) for c in row if c]
    assert any("错误 20、警告 5、提示 0.5" in str(t) for t in summary)


def test_progress_on_a_terminal_and_quiet_when_piped(tmp_path):
    """A long batch shows files done of all, the rate and the time left on a terminal; a pipe gets none."""
    import os
    import pty
    import subprocess
    import sys

    command = [sys.executable, "-m", "auditor", "audit", str(SAMPLES), "--no-cache", "-o"]
    leader, follower = pty.openpty()
    run = subprocess.run([*command, str(tmp_path / "tty")], stdout=subprocess.DEVNULL, stderr=follower, timeout=300)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    text = shown.decode("utf-8", "replace")
    assert run.returncode == 0
    assert "审核中" in text and "4/4" in text and "份/秒" in text
    piped = subprocess.run([*command, str(tmp_path / "pipe")], capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0 and "审核中" not in piped.stderr and "已审核 4 份文件" in piped.stderr


def test_a_rerun_rewrites_only_the_units_that_changed(tmp_path):
    """One input edited: its unit's workbook is written again, the others' are left as they were."""
    import shutil

    from auditor import api
    from auditor.cache import ResultCache

    inputs = tmp_path / "in"
    shutil.copytree(SAMPLES, inputs)
    out = tmp_path / "out"
    cache = ResultCache(tmp_path / "cache.sqlite")
    first = api.audit_to([inputs], out, per_unit=True, cache=cache)
    units = sorted((out / "各单位审核意见").glob("*.xlsx"))
    assert len(units) == 4 and first.units_kept == 0
    stamps = {p.name: p.stat().st_mtime_ns for p in units}
    edited = inputs / "002_4d30544783f67109.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("≥95%", "≥90%", 1), encoding="utf-8")
    second = api.audit_to([inputs], out, per_unit=True, cache=cache)
    changed = {p.name for p in units if p.stat().st_mtime_ns != stamps[p.name]}
    assert second.units_kept == 3 and len(changed) == 1 and "人民政府办公室" in changed.pop()
    # a workbook someone touched since is written again, not trusted
    kept = next(p for p in units if "人民政府办公室" not in p.name)
    kept.write_bytes(kept.read_bytes())
    edited.write_text(edited.read_text(encoding="utf-8").replace("≥90%", "≥95%", 1), encoding="utf-8")
    third = api.audit_to([inputs], out, per_unit=True, cache=cache)
    assert third.units_kept == 2
    cache.close()
