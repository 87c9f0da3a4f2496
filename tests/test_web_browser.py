"""The web page in headless Chromium, as a finance officer and a reviewer use it: upload, see the
flagged rows, filter, mark a finding 误报, re-run, download the workbook."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from browser import audit_in_page, browser_page, need_browser, served

pytest.importorskip("starlette")

SAMPLES = Path(__file__).parent.parent / "samples"
SAMPLE = SAMPLES / "000_6173ad3f6f2e28ea.txt"


@pytest.fixture(scope="module")
def chromium():
    return need_browser()


def test_upload_mark_false_positive_rerun_and_download(chromium, tmp_path):
    with served(tmp_path / "server") as url, browser_page(chromium) as page:
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(url)
        assert page.title() == "绩效目标审核"
        audit_in_page(page, [SAMPLE])
        assert "审核完成" in page.inner_text("#progress-text")
        heading = page.inner_text(".doc-head")
        assert "长治市屯留区工业和信息化局" in heading and "分" in heading
        # the table itself, flagged rows highlighted in their severity's colour
        flagged = page.locator("tr.flagged")
        assert flagged.count() > 0
        plain = page.locator("table.indicators tbody tr:not(.flagged)").first
        colour = flagged.first.evaluate("r => getComputedStyle(r).backgroundColor")
        assert colour != plain.evaluate("r => getComputedStyle(r).backgroundColor")
        assert flagged.first.locator("td.rules").inner_text().strip()
        # findings grouped by project, worst first, each with its suggestion; the rule explained on demand
        first = page.locator("li.finding").first
        assert first.locator(".suggestion").count() == 1
        first.locator("details.explain summary").click()
        page.wait_for_selector("li.finding >> nth=0 >> .explain .basis")
        # filters: without 提示 no 提示 finding is visible
        total = page.locator("li.finding:visible").count()
        page.uncheck(".sev-filter[value='提示']")
        assert page.locator("li.finding[data-severity='提示']:visible").count() == 0
        assert page.locator("li.finding:visible").count() < total
        page.check(".sev-filter[value='提示']")

        # reviewer mode: mark one finding 误报, re-run, it is gone from the list and set aside
        page.check("#reviewer-mode")
        target = page.locator("li.finding[data-kind='vague_value']").first
        fingerprint = target.get_attribute("data-fingerprint")
        target.locator("select.verdict").select_option("误报")
        target.locator("input.remark").fill("口径已核实")
        target.locator("button.save-review").click()
        page.locator(f"li[data-fingerprint='{fingerprint}'] .saved", has_text="已保存").wait_for()
        page.click("#rerun")
        page.wait_for_selector("body[data-runs='2']", timeout=300_000)
        assert page.locator(f"li.finding[data-fingerprint='{fingerprint}']").count() == 0
        assert "已排除 1 条" in page.inner_text("details.suppressed summary")

        # the workbook downloads and opens; the excluded finding carries the reviewer's remark
        with page.expect_download() as info:
            page.click("a.download:text('审核汇总.xlsx')")
        saved = tmp_path / "审核汇总.xlsx"
        info.value.save_as(saved)
        book = openpyxl.load_workbook(saved, read_only=True)
        assert "问题清单" in book.sheetnames
        excluded = [" ".join(str(c) for c in row if c is not None)
                    for row in book["已排除"].iter_rows(values_only=True)]
        assert any("口径已核实" in row for row in excluded)
        # the page works under its own content security policy: nothing it does was blocked
        assert not [m for m in console if "Content Security Policy" in m], console


def test_a_departments_zip_ranked_and_a_refused_upload_explained(chromium, tmp_path):
    archive = tmp_path / "部门.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name in ("000_6173ad3f6f2e28ea.txt", "002_4d30544783f67109.txt"):
            zipped.write(SAMPLES / name, f"部门/{name}")
    bad = tmp_path / "坏.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("../../逃逸.txt", "x")
    bad.write_bytes(buffer.getvalue())
    with served(tmp_path / "server") as url, browser_page(chromium) as page:
        page.goto(url)
        page.set_input_files("#file-input", [str(bad)])
        page.click("#start")
        page.locator("#upload-error", has_text="拒绝").wait_for()
        message = page.inner_text("#upload-error")
        assert "坏.zip" in message and ".." in message
        page.click("#clear")
        audit_in_page(page, [archive])
        documents = page.locator("details.document")
        assert documents.count() == 2
        assert "2 份" in page.inner_text("a.units-zip")  # every unit's workbook in one zip to send out
        scores = [float(t.split(" 分")[0]) for t in page.locator("details.document .doc-head .score").all_inner_texts()]
        assert scores == sorted(scores)  # worst first
        documents.first.locator("summary").first.click()  # a batch's document opens on demand
        documents.first.locator("tr.flagged").first.wait_for()
        assert documents.first.locator("tr.flagged").count() > 0
        assert not any(p.name == "逃逸.txt" for p in tmp_path.rglob("*"))
