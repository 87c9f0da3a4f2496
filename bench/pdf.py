"""PDF pages per second (text layer), against a floor measured in the same run.

    python bench/pdf.py [--copies 8]

Makes PDFs with LibreOffice from the samples — each sample's text (narrative and budget tables
as printed text) and its printed target tables from the gold fixtures (ruled, merged cells) — then
measures: the floor (PDFium text of every page, nothing else), `auditor extract` of every PDF on one
core, and the batch on all cores. Needs LibreOffice (soffice) on the PATH.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def make_pdfs(work: Path) -> list[Path]:
    from builders import printed_workbook

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed to make the test PDFs")
    sources = []
    for sample in sorted((ROOT / "samples").glob("*.txt")):
        target = work / f"{sample.stem}_text.txt"
        shutil.copy(sample, target)
        sources.append(target)
        gold = ROOT / "tests" / "fixtures" / "gold" / f"{sample.stem}.json"
        data = json.loads(gold.read_text(encoding="utf-8"))
        if data["projects"] and data["kind"] == "budget":
            printed_workbook(data, work / f"{sample.stem}_tables.xlsx")
            sources.append(work / f"{sample.stem}_tables.xlsx")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{work}/lo", "--convert-to", "pdf",
                    "--outdir", str(work), *map(str, sources)], check=True, capture_output=True, timeout=600)
    pdfs = sorted(work.glob("*.pdf"))
    missing = sorted({s.stem for s in sources} - {p.stem for p in pdfs})
    if missing:  # a bench over fewer inputs than it says would report figures for another corpus
        raise SystemExit(f"LibreOffice converted {len(pdfs)} of {len(sources)} sources; not converted: "
                         f"{', '.join(missing)} (text files need LibreOffice Writer: libreoffice-writer-nogui)")
    return pdfs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8, help="each PDF is audited this many times in the batch")
    args = parser.parse_args()
    from auditor.batch import Settings, run_batch
    from auditor.extract import extract_path
    from auditor.sources.pdf import page_texts

    work = Path(tempfile.mkdtemp(prefix="auditor-pdf-"))
    pdfs = make_pdfs(work)
    pages = {p: len(page_texts(p)) for p in pdfs}
    total = sum(pages.values())
    start = time.perf_counter()
    for p in pdfs:
        page_texts(p)
    floor = time.perf_counter() - start
    start = time.perf_counter()
    for p in pdfs:
        extract_path(p)
    single = time.perf_counter() - start
    copies = [str(p) for p in pdfs] * args.copies
    start = time.perf_counter()
    results = list(run_batch(copies, Settings(), cache=None))
    batch = time.perf_counter() - start
    assert all(r.error is None for r in results), [r.error for r in results if r.error][:2]
    print(f"{len(pdfs)} PDFs, {total} pages: " + ", ".join(f"{p.name} {n}" for p, n in pages.items()))
    print(f"{'measurement':44} {'seconds':>8} {'pages/s':>8} {'× floor':>8}")
    for label, seconds, n in (("floor: PDFium text of every page", floor, total),
                              ("auditor extract, one core", single, total),
                              (f"audit batch (extract + check), all cores, ×{args.copies}", batch,
                               total * args.copies)):
        print(f"{label:44} {seconds:8.2f} {n / seconds:8.1f} {seconds / (floor * n / total):8.1f}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
