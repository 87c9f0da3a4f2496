"""The driver at national scale: N generated documents through the results store and the reports,
with the driver's peak memory, and the store's engine against DuckDB and a Parquet dataset.

    python bench/store.py [--docs 100000] [--regions 300] [--keep DIR] [--engines]

The documents are the samples extracted and checked once, then renamed to N units (10% with an
earlier year, so the comparisons across years run) across `regions` folders; the driver then does
exactly what `auditor audit` does with each result: scores it, stores it (审核结果.sqlite), writes
审核汇总.xlsx (split into parts past the row limit), 审核结果.json and .jsonl, and at the end the
comparisons across years and units from the store. Extraction is left out (bench/batch.py measures
it): this is what the one driver process does for every document, whatever the cluster.

Prints seconds, documents/s, peak resident memory of this process for each phase (Linux: the
peak is reset between phases), and ratios to a floor measured in the same run (writing each
document's stored record to a file). `--engines` also times DuckDB and Parquet on the same records
(installed separately: pip install duckdb pyarrow; the bench fails if they are missing).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def reset_peak() -> None:
    """Start a new peak-memory measurement (Linux ≥ 4.0; elsewhere the peak is the process's)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def samples():
    """The samples extracted and checked once: (document, findings, encoded record)."""
    from auditor.batch import Settings, _encode, audit_file

    out = []
    for path in sorted((ROOT / "samples").glob("*.txt")):
        result = audit_file(str(path), Settings())
        if result.error is not None or result.document is None:
            raise SystemExit(f"样例 {path.name} 无法审核：{result.error}")
        out.append((result.document, result.findings, _encode(result)))
    if len(out) < 4:
        raise SystemExit(f"只找到 {len(out)} 份样例（samples/*.txt 应有 4 份）")
    return out


def corpus(count: int, regions: int):
    """(path, key, document, findings, record) for each generated document, made one at a time."""
    base = samples()
    for i in range(count):
        doc, findings, record = base[i % len(base)]
        unit_no = i + 1 if i % 10 == 0 else i  # every tenth document is the next one's unit, a year earlier
        year = (doc.year or 2026) - (1 if i % 10 == 0 else 0)
        path = f"地区{i % regions:03d}/单位{unit_no:06d}_{year}.txt"
        unit = "".join("〇一二三四五六七八九"[int(d)] for d in str(unit_no))  # digits would read as a year
        changed = dataclasses.replace(doc, path=path, unit=f"第{unit}号预算单位", year=year)
        yield path, f"{i:064x}", changed, findings, _renamed(record, doc, changed)


def _header(doc) -> str:
    return (f'{{"document":{{"path":{json.dumps(doc.path, ensure_ascii=False)},'
            f'"unit":{json.dumps(doc.unit, ensure_ascii=False)},"year":{json.dumps(doc.year)},')


def _renamed(record: str, doc, changed) -> str:
    """The worker's record of `changed` (the sample's, under the new path, unit and year; the same
    bytes a worker would send, without encoding every document again)."""
    head = _header(doc)
    if not record.startswith(head):
        raise SystemExit("样例记录的开头与预期不同，无法改名")
    return _header(changed) + record[len(head):]


def driver(count: int, regions: int, out: Path) -> dict[str, float]:
    """The driver's work for `count` documents; seconds and peak MB of each phase."""
    from auditor import api
    from auditor.check.across import SimilarIndex
    from auditor.check.matching import name_key
    from auditor.report.writers import ReportWriters
    from auditor.store import NAME, ResultStore

    options = api.Options()
    _, profile = api.load(options)
    out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, float] = {}
    reset_peak()
    start = time.perf_counter()
    writers = ReportWriters(out, profile.name, False, {}, profile.explain_scores())
    store = ResultStore(out / NAME)
    paths = [path for path, *_ in corpus(count, regions)]  # the batch's list, as audit_to has it
    store.begin(options.settings().digest(), paths)
    similar = SimilarIndex(profile)
    made = 0.0  # making the documents stands for the workers: not the driver's time
    documents = corpus(count, regions)
    while True:
        before = time.perf_counter()
        item = next(documents, None)
        made += time.perf_counter() - before
        if item is None:
            break
        path, key, doc, findings, record = item
        checked, _ = api.score(doc, findings, profile)
        if writers.add(checked) is not None:
            raise SystemExit(f"{path} 无法写入报告")
        store.put(f"{key}:{store.digest}", record)
        store.document_done(path, key, name_key(doc.unit) if doc.unit else None, doc.year)
        similar.add(doc, path)
    figures["stream: score, store, 汇总/JSON/JSONL"] = time.perf_counter() - start - made
    figures["stream peak MB"] = peak_mb()
    reset_peak()
    start = time.perf_counter()
    rules, _ = api.load(options)
    comparisons = api.StoredComparisons(store, rules, profile)
    groups = similar.groups(rules)
    figures["similar projects from the index"] = time.perf_counter() - start
    figures["similar peak MB"] = peak_mb()
    reset_peak()
    start = time.perf_counter()
    written = writers.close(0, comparisons, groups)
    store.close()
    figures["close: comparisons from the store, rank, parts, sheets"] = time.perf_counter() - start
    figures["close peak MB"] = peak_mb()
    figures["workbooks"] = sum(1 for p in written if p.suffix == ".xlsx")
    figures["comparisons"] = comparisons.count
    figures["groups"] = len(groups)
    report = out / "审核结果.jsonl"
    lines = sum(1 for line in report.open(encoding="utf-8") if line.startswith('{"type": "document"'))
    if lines != count:
        raise SystemExit(f"审核结果.jsonl 有 {lines} 份文件，应为 {count}")
    return figures


def worker_cost(repeats: int = 3) -> float:
    """Seconds one worker spends on one document (extract + check, one core), on the samples."""
    from auditor.batch import Settings, audit_file

    paths = sorted((ROOT / "samples").glob("*.txt"))
    audit_file(str(paths[0]), Settings())  # rules, profile and model loaded once, as a worker does
    start = time.perf_counter()
    for _ in range(repeats):
        for path in paths:
            audit_file(str(path), Settings())
    return (time.perf_counter() - start) / (repeats * len(paths))


def estimate(n: int, figures: dict[str, float], worker: float, extra: float) -> None:
    """A national corpus from the measured costs: the workers share the reading; the one driver
    keeps pace with them (its stream cost per document) and then compares and closes."""
    stream = figures["stream: score, store, 汇总/JSON/JSONL"] / figures["documents"]
    after = (figures["similar projects from the index"]
             + figures["close: comparisons from the store, rank, parts, sheets"]) / figures["documents"]
    per_doc = worker + extra
    print(f"\nestimate for {n:,} documents: worker {per_doc * 1000:.1f} ms a document"
          f"{f' (of which {extra:g} s reading PDFs)' if extra else ''}, driver {stream * 1000:.2f} ms while"
          f" streaming and {after * 1000:.2f} ms after")
    for workers in (2, 8, 32, 128, 512):
        reading = n * per_doc / workers
        wall = max(reading, n * stream) + n * after
        bound = "driver" if n * stream > reading else "workers"
        print(f"  {workers:4d} workers: {wall / 3600:7.2f} h ({bound} bound while streaming)")


def floor(count: int, regions: int, out: Path) -> float:
    """The least a store can do: each document's record appended to one file (making the records
    is not counted)."""
    sample = min(count, 10_000)  # a national floor file would fill the disk: timed on 10,000, scaled
    records = [(path, key, record) for path, key, _, _, record in corpus(min(sample, 1000), regions)]
    start = time.perf_counter()
    with (out / "floor.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(sample):
            path, key, record = records[i % len(records)]
            handle.write(json.dumps([path, key]) + record + "\n")
    elapsed = time.perf_counter() - start
    (out / "floor.jsonl").unlink()
    return elapsed * count / sample


def engines(count: int, regions: int, out: Path) -> tuple[int, dict[str, float]]:
    """The same records into SQLite (as the store commits them: one document at a time), DuckDB (the
    same, then in batches of 1,000) and a Parquet dataset (row groups of 1,000: it cannot take one
    row at a time); then one unit's documents read back by key, as the comparisons do."""
    try:
        import duckdb
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise SystemExit(f"--engines 需要 duckdb 和 pyarrow（pip install duckdb pyarrow）：{exc}") from None
    import sqlite3

    count = min(count, 5000)  # every record held for the batched inserts: 5,000 of them (about 1 GB)
    rows = [(path, key, doc.unit, doc.year, record) for path, key, doc, _, record in corpus(count, regions)]
    probe = [r[2] for r in rows[:: max(1, count // 200)]]
    figures: dict[str, float] = {}

    db = sqlite3.connect(out / "engines.sqlite")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE d (path TEXT PRIMARY KEY, key TEXT, unit TEXT, year INT, data TEXT)")
    db.execute("CREATE INDEX d_unit ON d (unit)")
    start = time.perf_counter()
    for row in rows:
        db.execute("INSERT INTO d VALUES (?, ?, ?, ?, ?)", row)
        db.commit()
    figures["SQLite, one commit a document"] = time.perf_counter() - start
    start = time.perf_counter()
    for unit in probe:
        db.execute("SELECT data FROM d WHERE unit = ?", (unit,)).fetchall()
    figures["SQLite, a unit read back (per unit)"] = (time.perf_counter() - start) / len(probe)
    db.close()

    con = duckdb.connect(str(out / "engines.duckdb"))
    con.execute("CREATE TABLE d (path TEXT PRIMARY KEY, key TEXT, unit TEXT, year INT, data TEXT)")
    sample = rows[: min(len(rows), 2000)]
    start = time.perf_counter()
    for row in sample:
        con.execute("INSERT INTO d VALUES (?, ?, ?, ?, ?)", row)  # autocommit: one transaction each
    figures["DuckDB, one commit a document"] = (time.perf_counter() - start) * len(rows) / len(sample)
    con.execute("DELETE FROM d")
    start = time.perf_counter()
    for first in range(0, len(rows), 1000):
        con.executemany("INSERT INTO d VALUES (?, ?, ?, ?, ?)", rows[first:first + 1000])
    figures["DuckDB, batches of 1,000"] = time.perf_counter() - start
    start = time.perf_counter()
    for unit in probe:
        con.execute("SELECT data FROM d WHERE unit = ?", [unit]).fetchall()
    figures["DuckDB, a unit read back (per unit)"] = (time.perf_counter() - start) / len(probe)
    con.close()

    folder = out / "engines.parquet"
    folder.mkdir()
    start = time.perf_counter()
    for part, first in enumerate(range(0, len(rows), 1000)):
        chunk = rows[first:first + 1000]
        table = pa.table({name: [r[i] for r in chunk] for i, name in enumerate(("path", "key", "unit", "year",
                                                                                 "data"))})
        pq.write_table(table, folder / f"part-{part:05d}.parquet")
    figures["Parquet, row groups of 1,000"] = time.perf_counter() - start
    dataset = duckdb.connect()
    start = time.perf_counter()
    for unit in probe[:20]:
        dataset.execute(f"SELECT data FROM read_parquet('{folder}/*.parquet') WHERE unit = ?", [unit]).fetchall()
    figures["Parquet, a unit read back (per unit)"] = (time.perf_counter() - start) / min(20, len(probe))
    sizes = [sum(p.stat().st_size for p in out.glob("engines.sqlite*")),
             sum(p.stat().st_size for p in out.glob("engines.duckdb*")),
             sum(p.stat().st_size for p in folder.iterdir())]
    print(f"{count} records; sizes MB: SQLite {sizes[0] / 1e6:.0f}, DuckDB {sizes[1] / 1e6:.0f}, "
          f"Parquet {sizes[2] / 1e6:.0f}")
    return count, figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--regions", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="keep the reports and stores in this folder")
    parser.add_argument("--engines", action="store_true", help="also time DuckDB and Parquet on the same records")
    parser.add_argument("--national", type=int, default=300_000, help="documents in the estimated national corpus")
    parser.add_argument("--pdf-seconds", type=float, default=0.0,
                        help="reading cost a document adds when the corpus is PDFs (bench/pdf.py measures it)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="auditor-store-"))
    shutil.rmtree(work / "out", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    n = args.docs
    t_floor = floor(n, args.regions, work)
    figures = driver(n, args.regions, work / "out")
    print(f"{n} documents in {args.regions} regions ({work})")
    print(f"{'measurement':56} {'seconds':>9} {'docs/s':>9} {'× floor':>8}")
    print(f"{'floor: each record appended to a file':56} {t_floor:9.2f} {n / t_floor:9.0f} {1:8.1f}")
    for label, value in figures.items():
        if "MB" in label:
            print(f"{label:56} {value:9.0f} MB")
        elif label in ("workbooks", "comparisons", "groups"):
            print(f"{label:56} {value:9.0f}")
        else:
            print(f"{label:56} {value:9.2f} {n / value:9.0f} {value / t_floor:8.1f}")
    peak = max(v for k, v in figures.items() if "MB" in k)
    print(f"driver peak memory: {peak:.0f} MB ({'within' if peak <= 1024 else 'OVER'} 1 GB)")
    figures["documents"] = n
    estimate(args.national, figures, worker_cost(), args.pdf_seconds)
    if args.engines:
        shutil.rmtree(work / "engines.parquet", ignore_errors=True)
        for name in ("engines.sqlite", "engines.duckdb"):
            (work / name).unlink(missing_ok=True)
        records, timed = engines(n, args.regions, work)
        for label, value in timed.items():
            if "per unit" in label:
                print(f"{label:44} {value * 1000:9.2f} ms")
            else:
                print(f"{label:44} {value:9.2f} {records / value:9.0f} {value / (t_floor * records / n):8.1f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if peak <= 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
