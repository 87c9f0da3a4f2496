"""Build Excel and Word files from the gold fixtures, in the layouts units really send: the printed
target table (merged 一级/二级 cells, 实施期 and 年度 side by side) and the fill-in template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from layouts import Table, merge_runs, paired_rows
from layouts import amount as _fmt_amount

from auditor.output import display_width

HEAD = ["一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"]
WIDTHS = (16, 14, 16, 32, 18, 16, 32, 18)


def table_rows(project: dict[str, Any]) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """Rows (8 columns: label + 7) of one printed target table, and the merged ranges
    (first row, first col, last row, last col; 0-based within the table)."""
    funds = project.get("funds") or {}
    ps, ans = funds.get("period_sources") or {}, funds.get("annual_sources") or {}
    rows: list[list[str]] = [
        ["项目名称", project["name"], "", "", "", "", "", ""],
        ["主管部门及代码", project.get("department") or "", "", "", "实施单位", project.get("implementer") or "",
         "", ""],
        ["项目属性", project.get("attribute") or "", "", "", "项目期", project.get("period") or "", "", ""],
        ["项目资金(元)", "实施期资金总额:", _fmt_amount(funds.get("period_total")), "", "年度资金总额:",
         _fmt_amount(funds.get("annual_total")), "", ""],
    ]
    for label, key in (("其中:中央财政资金", "中央"), ("省级财政资金", "省级"), ("市县(区)财政资金", "市县"),
                       ("单位自筹", "自筹"), ("其他资金", "其他")):
        rows.append(["", label, _fmt_amount(ps.get(key)), "", label, _fmt_amount(ans.get(key)), "", ""])
    rows.append(["实施期目标", "", "", "", "年度目标", "", "", ""])
    rows.append(["总体目标", project.get("goal_period") or "", "", "", project.get("goal_annual") or "", "", "", ""])
    rows.append(["绩效指标", *HEAD])
    merges = [(0, 1, 0, 7), (4, 0, 8, 0), (10, 1, 10, 3), (10, 4, 10, 7)]
    grid = Table("", [*rows, *paired_rows(project)])
    start = len(rows)
    merge_runs(grid, start, (1, 2, 5))  # runs of the same 一级/二级 label, as the budget system prints them
    rows = grid.rows
    merges += [(r, c, r + rs - 1, c + cs - 1) for (r, c), (rs, cs) in grid.spans.items()]
    if len(rows) > start:
        merges.append((start, 0, len(rows) - 1, 0))
    rows.append(["负责人:", "", "经办人:", "", "联系电话:", "", "填报日期:", "20260101000000"])
    return rows, merges


def printed_workbook(gold: dict[str, Any], path: Path) -> None:
    """One sheet: the narrative's title, then every target table with merged cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([gold["unit"]])
    ws.append([f"{gold['year']}年度部门预算公开"])
    for project in gold["projects"]:
        ws.append([])
        ws.append(["项目支出绩效目标表"])
        ws.append([f"({gold['year']}年度)"])
        rows, merges = table_rows(project)
        first = ws.max_row + 1
        spans = {(r1, c1): sum(WIDTHS[c1:c2 + 1]) for r1, c1, r2, c2 in merges if r1 == r2}
        for r, row in enumerate(rows):
            ws.append(row)
            for cell in ws[ws.max_row]:
                cell.border = border
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            # Calc does not grow merged rows to fit wrapped text: give each row the height it needs
            lines = max((-(-display_width(v) // int(spans.get((r, c), WIDTHS[c]) * 0.9)) for c, v in enumerate(row)
                         if v), default=1)
            ws.row_dimensions[ws.max_row].height = max(15, 14 * lines)
        for r1, c1, r2, c2 in merges:
            ws.merge_cells(start_row=first + r1, start_column=c1 + 1, end_row=first + r2, end_column=c2 + 1)
    for col, width in zip("ABCDEFGH", WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(path)


def printed_docx(gold: dict[str, Any], path: Path) -> None:
    """The same tables in Word, merged with python-docx (gridSpan and vMerge in the file)."""
    import docx

    document = docx.Document()
    document.add_paragraph(gold["unit"])
    document.add_paragraph(f"{gold['year']}年度部门预算公开")
    for project in gold["projects"]:
        document.add_paragraph("项目支出绩效目标表")
        document.add_paragraph(f"({gold['year']}年度)")
        rows, merges = table_rows(project)
        table = document.add_table(rows=len(rows), cols=8)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value:
                    table.cell(r, c).text = value
        for r1, c1, r2, c2 in merges:
            table.cell(r1, c1).merge(table.cell(r2, c2))
    document.save(str(path))


def fill_template(template: Path, gold: dict[str, Any], path: Path) -> None:
    """The fill-in template made by `auditor template`, filled with the gold rows."""
    from openpyxl import load_workbook

    wb = load_workbook(template)
    ws = wb["绩效目标"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in header if name}
    r = 2
    for project in gold["projects"]:
        funds = project.get("funds") or {}
        for period, key in (("实施期", "indicators"), ("年度", "annual_indicators")):
            for row in project.get(key) or []:
                values = {"项目名称": project["name"], "主管部门": project.get("department"),
                          "实施单位": project.get("implementer"), "年度资金总额": funds.get("annual_total"),
                          "实施期资金总额": funds.get("period_total"), "期间": period, "一级指标": row["level1"],
                          "二级指标": row["level2"], "三级指标": row["level3"], "指标值": row["value"]}
                for name, value in values.items():
                    if value is not None and name in col:
                        ws.cell(r, col[name]).value = value
                r += 1
    wb.save(path)
