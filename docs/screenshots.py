"""Render the pictures shown in the README: the bundled samples audited, the summary and one unit's
workbook printed to PDF by LibreOffice, chosen pages saved as PNG in docs/images/; and the web page's
result for one sample, in headless Chromium (docs/images/网页_审核结果.png).

    python docs/screenshots.py        (needs LibreOffice: soffice on the PATH; Chromium for the page)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
UNIT = "长治市屯留区人民政府办公室_2026审核意见.xlsx"
# (workbook, page, image): the summary's first page, its issue list, the unit's letter and list
PAGES = (("summary", 1, "汇总.png"), ("summary", 4, "问题清单.png"), ("unit", 1, "单位审核意见_说明.png"),
         ("unit", 2, "单位审核意见_问题清单.png"))


def main() -> int:
    import pypdfium2

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print("LibreOffice (soffice) is needed to print the workbooks", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run([sys.executable, "-m", "auditor", "audit", str(ROOT / "samples"), "-o", str(work / "out"),
                        "--per-unit", "--no-cache", "-q", "--office", "长治市屯留区财政局绩效科",
                        "--deadline", "2026年12月20日"], check=True)
        shutil.copy(work / "out" / "审核汇总.xlsx", work / "summary.xlsx")
        shutil.copy(work / "out" / "各单位审核意见" / UNIT, work / "unit.xlsx")
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{work}/lo", "--convert-to", "pdf",
                        "--outdir", str(work), str(work / "summary.xlsx"), str(work / "unit.xlsx")],
                       check=True, capture_output=True)
        IMAGES.mkdir(parents=True, exist_ok=True)
        for book, page, name in PAGES:
            pdf = pypdfium2.PdfDocument(str(work / f"{book}.pdf"))
            pdf[page - 1].render(scale=110 / 72).to_pil().save(IMAGES / name, optimize=True)
            pdf.close()
            print(IMAGES / name)
    return web_page()


def web_page() -> int:
    """The result page of `auditor serve` for one sample, a few findings and the flagged table in view."""
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import audit_in_page, browser_page, chromium_path, served

    executable = chromium_path()
    if executable is None:
        print("Chromium is needed for the web page's picture", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp, served(Path(tmp)) as url, browser_page(executable) as page:
        page.goto(url)
        audit_in_page(page, [ROOT / "samples" / "000_6173ad3f6f2e28ea.txt"])
        page.check("#reviewer-mode")
        page.evaluate("window.scrollTo(0, 0)")
        target = IMAGES / "网页_审核结果.png"
        page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": 1280, "height": 1000}, full_page=True)
        page.locator("table.indicators").first.scroll_into_view_if_needed()
        page.screenshot(path=str(IMAGES / "网页_指标表.png"))
        print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
