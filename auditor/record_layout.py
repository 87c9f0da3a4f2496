"""The layout of the workbook `auditor extract --format xlsx` writes, shared by its writer (report)
and its reader (sources, extract): the sheet names, the columns, the embedded record's marker.

The workbook is both a table to edit in Excel or WPS and a faithful record of what was read: the
visible sheets hold the indicators and the projects' fields, a hidden sheet holds the whole
extracted document (codec JSON, in cell-sized chunks). Read back, the record is rebuilt and every
edit made in the visible sheets applied to it, so `check` finds what it found in the source,
less what the edits fixed.
"""

from __future__ import annotations

RECORD_SHEET = "_提取记录"
RECORD_MARK = "auditor-document/1"
RECORD_CHUNK = 30000  # characters per cell (Excel holds 32,767)
MAX_RECORD_CHARS = 16_000_000

INDICATOR_SHEET = "指标明细"
PROJECT_SHEET = "项目信息"
FILE_SHEET = "文件信息"

# 指标明细: the editable columns first, then what is shown for reading only, then the row's key.
INDICATOR_EDITABLE = ("项目", "期间", "一级指标", "二级指标", "三级指标", "指标值")
INDICATOR_SHOWN = ("值类型", "完成值", "源行号", "文件", "单位", "年度")
INDICATOR_KEY = "编号"
INDICATOR_COLUMNS = (*INDICATOR_EDITABLE, *INDICATOR_SHOWN, INDICATOR_KEY)

# 项目信息: column title → Project field (the two fund totals go into Funds).
PROJECT_FIELDS = (
    ("项目名称", "name"), ("主管部门", "department"), ("实施单位", "implementer"), ("项目属性", "attribute"),
    ("项目期", "duration"), ("实施期资金总额", "period_total"), ("年度资金总额", "annual_total"),
    ("资金单位", "unit"), ("项目概况", "overview"), ("立项依据", "basis"), ("项目设立必要性", "necessity"),
    ("保证项目实施的制度、措施", "measures"), ("项目实施计划", "plan"), ("实施期总体目标", "goal_period"),
    ("年度总体目标", "goal_annual"),
)
PROJECT_KEY = "编号"
PROJECT_COLUMNS = (*(title for title, _ in PROJECT_FIELDS), PROJECT_KEY)


def indicator_key(kind: str, table: int, period: str, row: int) -> str:
    """A row's key: the table ("P" a project, "O" an overall table, and its position), the column
    set (实施期 or 年度) and the row's position in it."""
    return f"{kind}{table}:{'年度' if period == '年度' else '实施期'}:{row}"


def parse_indicator_key(key: str) -> tuple[str, int, str, int] | None:
    try:
        table, period, row = key.split(":")
        kind, number = table[0], int(table[1:])
        if kind not in "PO" or period not in ("实施期", "年度"):
            return None
        return kind, number, period, int(row)
    except (ValueError, IndexError):
        return None
