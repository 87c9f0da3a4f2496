"""Batch audit throughput, against a floor measured in the same run.

    python bench/batch.py [--docs 1000] [--jobs N] [--keep DIR]

Builds a corpus of N documents from the samples (unit names, amounts and values varied, so no
two files are identical and the cache cannot cheat), then measures in one run:

- floor: read every file and split it into lines and tab cells (the least any tool must do);
- extract + check, all cores, no cache, no report (documents/s);
- the full `auditor audit` with 审核汇总.xlsx and 审核结果.json (wall time, peak memory of any
  process), cold (empty cache) and warm (the same files again, cache filled);
and prints the figures and their ratios to the floor.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = ["长治市屯留区工业和信息化局", "长治市屯留区人民政府办公室", "朔州市平鲁区工信和科技局"]
PLACES = ["东城", "西城", "南关", "北营", "河口", "新华", "城关", "三里", "高新", "滨河", "青山", "石门"]
OFFICES = ["教育局", "卫生健康局", "农业农村局", "交通运输局", "民政局", "水利局", "文化和旅游局", "生态环境局",
           "住房和城乡建设局", "自然资源局", "财政局", "商务局", "审计局", "统计局", "应急管理局", "林业局"]


PER_UNIT = False  # --per-unit: the audits write every unit's workbook too


def vary(text: str, rnd: random.Random, index: int) -> str:
    """Another unit with other targets; a value printed twice (实施期 and 年度) changes the same way."""
    unit = f"{rnd.choice(PLACES)}区{rnd.choice(OFFICES)}{index}"
    for old in UNITS:
        text = text.replace(old, unit)
    memo: dict[str, str] = {}

    def nudge(m: re.Match[str], make) -> str:
        if m.group(0) not in memo:
            memo[m.group(0)] = make(m)
        return memo[m.group(0)]

    text = re.sub(r"≥(\d{2})%", lambda m: nudge(m, lambda m: f"≥{min(99, int(m.group(1)) + rnd.randint(-5, 3))}%"),
                  text)
    return re.sub(r"(\d+)(家|人|次|件|场|份)",
                  lambda m: nudge(m, lambda m: f"{int(m.group(1)) + rnd.randint(0, 9)}{m.group(2)}"), text)


def build_corpus(directory: Path, count: int, seed: int = 20261122) -> list[Path]:
    samples = sorted((ROOT / "samples").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in samples]
    rnd = random.Random(seed)
    paths = []
    for i in range(count):
        path = directory / f"doc_{i:05d}.txt"
        path.write_text(vary(texts[i % len(texts)], rnd, i), encoding="utf-8")
        paths.append(path)
    return paths


def floor(paths: list[Path]) -> float:
    start = time.perf_counter()
    for p in paths:
        [line.split("\t") for line in p.read_text(encoding="utf-8").splitlines()]
    return time.perf_counter() - start


def extract_check(paths: list[Path], jobs: int | None) -> float:
    from auditor.batch import Settings, run_batch

    start = time.perf_counter()
    results = list(run_batch([str(p) for p in paths], Settings(), jobs=jobs, cache=None))
    elapsed = time.perf_counter() - start
    assert all(r.error is None for r in results), [r.error for r in results if r.error][:3]
    return elapsed


def full_audit(corpus: Path, out: Path, cache: Path | None, jobs: int | None) -> tuple[float, float]:
    command = [sys.executable, "-m", "auditor", "audit", str(corpus), "-o", str(out), "-q"]
    command += ["--cache", str(cache)] if cache else ["--no-cache"]
    if jobs:
        command += ["--jobs", str(jobs)]
    if PER_UNIT:
        command.append("--per-unit")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024  # MB
    return elapsed, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--keep", type=Path, help="keep the corpus and reports in this folder")
    parser.add_argument("--per-unit", action="store_true", help="every audit also writes the units' workbooks")
    args = parser.parse_args()
    global PER_UNIT
    PER_UNIT = args.per_unit
    work = args.keep or Path(tempfile.mkdtemp(prefix="auditor-bench-"))
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    paths = build_corpus(corpus, args.docs)
    n = len(paths)
    floor(paths)  # warm the page cache
    t_floor = min(floor(paths) for _ in range(3))
    t_check = extract_check(paths, args.jobs)
    cache = work / "cache.sqlite"
    cache.unlink(missing_ok=True)
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    t_cold, peak_cold = full_audit(corpus, out, cache, args.jobs)
    t_warm, peak_warm = full_audit(corpus, out, cache, args.jobs)  # nothing changed: reports reused
    for p in paths[:: 10]:  # a tenth of the units fix something
        p.write_text(p.read_text(encoding="utf-8").replace("及时", "2026年6月30日前", 1), encoding="utf-8")
    t_tenth, peak_tenth = full_audit(corpus, out, cache, args.jobs)
    t_nocache, _ = full_audit(corpus, work / "out-nocache", None, args.jobs)
    print(f"corpus: {n} documents ({sum(p.stat().st_size for p in paths) / 1e6:.1f} MB) in {corpus}")
    print(f"{'measurement':46} {'seconds':>8} {'docs/s':>8} {'× floor':>8}")
    rows = [("floor: read + split lines and cells", t_floor), ("extract + check (all cores, no cache)", t_check),
            ("full audit, no cache (汇总 + JSON)", t_nocache), ("full audit, cold cache (fills it)", t_cold),
            ("re-run, nothing changed (reports reused)", t_warm),
            ("re-run, 10% of files changed (rest cached)", t_tenth)]
    for label, seconds in rows:
        print(f"{label:46} {seconds:8.2f} {n / seconds:8.1f} {seconds / t_floor:8.1f}")
    print(f"peak memory of one process: {max(peak_cold, peak_warm, peak_tenth):.0f} MB")
    print(f"re-run with a warm cache: {t_cold / t_warm:.1f}× faster when nothing changed, "
          f"{t_cold / t_tenth:.1f}× when 10% of the files changed")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
