"""Scanned pages: RapidOCR (the `ocr` extra, as auditor reads scans) against Tesseract (chi_sim, Debian's
tesseract-ocr packages) on the same pages, and the batch's pages per second on all cores.

    python bench/ocr.py [--dpi 200] [--pages 0] [--no-tesseract]

The three budget samples' tables are printed by LibreOffice (the printed workbook layout of the
tests), rasterised at --dpi, turned 1° and speckled. The printed PDF's own text layer is the truth:
each engine's characters are counted against it (a multiset of characters, spaces and the table's
ruling aside), so the figures are character precision and recall, not layout. Then:

- each engine page by page in one process (RapidOCR through auditor's page reader: upright, grid,
  cell lines; Tesseract on the whole page with --psm 6), seconds per page and peak memory;
- `auditor audit` of the image-only PDFs with every core (the batch's workers share the cores),
  pages per second, and extraction F1 against the gold;
and checks its own inputs: every PDF converted and every page rendered, or it fails loudly.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

STEMS = ["000_6173ad3f6f2e28ea", "002_4d30544783f67109", "003_42fbab3105c3da5b"]


def chars(text: str) -> Counter[str]:
    return Counter(c for c in unicodedata.normalize("NFKC", text) if not c.isspace() and c not in "|_")


def score(truth: Counter[str], got: Counter[str]) -> tuple[float, float]:
    common = sum((truth & got).values())
    return common / max(1, sum(got.values())), common / max(1, sum(truth.values()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--pages", type=int, default=0, help="only the first N pages of each sample (0: all)")
    parser.add_argument("--no-tesseract", action="store_true")
    args = parser.parse_args()

    import numpy as np
    import pypdfium2 as pdfium
    from scans import image_pdf, page_images, printed_pdf

    from auditor.sources.scan import read_page

    tesseract = None if args.no_tesseract else shutil.which("tesseract")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        __import__("os").environ["XDG_CACHE_HOME"] = str(work / "cache")  # every page read, none from a cache
        pages, truths, scans = [], [], []
        for stem in STEMS:
            printed = printed_pdf(stem, work)
            if not printed.exists():
                raise SystemExit(f"LibreOffice did not print {stem}")
            doc = pdfium.PdfDocument(str(printed))
            texts = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
            doc.close()
            images = page_images(printed, args.dpi, 1.0, 8.0)
            if len(images) != len(texts) or not images:
                raise SystemExit(f"{stem}: rendered {len(images)} of {len(texts)} pages")
            if args.pages:
                images, texts = images[:args.pages], texts[:args.pages]
            pages += images
            truths += [chars(t) for t in texts]
            scans.append(image_pdf(images, work / f"{stem}.pdf", args.dpi))
        print(f"{len(pages)} pages at {args.dpi} dpi, turned 1°, noise 8 grey levels")

        start = time.perf_counter()
        got = [chars("\n".join(line.text for line in read_page(np.asarray(p)))) for p in pages]
        rapid_s = (time.perf_counter() - start) / len(pages)
        precision, recall = score(sum(truths, Counter()), sum(got, Counter()))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"RapidOCR (auditor's reader): {rapid_s:.2f} s/page, characters precision {precision:.3f} "
              f"recall {recall:.3f}, peak memory of this process {peak:.0f} MB")

        if tesseract:
            start = time.perf_counter()
            got_t = []
            for i, page in enumerate(pages):
                path = work / f"page{i}.png"
                page.save(path)
                run = subprocess.run([tesseract, str(path), "-", "-l", "chi_sim", "--psm", "6"], capture_output=True,
                                     text=True, check=True)
                got_t.append(chars(run.stdout))
            tess_s = (time.perf_counter() - start) / len(pages)
            precision_t, recall_t = score(sum(truths, Counter()), sum(got_t, Counter()))
            print(f"Tesseract chi_sim --psm 6 (whole page, no table structure): {tess_s:.2f} s/page, "
                  f"characters precision {precision_t:.3f} recall {recall_t:.3f}")
        else:
            print("Tesseract not measured (not installed, or --no-tesseract)")

        from auditor.extract import extract_path

        one = scans[-1]
        count = len(pdfium.PdfDocument(str(one)))
        start = time.perf_counter()
        extract_path(one)
        one_s = time.perf_counter() - start
        print(f"one scanned PDF read alone ({count} pages, pages in parallel threads on every core): {one_s:.1f} s, "
              f"{count / one_s:.2f} pages/s")

        out = work / "out"
        start = time.perf_counter()
        # the audit's own processes alone (not LibreOffice's or Tesseract's): measured by a small probe
        probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
                 "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        run = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "auditor", "audit",
                              *map(str, scans), "-o", str(out), "--no-cache", "-q"], capture_output=True, text=True,
                             env={**__import__("os").environ, "XDG_CACHE_HOME": str(work / "cache")})
        batch_s = time.perf_counter() - start
        code, children_kb = map(int, run.stdout.split()[-2:])
        if code != 0:
            raise SystemExit(f"audit failed: {run.stderr[-2000:]}")
        report = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
        children = children_kb / 1024
        print(f"auditor audit of the {len(scans)} scanned PDFs, all cores: {batch_s:.1f} s, "
              f"{len(pages) / batch_s:.2f} pages/s, largest process {children:.0f} MB; "
              f"{len(report['documents'])} documents, "
              f"{sum(len(re.findall('文字识别', json.dumps(d, ensure_ascii=False))) > 0 for d in report['documents'])}"
              " read by OCR")


if __name__ == "__main__":
    main()
