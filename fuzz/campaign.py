"""A long fuzzing campaign over the readers, the extractor and the checks.

    python fuzz/campaign.py [--inputs 100000] [--office 2000] [--jobs 2] [--seed 1]

Text inputs are generated from the samples: table blocks and whole documents with cells shifted,
lines cut, duplicated, dropped and shuffled, random bytes spliced in, other encodings (GB18030,
Big5, UTF-16, BOMs), plus purely random bytes and text. Each goes through decode → extract →
check. The property: nothing escapes but InputError, and every extraction satisfies
auditor.invariants.

Office inputs (--office) are real .docx and .xlsx files holding a sample's table whose declared
sizes are mutated (column spans, merged ranges, dimensions, row and cell numbers, counts; huge,
negative, non-numeric), saved under mutated file names (bytes that are not UTF-8, control
characters, device names, 250-byte names). Each goes through the batch's own `audit_file` under a
1 GB memory cap (each worker's): every file must be audited or refused with a reason (never an internal error or
running out of memory), and every name must come out printable, with a fingerprint and a safe
per-unit file name. Inputs that break a property are written to fuzz/crashes/ (tests replay them).
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
        encoding = rnd.choice(["gb18030", "utf-16", "utf-16-le", "utf-8-sig", "gbk", "big5"])
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


# --- office files with mutated declared sizes, under mutated names ---------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SPANS = ["1", "2", "7", "63", "64", "65", "1000", "1000000000", "99999999999999999999", "-3", "0", "abc", "",
         " 2", "1e9", "0x10", "٣", "2.5"]
REFS = ["A1:B2", "A1:H60", "A1:XFD1", "A1:A1048576", "A1:XFD1048576", "B3:A1", "ZZZ9999999:A1", "A0:B0", "AA1:AB9"]
NAMES = ["CON", "PRN.txt", "..", "a/../b", "名\n称", "\u202etxt.exe", "x" * 240, "单" * 80, "\t", " ", "."]


def _table_rows(rnd: random.Random) -> list[list[str]]:
    return [line.split("\t")[:12] for line in rnd.choice(BLOCKS).split("\n")]


def _docx(rnd: random.Random) -> bytes:
    import io
    import zipfile

    rows = []
    for cells in _table_rows(rnd):
        tcs = []
        for text in cells:
            props = ""
            if rnd.random() < 0.005:
                props += f'<w:gridSpan w:val="{rnd.choice(SPANS)}"/>'
            if rnd.random() < 0.05:
                props += f'<w:vMerge w:val="{rnd.choice(["restart", "continue", "x"])}"/>'
            escaped = text.replace("&", "&amp;").replace("<", "&lt;")
            tcs.append(f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{escaped}</w:t></w:r></w:p></w:tc>")
        rows.append("<w:tr>" + "".join(tcs) + "</w:tr>")
    body = "<w:tbl>" + "".join(rows) + "</w:tbl>"
    empty_table = "<w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>"
    body = body * rnd.choice([1, 1, 2, 50]) + empty_table * rnd.choice([0, 10, 30000])
    document = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}">'
                f"<w:body>{body}</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_skeleton("docx"))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            z.writestr(item.filename, document if item.filename == "word/document.xml" else source.read(item.filename))
    return out.getvalue()


def _xlsx(rnd: random.Random) -> bytes:
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    for cells in _table_rows(rnd):
        wb.active.append(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                merges = "".join(f'<mergeCell ref="{rnd.choice(REFS)}"/>' for _ in range(rnd.randint(0, 4)))
                if merges:
                    text = text.replace("</sheetData>", f'</sheetData><mergeCells count="{rnd.choice(SPANS)}">'
                                                        f"{merges}</mergeCells>")
                if rnd.random() < 0.3:
                    text = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{rnd.choice(REFS)}"', text)
                if rnd.random() < 0.3:
                    text = re.sub(r'<row r="(\d+)"',
                                  lambda m: f'<row r="{rnd.choice([m.group(1), "1048576", "0", "-1", "99999"])}"', text)
                if rnd.random() < 0.2:
                    text = text.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t>'
                                                        "</is></c></row></sheetData>")
                data = text.encode()
            z.writestr(item.filename, data)
    return out.getvalue()


_SKELETONS: dict[str, bytes] = {}


def _skeleton(kind: str) -> bytes:
    if kind not in _SKELETONS:
        import io

        import docx

        buffer = io.BytesIO()
        docx.Document().save(buffer)
        _SKELETONS[kind] = buffer.getvalue()
    return _SKELETONS[kind]


def _file_name(rnd: random.Random, suffix: str) -> bytes:
    choice = rnd.random()
    if choice < 0.3:
        stem = bytes(rnd.choice([0xB2, 0xE2, 0xCA, 0xD4, 0xFF, 0x80, 0xC3, 0x41]) for _ in range(rnd.randint(1, 12)))
    elif choice < 0.6:
        stem = rnd.choice(NAMES).encode("utf-8")
    else:
        stem = "".join(chr(rnd.randint(0x20, 0x9FFF)) for _ in range(rnd.randint(1, 60))).encode("utf-8", "ignore")
    stem = stem.replace(b"/", b"_").replace(b"\x00", b"_")[:240] or b"x"
    if stem in (b".", b".."):
        stem += b"_"
    return stem + suffix.encode()


def make_office_case(seed: int) -> tuple[bytes, bytes]:
    """(file name, content) of one office input."""
    rnd = random.Random(seed)
    suffix = rnd.choice([".docx", ".xlsx", ".txt"])
    if suffix == ".docx":
        data = _docx(rnd)
    elif suffix == ".xlsx":
        data = _xlsx(rnd)
    else:
        unit = rnd.choice(["长治市屯留区人民政府办公室" * 25, "../../单位", "CON", "单位\u202e名", "A" * 300])
        data = SAMPLES[2].replace("长治市屯留区人民政府办公室", unit, 1).encode("utf-8")
    return _file_name(rnd, suffix), data


def run_office(name: bytes, data: bytes) -> str | None:
    """None when the batch's properties hold for this file under this name."""
    import os
    import tempfile

    from auditor.batch import Settings, audit_file
    from auditor.invariants import violations
    from auditor.report.excel import safe_file_name

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(os.fsencode(folder), name)
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError:
            return None  # a name this file system refuses: nothing to audit
        try:
            result = audit_file(os.fsdecode(path), Settings(timeout_s=0, memory_mb=0))
            result.path.encode("utf-8")
            if result.error is not None:
                if "内部错误" in result.error or "内存" in result.error:
                    return f"error: {result.error}"
                return None
            doc = result.document
            problems = violations(doc)
            if problems:
                return "invariant: " + "; ".join(problems[:3])
            for finding in result.findings:
                finding.fingerprint()
                finding.location.file.encode("utf-8")
            unit_name = safe_file_name(f"{doc.unit or ''}_{doc.year or ''}审核意见")
            if len(unit_name.encode("utf-8")) > 180 or any(c in unit_name for c in "/\\\x00") or ".." in unit_name:
                return f"unsafe unit file name {unit_name!r}"
        except Exception:
            return traceback.format_exc(limit=6)
    return None


def run_one(data: bytes) -> str | None:
    """None when the property holds, else a description of what broke."""
    from auditor.check import check_document
    from auditor.errors import InputError
    from auditor.extract import extract_text
    from auditor.invariants import violations
    from auditor.sources.text import decode

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


def office_task(seed: int) -> tuple[int, str | None]:
    """One office case, for a worker whose memory is capped (OFFICE_MEMORY_MB): running out of it
    means a declared size went unchecked."""
    return seed, run_office(*make_office_case(seed))


OFFICE_MEMORY_MB = 1024


def _save_crash(data: bytes, note: str, name: bytes | None = None) -> None:
    """A text input as NAME.bin; an office file as NAME.office with its file name in NAME.name."""
    CRASHES.mkdir(exist_ok=True)
    stem = hashlib.sha1(data + (name or b"")).hexdigest()[:12]
    (CRASHES / f"{stem}{'.bin' if name is None else '.office'}").write_bytes(data)
    if name is not None:
        (CRASHES / f"{stem}.name").write_bytes(name)
    (CRASHES / f"{stem}.note").write_text(note, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--office", type=int, default=2_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    failures = 0
    seeds = range(args.seed * 10_000_000, args.seed * 10_000_000 + args.inputs)
    from auditor.pool import limit_memory

    with Pool(args.jobs, initializer=limit_memory, initargs=(OFFICE_MEMORY_MB,)) as pool:
        for done, (seed, problem) in enumerate(pool.imap_unordered(_task, seeds, chunksize=200), start=1):
            if problem:
                failures += 1
                _save_crash(make_input(seed), f"seed {seed}\n{problem}")
                print(f"FAIL seed {seed}: {problem.splitlines()[-1] if problem else ''}", flush=True)
            if done % 10_000 == 0:
                print(f"{done} inputs, {failures} failures, {time.perf_counter() - start:.0f} s", flush=True)
        office_seeds = range(args.seed * 10_000_000, args.seed * 10_000_000 + args.office)
        for done, (seed, problem) in enumerate(pool.imap_unordered(office_task, office_seeds, chunksize=10), start=1):
            if problem:
                failures += 1
                name, data = make_office_case(seed)
                _save_crash(data, f"office seed {seed}\n{problem}", name)
                print(f"FAIL office seed {seed}: {problem.splitlines()[-1] if problem else ''}", flush=True)
            if done % 500 == 0:
                print(f"{done} office files, {failures} failures, {time.perf_counter() - start:.0f} s", flush=True)
    elapsed = time.perf_counter() - start
    total = args.inputs + args.office
    print(f"campaign: {args.inputs} text inputs and {args.office} office files in {elapsed:.0f} s "
          f"({total / elapsed:.0f}/s), {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
