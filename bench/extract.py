"""Extraction per document in a warm process, as a ratio to a floor measured in the same run.

    python bench/extract.py [--repeat 7] [--tree DIR]

The floor reads each sample, splits it into lines and tab cells and runs one regular expression
over every line (the least any extractor must do). The extractor reads the four samples (text
from PDFs) and does nothing else. `--tree` points at another checkout of this project (an older
commit, say) whose extractor is measured in the same run, so two versions compare by ratio.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
_WORD = re.compile(r"指标|项目名称|\d+%")

PROBE = """
import sys, time
sys.path.insert(0, sys.argv[1])
from auditor.extract import extract_path
paths, repeat = sys.argv[3:], int(sys.argv[2])
for p in paths:
    extract_path(p)  # warm: imports, caches
best = float("inf")
for _ in range(repeat):
    start = time.perf_counter()
    for p in paths:
        extract_path(p)
    best = min(best, time.perf_counter() - start)
print(best / len(paths))
"""


def floor(repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for path in SAMPLES:
            lines = path.read_text(encoding="utf-8").split("\n")
            cells = [ln.split("\t") for ln in lines]
            hits = sum(1 for ln in lines if _WORD.search(ln))
            assert cells and hits >= 0
        best = min(best, time.perf_counter() - start)
    return best / len(SAMPLES)


def per_document(tree: Path, repeat: int) -> float:
    out = subprocess.run([sys.executable, "-c", PROBE, str(tree), str(repeat), *map(str, SAMPLES)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--tree", type=Path, help="another checkout to measure in the same run")
    args = parser.parse_args()
    if len(SAMPLES) < 4:
        print(f"expected the 4 samples in {ROOT / 'samples'}, found {len(SAMPLES)}", file=sys.stderr)
        return 1
    trees = [("this tree", ROOT)] + ([("--tree", args.tree.resolve())] if args.tree else [])
    floors, results = [], {}
    for _ in range(3):  # interleave floor and extractors, keep the best of each
        floors.append(floor(args.repeat))
        for name, tree in trees:
            results.setdefault(name, []).append(per_document(tree, args.repeat))
    base = min(floors)
    print(f"floor (read, split, one regex): {base * 1000:.2f} ms/document")
    for name, times in results.items():
        best = min(times)
        print(f"extract, {name}: {best * 1000:.1f} ms/document = {best / base:.0f}× the floor "
              f"(median of runs {statistics.median(times) * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
