"""The web page's time from upload to result page, against `auditor audit` on the same files in the
same run.

    python bench/serve.py [--docs 100] [--repeat 3]

For one sample and for a corpus of N varied documents (bench/batch.py's generator): the seconds from
clicking 开始审核 in headless Chromium (the files chosen in the page) until the result is drawn —
upload, the batch, the page's JSON and its rendering — and the seconds `auditor audit -o DIR
--per-unit --no-cache` takes on the same files (the same batch and workbooks, no server, no upload).
Prints the median of each and their ratio. Needs Chromium and Playwright (tests/browser.py).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from batch import build_corpus  # noqa: E402
from browser import audit_in_page, browser_page, chromium_path, served  # noqa: E402


def cli_audit(files: list[Path], out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "auditor", "audit", *map(str, files), "-o", str(out), "--per-unit",
                    "--no-cache", "-q"], check=True, capture_output=True)
    return time.monotonic() - started


def page_audit(page, url: str, files: list[Path]) -> float:
    page.goto(url)
    seconds = audit_in_page(page, files, timeout_s=1800)
    shown = page.locator(".document").count()
    if shown != len(files):
        raise SystemExit(f"the page shows {shown} documents for {len(files)} files")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    executable = chromium_path()
    if executable is None:
        print("Chromium is needed (Debian's chromium package)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        corpus.mkdir()
        sets = {"1 sample": [ROOT / "samples" / "000_6173ad3f6f2e28ea.txt"],
                f"{args.docs} documents": build_corpus(corpus, args.docs)}
        with served(work / "server") as url, browser_page(executable) as page:
            for label, files in sets.items():
                page_s = [page_audit(page, url, files) for _ in range(args.repeat)]
                cli_s = [cli_audit(files, work / "out") for _ in range(args.repeat)]
                p, c = statistics.median(page_s), statistics.median(cli_s)
                print(f"{label}: page (upload → result drawn) {p:.2f} s, auditor audit {c:.2f} s, "
                      f"ratio {p / c:.2f}  [page {', '.join(f'{s:.2f}' for s in page_s)}; "
                      f"cli {', '.join(f'{s:.2f}' for s in cli_s)}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
