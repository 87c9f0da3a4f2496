"""Cold `auditor check` of one document, against a floor measured in the same run.

    python bench/cold_check.py [DOCUMENT] [--runs 7]

Each figure is a fresh interpreter (nothing cached in-process; the OS page cache is warm). The
floor is a fresh interpreter that reads the same file and splits it into tab cells — the least
any tool must do. Prints min and median wall time and the ratios to the floor.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = "import sys; [l.split('\\t') for l in open(sys.argv[1], encoding='utf-8').read().splitlines()]"


def timed(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("document", nargs="?", default=str(ROOT / "samples" / "000_6173ad3f6f2e28ea.txt"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = sys.executable
    rows = [
        ("floor: python reads + splits the file", [python, "-c", FLOOR, args.document]),
        ("auditor extract (json)", [python, "-m", "auditor", "extract", args.document]),
        ("auditor check (text)", [python, "-m", "auditor", "check", args.document]),
        ("auditor check --format json", [python, "-m", "auditor", "check", args.document, "--format", "json"]),
    ]
    results = {label: timed(command, args.runs) for label, command in rows}
    floor = min(results[rows[0][0]])
    print(f"document: {args.document}   runs: {args.runs}   python: {python}")
    print(f"{'measurement':40} {'min s':>7} {'median s':>9} {'min/floor':>10}")
    for label, times in results.items():
        print(f"{label:40} {min(times):7.3f} {statistics.median(times):9.3f} {min(times) / floor:10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
