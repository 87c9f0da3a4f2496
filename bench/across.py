"""Comparisons across years and the indicator library, as ratios to extraction alone in the same run.

    python bench/across.py [--pairs 1000] [--jobs N]

Builds N units, each with this year's document (a sample with the unit's name and targets varied,
as bench/batch.py does) and last year's (the same text a year earlier, a few targets higher), then
measures in one run:

- extraction alone of all 2N documents (the floor: what any comparison must read);
- `api.compare(OLD, NEW)`: extraction of both sides plus pairing and the pair rules, and the pairing
  and rules alone on documents already read;
- `api.build_library(NEW)` over the N new documents: audit plus writing the SQLite library, and the
  writing alone;
and checks its own inputs: every document read, every unit paired.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from batch import vary  # noqa: E402  (the same varied corpus as the batch bench)


def build_years(directory: Path, pairs: int, seed: int = 20261201) -> tuple[Path, Path]:
    old_dir, new_dir = directory / "2025", directory / "2026"
    old_dir.mkdir()
    new_dir.mkdir()
    samples = sorted((ROOT / "samples").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in samples]
    rnd = random.Random(seed)
    for i in range(pairs):
        new = vary(texts[i % len(texts)], rnd, i)
        year = "2023" if "2023" in new[:400] else "2026"
        old = new.replace(year, str(int(year) - 1))
        old = re.sub(r"≥(\d{2})%", lambda m: f"≥{min(99, int(m.group(1)) + 2)}%", old, count=2)
        (new_dir / f"doc_{i:05d}.txt").write_text(new, encoding="utf-8")
        (old_dir / f"doc_{i:05d}.txt").write_text(old, encoding="utf-8")
    return old_dir, new_dir


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()

    from auditor import api
    from auditor.check import load_profile, load_rules
    from auditor.check.across import compare_years, side_pairs
    from auditor.check.library import build

    options = api.Options(jobs=args.jobs)
    with tempfile.TemporaryDirectory() as tmp:
        old_dir, new_dir = build_years(Path(tmp), args.pairs)
        failures: list = []
        docs, t_extract = timed(lambda: api.extract([old_dir, new_dir], options, failures))
        if failures or len(docs) != 2 * args.pairs:
            raise SystemExit(f"extraction read {len(docs)} of {2 * args.pairs} documents: {failures[:3]}")
        found, t_compare = timed(lambda: api.compare([old_dir], [new_dir], options))
        if found.pairs < args.pairs:
            raise SystemExit(f"only {found.pairs} of {args.pairs} units paired")
        old_docs = [d for d in docs if Path(d.path).parent == old_dir]
        new_docs = [d for d in docs if Path(d.path).parent == new_dir]
        rules, profile = load_rules(), load_profile("national")
        comparisons, t_pairs = timed(lambda: compare_years([], rules, profile, side_pairs(old_docs, new_docs)))
        _, t_extract_new = timed(lambda: api.extract([new_dir], options))
        counts, t_library = timed(lambda: api.build_library([new_dir], Path(tmp) / "lib.sqlite", options))
        if counts["documents"] != args.pairs:
            raise SystemExit(f"the library holds {counts['documents']} of {args.pairs} documents")
        report = api.check(new_docs)
        _, t_write = timed(lambda: build(((c.document, c.findings) for c in report.documents),
                                         Path(tmp) / "lib2.sqlite"))
    print(f"{args.pairs} unit pairs ({2 * args.pairs} documents), jobs={args.jobs or 'all cores'}")
    print(f"extraction alone, both years: {t_extract:.1f} s (floor)")
    print(f"compare OLD NEW (extract both + pair + rules): {t_compare:.1f} s, ratio {t_compare / t_extract:.2f}; "
          f"{len(found.comparisons)} findings, {len(found.groups)} similar groups")
    print(f"  pairing and pair rules alone: {t_pairs:.2f} s, ratio {t_pairs / t_extract:.3f} "
          f"({len(comparisons)} findings)")
    print(f"extraction alone, {args.pairs} documents: {t_extract_new:.1f} s (floor)")
    print(f"library build (audit + write): {t_library:.1f} s, ratio {t_library / t_extract_new:.2f}; "
          f"{counts['projects']} projects, {counts['indicators']} indicators")
    print(f"  writing the library alone: {t_write:.2f} s, ratio {t_write / t_extract_new:.3f}")


if __name__ == "__main__":
    main()
