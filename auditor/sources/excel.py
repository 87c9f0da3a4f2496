"""Excel workbooks: every sheet's rows become lines (cells separated by tabs, the cells a merged
cell covers left empty, as printed), numbered through the sheets and marked with the sheet name.
Whether a sheet holds printed target tables or a flat list of indicators is the extractor's call.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..record_layout import MAX_RECORD_CHARS, RECORD_MARK, RECORD_SHEET
from .base import Line, Source
from .safety import check_sheet_sizes, check_zip_container
from .text import strip_residue

MAX_CELLS = 2_000_000


def cell_text(value: Any, number_format: str = "General") -> str:
    """A cell as it would print: percents as 95%, whole numbers without .0, dates as 2026年6月30日."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, (int, float)):
        if "%" in (number_format or ""):
            return f"{value * 100:g}%"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return format(value, ".15g") if isinstance(value, float) else str(value)
    return strip_residue(str(value)).replace("\r\n", "\n").replace("\n", " ").strip()


def _load(path: Path):
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    check_zip_container(path)
    check_sheet_sizes(path)
    try:
        return load_workbook(path, data_only=True)
    except (BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError) as exc:
        raise InputError(str(path), f"Excel 文件已损坏或不完整（{type(exc).__name__}）") from None
    except Exception as exc:
        raise InputError(str(path), f"Excel 文件无法解析（{type(exc).__name__}: {exc}）") from None


def read_xlsx(path: Path) -> Source:
    wb = _load(path)
    if {"问题清单", "指标明细"} <= set(wb.sheetnames):
        raise InputError(str(path), "这是本工具生成的审核报告，不是预算文件")
    total = sum((ws.max_row or 0) * (ws.max_column or 0) for ws in wb.worksheets)
    if total > MAX_CELLS:
        raise InputError(str(path), f"Excel 表格过大（约 {total:,} 个单元格，上限 {MAX_CELLS:,}）")
    lines: list[Line] = []
    record = digest = None
    number = 0  # rows are numbered through the sheets in order: in a one-sheet book, the Excel row
    for ws in wb.worksheets:
        if ws.title == RECORD_SHEET:
            record, digest = _record(path, ws)
            continue
        for row in ws.iter_rows():
            number += 1
            lines.append(Line(number, "\t".join(cell_text(c.value, c.number_format) for c in row).rstrip("\t"),
                              ws.title))
    wb.close()
    if not any(ln.text.strip() for ln in lines):
        raise InputError(str(path), "Excel 文件中没有内容")
    return Source(str(path), "xlsx", tuple(lines), record, digest)


def _record(path: Path, ws: Any) -> tuple[str, str]:
    """The extracted document a workbook of this tool carries (its JSON text, unparsed, and digest)."""
    if ws.cell(1, 1).value != RECORD_MARK:
        raise InputError(str(path), f"工作表“{RECORD_SHEET}”不是本工具写出的提取记录，或已被改动")
    digest = str(ws.cell(1, 2).value or "")
    parts: list[str] = []
    size = 0
    for (value,) in ws.iter_rows(min_row=2, max_col=1, values_only=True):
        text = "" if value is None else str(value)
        size += len(text)
        if size > MAX_RECORD_CHARS:
            raise InputError(str(path), f"提取记录过大（超过 {MAX_RECORD_CHARS:,} 个字符）")
        parts.append(text)
    return "".join(parts), digest
