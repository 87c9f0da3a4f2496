"""Excel workbooks: the printed-table layout (merged cells, 实施期 and 年度 side by side) becomes
lines for the text extractor; the flat-list layout (one row per indicator, several projects per
sheet — budget-system exports and the fill-in template) becomes records directly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..extract.labels import LEVEL2_PARENT, level1_of, level2_of
from ..model import Document, Funds, Indicator, Project
from ..reader import Line, normalise, strip_residue
from ..values import parse_amount, parse_value
from .safety import check_sheet_sizes, check_zip_container

# flat-list header synonyms → field
FLAT_HEADERS: dict[str, tuple[str, ...]] = {
    "project": ("项目名称", "项目"),
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标", "指标名称", "绩效指标名称"),
    "comparator": ("指标性质", "指标方向", "比较符", "运算符号", "符号"),
    "value": ("指标值", "目标值", "绩效指标值", "年度指标值"),
    "unit": ("计量单位", "度量单位", "单位"),
    "period": ("期间", "指标期间"),
    "explanation": ("指标解释", "指标说明", "备注"),
    "department": ("主管部门", "主管部门及代码"),
    "implementer": ("实施单位", "预算单位"),
    "annual_total": ("年度资金总额", "年度资金", "年度预算", "预算金额"),
    "period_total": ("实施期资金总额", "实施期资金"),
    "goal": ("年度目标", "总体目标", "绩效目标"),
    "attribute": ("项目属性",),
    "duration": ("项目期",),
}
_COMPARATOR_WORDS = {"≥": "≥", ">=": "≥", "大于等于": "≥", "不低于": "≥", "正向": "≥", "正向指标": "≥",
                     "≤": "≤", "<=": "≤", "小于等于": "≤", "不高于": "≤", "反向": "≤", "反向指标": "≤",
                     "=": "=", "等于": "=", ">": ">", "大于": ">", "<": "<", "小于": "<", "定性": "", "定量": ""}
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


def read_xlsx(path: Path) -> Document:
    wb = _load(path)
    if {"问题清单", "指标明细"} <= set(wb.sheetnames):
        raise InputError(str(path), "这是本工具生成的审核报告，不是预算文件")
    total = sum((ws.max_row or 0) * (ws.max_column or 0) for ws in wb.worksheets)
    if total > MAX_CELLS:
        raise InputError(str(path), f"Excel 表格过大（约 {total:,} 个单元格，上限 {MAX_CELLS:,}）")
    lines: list[Line] = []
    flat_projects: list[Project] = []
    number = 0  # rows are numbered through the sheets in order: in a one-sheet book, the Excel row
    for ws in wb.worksheets:
        rows = [[cell_text(c.value, c.number_format) for c in row] for row in ws.iter_rows()]
        header_at, columns = _flat_header(rows)
        if columns is not None:
            _fill_merged_down(ws, rows)
            flat_projects.extend(_flat_projects(rows, header_at, columns, number))
        else:
            lines.extend(Line(number + i, "\t".join(row).rstrip("\t")) for i, row in enumerate(rows, start=1))
        number += len(rows)
    wb.close()
    if flat_projects:
        from ..extract.narrative import find_unit_year_kind

        unit, year, _ = find_unit_year_kind(lines)
        department = next((p.department for p in flat_projects if p.department), None)
        return Document(path=str(path), unit=unit or (re.sub(r"^\d+[-－—\s]*", "", department) if department else None),
                        year=year, kind="budget", projects=tuple(flat_projects), line_count=number)
    if not any(ln.text.strip() for ln in lines):
        raise InputError(str(path), "Excel 文件中没有内容")
    from ..extract import extract_lines

    return extract_lines(lines, str(path))


def _flat_header(rows: list[list[str]]) -> tuple[int, dict[str, int] | None]:
    for index, row in enumerate(rows[:15]):
        keys = [normalise(c) for c in row]
        columns: dict[str, int] = {}
        for field, names in FLAT_HEADERS.items():
            for col, key in enumerate(keys):
                if key in names and field not in columns:
                    columns[field] = col
        if "level3" in columns and "value" in columns and ("level2" in columns or "level1" in columns) \
                and "project" in columns:
            return index, columns
    return -1, None


def _fill_merged_down(ws: Any, rows: list[list[str]]) -> None:
    """Flat lists merge 项目名称/一级/二级 cells over their rows: every row gets the value."""
    for merged in ws.merged_cells.ranges:
        value = rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(rows) else ""
        for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
            for c in range(merged.min_col - 1, min(merged.max_col, len(rows[r]))):
                rows[r][c] = value


def joined_value(comparator: str, value: str, unit: str) -> str:
    """指标性质 + 指标值 + 计量单位, as the printed table shows them. A qualitative value exported
    with itself as the 'unit' is why budget-system prints read 良好良好: the unit is not repeated."""
    value, unit = value.strip(), unit.strip()
    symbol = _COMPARATOR_WORDS.get(normalise(comparator), normalise(comparator) if comparator else "")
    if symbol and not re.match(r"^[≥≤<>=＞＜]", value) and re.match(r"^[\d.]", value):
        value = symbol + value
    if unit and unit != value and not normalise(value).endswith(normalise(unit)) and re.search(r"\d", value):
        value += unit
    return value


def _flat_projects(rows: list[list[str]], header_at: int, columns: dict[str, int], offset: int) -> list[Project]:
    def get(row: list[str], field: str) -> str:
        col = columns.get(field)
        return row[col].strip() if col is not None and col < len(row) else ""

    grouped: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for index, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        name = get(row, "project")
        level3, raw = get(row, "level3"), get(row, "value")
        if not name or not (level3 or raw):
            continue
        entry = grouped.setdefault(name, {"rows": [], "first": index, "last": index, "fields": {}})
        entry["last"] = index
        for field in ("department", "implementer", "annual_total", "period_total", "goal", "attribute", "duration"):
            if get(row, field) and field not in entry["fields"]:
                entry["fields"][field] = get(row, field)
        value = joined_value(get(row, "comparator"), raw, get(row, "unit"))
        level2_printed = get(row, "level2")
        level2 = level2_of(level2_printed) or level2_printed
        level1 = LEVEL2_PARENT.get(level2) or level1_of(get(row, "level1")) or get(row, "level1")
        period = "年度" if "年度" in get(row, "period") else "实施期"
        entry["rows"].append(Indicator(level1=level1, level2=level2, level3=level3, value=parse_value(value, level3),
                                       period=period, line=offset + index, level1_printed=get(row, "level1") or None,
                                       level2_printed=level2_printed or None))
    projects = []
    for name, entry in grouped.items():
        fields = entry["fields"]
        annual = parse_amount(fields.get("annual_total"))
        period_total = parse_amount(fields.get("period_total")) or annual
        funds = Funds("元", period_total, annual, {}, {}) if annual is not None or period_total is not None else None
        left = tuple(r for r in entry["rows"] if r.period == "实施期")
        right = tuple(r for r in entry["rows"] if r.period == "年度")
        projects.append(Project(
            name=name, line_start=offset + entry["first"], line_end=offset + entry["last"],
            department=fields.get("department"), implementer=fields.get("implementer"),
            attribute=fields.get("attribute"), duration=fields.get("duration"), funds=funds,
            goal_period=fields.get("goal"), indicators=left, annual_indicators=right,
            has_annual_columns=bool(right)))
    return projects
