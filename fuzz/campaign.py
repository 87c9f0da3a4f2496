"""A long fuzzing campaign over the reader, the extractor and the checks.

    python fuzz/campaign.py [--inputs 100000] [--jobs 2] [--seed 1]

Inputs are generated from the samples: table blocks and whole documents with cells shifted, lines
cut, duplicated, dropped and shuffled, random bytes spliced in, other encodings (GB18030,
UTF-16, BOMs), plus purely random bytes and text. Each input goes through decode → extract →
check. The property: nothing escapes but InputError, and every extraction satisfies
auditor.invariants. Inputs that break it are written to fuzz/crashes/ (tests replay them).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
import traceback
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CRASHES = Path(__file__).resolve().parent / "crashes"
SAMPLES = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt"))]


def _blocks(text: str) -> list[str]:
    lines = text.split("\n")
    starts = [i for i, ln in enumerate(lines) if ln.startswith("项目名称")]
    return ["\n".join(lines[max(0, s - 4): s + 45]) for s in starts] or [text[:4000]]


BLOCKS = [b for text in SAMPLES for b in _blocks(text)]


def mutate_lines(text: str, rnd: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rnd.randint(1, 25)):
        if not lines:
            break
        i = rnd.randrange(len(lines))
        op = rnd.randrange(10)
        if op == 0:
            lines[i] = "\t" * rnd.randint(0, 4) + lines[i].lstrip("\t")
        elif op == 1:
            lines[i] = lines[i][: rnd.randint(0, len(lines[i]))]
        elif op == 2:
            lines.insert(i, lines[i])
        elif op == 3 and len(lines) > 1:
            lines.pop(i)
        elif op == 4:
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 5:
            cells = lines[i].split("\t")
            rnd.shuffle(cells)
            lines[i] = "\t".join(cells)
        elif op == 6:
            lines[i] = lines[i].replace("\t", "\t" * rnd.randint(0, 3))
        elif op == 7:
            pos = rnd.randint(0, len(lines[i]))
            ranges = [(0, 0x7F), (0x4E00, 0x9FFF), (0x2000, 0x206F), (0xFF00, 0xFFEF), (0x1F300, 0x1F64F)]
            junk = "".join(chr(rnd.randint(*rnd.choice(ranges))) for _ in range(rnd.randint(1, 12)))
            lines[i] = lines[i][:pos] + junk + lines[i][pos:]
        elif op == 8:
            lines[i] = rnd.choice(["≥", "≤", "%", "万元", "元/月", "是是", "及时及时", "1e309", "９９９", "一亿亿",
                                   "-0", "NaN", "inf", "1" * 400, "≥≥95%%", "第", "年度", "(", "）"]) + lines[i]
        else:
            lines[i] = rnd.choice(["项目名称", "绩效指标", "总体目标", "负责人:", "产出指标\t数量指标", "满意度指标",
                                   "成本指标\t经济成本指标", "(2026年度)", "十一、其他", "仅供内部审核", "- 3 -",
                                   "屯留区县(区)级预算部门(单位)项目支出绩效目标表"]) + "\t" + lines[i]
    return "\n".join(lines)


def make_input(seed: int) -> bytes:
    rnd = random.Random(seed)
    kind = rnd.random()
    if kind < 0.70:
        text = mutate_lines(rnd.choice(BLOCKS), rnd)
    elif kind < 0.78:
        text = mutate_lines(rnd.choice(SAMPLES), rnd)
    elif kind < 0.88:
        return bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 3000)))
    elif kind < 0.94:
        text = "".join(chr(rnd.randint(1, 0xffff)) for _ in range(rnd.randint(0, 800)))
        text = text.encode("utf-8", "ignore").decode("utf-8", "ignore")
    else:
        base = mutate_lines(rnd.choice(BLOCKS), rnd)
        encoding = rnd.choice(["gb18030", "utf-16", "utf-16-le", "utf-8-sig", "gbk"])
        data = base.encode(encoding, errors="replace")
        if rnd.random() < 0.5 and data:
            cut = rnd.randrange(len(data))
            data = data[:cut] + bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 40))) + data[cut:]
        return data
    data = text.encode("utf-8")
    if rnd.random() < 0.1 and data:
        cut = rnd.randrange(len(data))
        data = data[:cut] + bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 20))) + data[cut:]
    return data


def run_one(data: bytes) -> str | None:
    """None when the property holds, else a description of what broke."""
    from auditor.check import check_document
    from auditor.errors import InputError
    from auditor.extract import extract_text
    from auditor.invariants import violations
    from auditor.reader import decode

    try:
        text = decode(data, "fuzz.txt")
    except InputError:
        return None
    try:
        doc = extract_text(text, "fuzz.txt")
        problems = violations(doc)
        if problems:
            return "invariant: " + "; ".join(problems[:3])
        for f in check_document(doc):
            if not f.message or f.severity not in ("错误", "警告", "提示"):
                return f"bad finding {f!r}"
    except InputError:
        return None
    except Exception:  # the property under test: nothing else may escape
        return traceback.format_exc(limit=6)
    return None


def _task(seed: int) -> tuple[int, str | None]:
    return seed, run_one(make_input(seed))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    failures = 0
    seeds = range(args.seed * 10_000_000, args.seed * 10_000_000 + args.inputs)
    with Pool(args.jobs) as pool:
        for done, (seed, problem) in enumerate(pool.imap_unordered(_task, seeds, chunksize=200), start=1):
            if problem:
                failures += 1
                data = make_input(seed)
                CRASHES.mkdir(exist_ok=True)
                name = hashlib.sha1(data).hexdigest()[:12]
                (CRASHES / f"{name}.bin").write_bytes(data)
                (CRASHES / f"{name}.txt").write_text(f"seed {seed}\n{problem}", encoding="utf-8")
                print(f"FAIL seed {seed}: {problem.splitlines()[-1] if problem else ''}", flush=True)
            if done % 10_000 == 0:
                print(f"{done} inputs, {failures} failures, {time.perf_counter() - start:.0f} s", flush=True)
    elapsed = time.perf_counter() - start
    print(f"campaign: {args.inputs} inputs in {elapsed:.0f} s ({args.inputs / elapsed:.0f}/s), {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
