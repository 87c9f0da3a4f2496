"""Reviews round-trip: read back what people wrote in earlier workbooks.

The bureau's reviewer marks each finding 确认/误报/待定 with a remark in 审核汇总.xlsx; the department
answers in the 整改情况 column of its own workbook. Both are read back here (`--baseline`, any number
of workbooks or folders of them) and matched by fingerprint (rule, file, project, period, indicator,
value — never a row number), kept in the hidden 指纹 column, so they survive re-ordering and new rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import InputError
from .model import VERDICTS, Review

# Column titles as this tool writes them, with the ones older versions wrote.
_REMARK = ("审核说明", "备注")
_REPLY = ("整改情况",)
_CONTINUED = re.compile(r"^问题清单( \(\d+\))?$")


def baseline_files(paths: Iterable[str | Path]) -> list[Path]:
    """The workbooks named, folders opened (their .xlsx files, sorted); a missing path is an error. A
    审核汇总.xlsx brings its parts (审核汇总_第2部分.xlsx…, the rows past one sheet's limit) along."""
    from .report.excel import part_paths

    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.xlsx") if not p.name.startswith((".", "~$"))))
        elif path.is_file():
            files.extend([path, *part_paths(path)])
        else:
            raise InputError(str(raw), "上次的审核结果不存在")
    return list(dict.fromkeys(files))


def read_reviews(paths: Iterable[str | Path]) -> dict[str, Review]:
    """fingerprint → Review for every finding someone answered, across all the workbooks given."""
    reviews: dict[str, Review] = {}
    for path in baseline_files(paths):
        for fingerprint, review in _read_one(path).items():
            reviews[fingerprint] = reviews[fingerprint].merged(review) if fingerprint in reviews else review
    return reviews


def read_verdicts(path: str | Path) -> dict[str, str]:
    """fingerprint → verdict (确认/误报/待定) of one workbook (the verdicts alone)."""
    return {fp: r.verdict for fp, r in read_reviews([path]).items() if r.verdict}


def _read_one(source: Path) -> dict[str, Review]:
    from openpyxl import load_workbook

    from .sources.safety import check_sheet_sizes, check_zip_container

    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(str(source), "不是 Excel 工作簿（.xlsx），请指定上次审核生成的 审核汇总.xlsx 或单位审核意见")
    check_zip_container(source)
    check_sheet_sizes(source)
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputError(str(source), f"无法读取上次的审核结果，文件已损坏（{type(exc).__name__}）") from None
    try:
        sheets = [name for name in wb.sheetnames if _CONTINUED.match(name)]  # 问题清单, 问题清单 (2)…
        if not sheets:
            raise InputError(str(source), "没有“问题清单”工作表，不是本工具生成的审核汇总或单位审核意见")
        reviews: dict[str, Review] = {}
        for name in sheets:
            reviews.update(_read_sheet(source, name, wb[name].iter_rows(values_only=True)))
        return reviews
    finally:
        wb.close()


def _read_sheet(source: Path, name: str, rows: Iterator[tuple]) -> dict[str, Review]:
    header = [str(v or "").strip() for v in next(rows, ())]
    if "指纹" not in header or "审核意见" not in header:
        raise InputError(str(source), f"“{name}”缺少“审核意见”或“指纹”列")
    columns = {"fingerprint": header.index("指纹"), "verdict": header.index("审核意见"),
               "remark": _first_index(header, _REMARK), "reply": _first_index(header, _REPLY)}
    reviews: dict[str, Review] = {}
    for row in rows:
        cell = {name: _text(row, col) for name, col in columns.items()}
        verdict = cell["verdict"] if cell["verdict"] in VERDICTS else ""
        if cell["fingerprint"] and (verdict or cell["remark"] or cell["reply"]):
            reviews[cell["fingerprint"]] = Review(verdict, cell["remark"], cell["reply"])
    return reviews


def _first_index(header: list[str], titles: tuple[str, ...]) -> int | None:
    return next((header.index(t) for t in titles if t in header), None)


def _text(row: tuple, col: int | None) -> str:
    if col is None or col >= len(row) or row[col] is None:
        return ""
    return str(row[col]).strip()
