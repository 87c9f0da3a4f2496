"""The samples' gold tables rendered in the layouts real disclosures use, so a test can read them
back and score the extraction against the gold it was rendered from.

A table is first laid out as rows of cells (header fields, the indicator grid, the footer), in one
of a few column structures (two column sets side by side; one set; one set with a remarks column;
the national platform's 计算符号 / 指标值 / 计量单位 columns); then printed in one of the text
layouts (tab-separated cells, one cell per line, space-aligned columns, markdown pipes, a label and
its value in one cell or on two lines, HTML with rowspan/colspan)."""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from auditor.output import display_width

SOURCES = (("中央", "中央财政资金"), ("省级", "省级财政资金"), ("市县", "市县(区)财政资金"), ("自筹", "单位自筹"),
           ("其他", "其他资金"))


def amount(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


@dataclass
class Table:
    """One printed table: rows of cells, with the cells a merged (spanned) cell covers left ''."""

    title: str
    rows: list[list[str]] = field(default_factory=list)
    spans: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # (r, c) → (rowspan, colspan)
    grid_start: int = 0  # first row of the indicator grid (its header)


# --- column structures ---------------------------------------------------------------------------

def merge_runs(table: Table, start: int, columns: tuple[int, ...]) -> None:
    """Print a run of equal 一级/二级 labels once, as a cell spanning the run (the budget system does)."""
    for col in columns:
        values = [table.rows[r][col] for r in range(start, len(table.rows))]
        r = start
        for value, run in groupby(values):
            n = len(list(run))
            if value and n > 1:
                table.spans[(r, col)] = (n, 1)
                for k in range(r + 1, r + n):
                    table.rows[k][col] = ""
            r += n


def _header(project: dict[str, Any], two_sets: bool) -> list[list[str]]:
    """The header fields: 8 columns beside two column sets (实施期 | 年度 funds and goals), 4 beside one
    (年度 only, as single-set tables print them)."""
    funds = project.get("funds") or {}
    ps, ans = funds.get("period_sources") or {}, funds.get("annual_sources") or {}
    if not two_sets:
        rows = [["项目名称", project["name"], "", ""],
                ["主管部门及代码", project.get("department") or "", "实施单位", project.get("implementer") or ""],
                ["项目属性", project.get("attribute") or "", "项目期", project.get("period") or ""],
                ["项目资金(元)", "年度资金总额:", amount(funds.get("annual_total")), ""]]
        rows += [["", label, amount(ans.get(key)), ""] for key, label in SOURCES]
        rows.append(["年度总体目标", project.get("goal_annual") or project.get("goal_period") or "", "", ""])
        return rows
    rows = [["项目名称", project["name"], "", "", "", "", "", ""],
            ["主管部门及代码", project.get("department") or "", "", "", "实施单位", project.get("implementer") or "",
             "", ""],
            ["项目属性", project.get("attribute") or "", "", "", "项目期", project.get("period") or "", "", ""],
            ["项目资金(元)", "实施期资金总额:", amount(funds.get("period_total")), "", "年度资金总额:",
             amount(funds.get("annual_total")), "", ""]]
    rows += [["", label, amount(ps.get(key)), "", label, amount(ans.get(key)), "", ""] for key, label in SOURCES]
    rows.append(["总体目标", "实施期目标", "", "", "年度目标", "", "", ""])
    rows.append(["", project.get("goal_period") or "", "", "", project.get("goal_annual") or "", "", "", ""])
    return rows


FOOTER = ["负责人:", "", "经办人:", "", "联系电话:", "", "填报日期:", "20260101"]


def paired_rows(project: dict[str, Any]) -> list[list[str]]:
    """The grid of a two-set table: 实施期 and 年度 rows paired 二级 by 二级, as one printed row each
    ('' | 一级 | 二级 | 三级 | 指标值 | 二级 | 三级 | 指标值)."""
    left, right = project.get("indicators") or [], project.get("annual_indicators") or []
    order: list[str] = []
    for r in [*left, *right]:
        if r["level2"] not in order:
            order.append(r["level2"])
    rows = []
    for level2 in order:
        lg = [r for r in left if r["level2"] == level2]
        rg = [r for r in right if r["level2"] == level2]
        for i in range(max(len(lg), len(rg))):
            a = lg[i] if i < len(lg) else {}
            b = rg[i] if i < len(rg) else {}
            rows.append(["", a.get("level1") or b.get("level1", ""), a.get("level2") or level2,
                         a.get("level3", ""), a.get("value", ""), b.get("level2", ""), b.get("level3", ""),
                         b.get("value", "")])
    return rows


def two_set_table(project: dict[str, Any]) -> Table:
    """实施期 and 年度 column sets side by side (the samples' layout)."""
    table = Table("项目支出绩效目标表", _header(project, True))
    table.grid_start = len(table.rows)
    table.rows.append(["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"])
    start = len(table.rows)
    table.rows += paired_rows(project)
    merge_runs(table, start, (1, 2, 5))
    table.rows.append(list(FOOTER))
    return table


def _sign_number_unit(value: str) -> tuple[str, str, str]:
    """'≥95%' → ('≥', '95', '%'); '及时' → ('定性', '及时', '')."""
    m = re.fullmatch(r"([≥≤<>=＜＞＝]?)\s*(\d[\d,]*(?:\.\d+)?)\s*(\S*)", value.strip())
    if not m:
        return "定性", value, ""
    return (m.group(1) or "＝"), m.group(2), m.group(3)


def platform_value(value: str) -> str:
    """What the platform's three columns say, read back as one value (an unsigned number is '＝')."""
    sign, number, unit = _sign_number_unit(value)
    return number if sign == "定性" else f"{'=' if sign == '＝' else sign}{number}{unit}"


def one_set_table(project: dict[str, Any], style: str = "plain", repeat_labels: bool = False) -> Table:
    """One column set (the 年度 indicators): 'plain' 一级|二级|三级|指标值, 'remarks' with a 备注
    column, 'platform' with 计算符号|指标值|计量单位|指标解释 (the national budget platform's export),
    'nature' with 指标性质 (定量/定性) beside 计算符号 (the platform's entry sheet)."""
    head = {"plain": ["一级指标", "二级指标", "三级指标", "指标值"],
            "remarks": ["一级指标", "二级指标", "指标内容", "指标值", "备注"],
            "platform": ["一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位", "指标解释"],
            "nature": ["一级指标", "二级指标", "三级指标", "指标性质", "计算符号", "指标值", "计量单位",
                       "指标解释"]}[style]
    width = len(head)
    table = Table("项目支出绩效目标表", [row + [""] * (width - len(row)) for row in _header(project, False)])
    table.grid_start = len(table.rows)
    table.rows.append(head)
    start = len(table.rows)
    for i, r in enumerate(project.get("annual_indicators") or project.get("indicators") or []):
        if style == "platform":
            sign, number, unit = _sign_number_unit(r["value"])
            cells = [r["level1"], r["level2"], r["level3"], sign, number, unit, f"{r['level3']}的完成情况"]
        elif style == "nature":
            sign, number, unit = _sign_number_unit(r["value"])
            nature, sign = ("定性", "") if sign == "定性" else ("定量", sign)
            cells = [r["level1"], r["level2"], r["level3"], nature, sign, number, unit, ""]
        elif style == "remarks":
            cells = [r["level1"], r["level2"], r["level3"], r["value"], "按年度考核" if i % 2 else ""]
        else:
            cells = [r["level1"], r["level2"], r["level3"], r["value"]]
        table.rows.append(cells)
    if not repeat_labels:
        merge_runs(table, start, (0, 1))
    table.rows.append(["负责人:", "", "联系电话:", ""] + [""] * (width - 4))
    return table


SELFEVAL_GRID = ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                 "偏差原因分析及改进措施"]


def execution_points(rate: float) -> float:
    """预算执行率's 10 points: min(执行率, 100%) × 10 (财预〔2020〕10号)."""
    return round(min(rate, 100) / 10, 2)


SELFEVAL_PLATFORM_GRID = ["一级指标", "二级指标", "三级指标", "指标性质", "计算符号", "年度指标值", "计量单位",
                          "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]


def platform_actual(actual: str | None, unit: str) -> str:
    """An 实际完成值 as the platform's export prints it: the bare number when it has the row's unit."""
    sign, number, actual_unit = _sign_number_unit(actual or "")
    return number if sign != "定性" and actual_unit == unit else (actual or "")


SELFEVAL_ADJUSTED_GRID = ["绩效指标", "一级指标", "二级指标", "三级指标", "年初指标值", "调整后指标值", "实际完成值",
                          "分值", "得分", "偏差原因分析及改进措施"]


def _selfeval_grid_row(r: dict[str, Any], platform: bool, adjusted: bool = False) -> list[str]:
    weight = "" if r.get("weight") is None else f"{r['weight']:g}"
    points = "" if r.get("points") is None else f"{r['points']:g}"
    if adjusted:
        return ["", r["level1"], r["level2"], r["level3"], r["value"], r.get("adjusted") or "", r.get("actual") or "",
                weight, points, ""]
    if not platform:
        return ["", r["level1"], r["level2"], r["level3"], r["value"], r.get("actual") or "", weight, points, ""]
    sign, number, unit = _sign_number_unit(r["value"])
    nature, sign = ("定性", "") if sign == "定性" else ("定量", sign)
    return [r["level1"], r["level2"], r["level3"], nature, sign, number, unit, platform_actual(r.get("actual"), unit),
            weight, points, ""]


def selfeval_table(project: dict[str, Any], platform: bool = False, adjusted: bool = False) -> Table:
    """A 项目支出绩效自评表 in the national template (财预〔2020〕10号): funds by source with 执行率 and
    得分, the goal beside what was achieved, the grid with 实际完成值 / 分值 / 得分, then 总分 and 等级;
    `platform`: the grid as the budget platform exports it (指标性质, 计算符号 and 计量单位 cells);
    `adjusted`: 年初指标值 beside 调整后指标值 (provincial templates)."""
    def figure(value: Any) -> str:  # 万元 to the 元: the figures keep their printed decimals
        return "" if value is None else f"{value:,.6f}".rstrip("0").rstrip(".")

    funds = project.get("funds") or {}
    total, done = figure(funds.get("annual_total")), figure(funds.get("executed"))
    rate = funds.get("execution_rate")
    grid = SELFEVAL_PLATFORM_GRID if platform else SELFEVAL_ADJUSTED_GRID if adjusted else SELFEVAL_GRID
    width = len(grid)
    rows = [["项目名称", project["name"]], ["主管部门", project.get("department") or "", "", "", "实施单位",
                                           project.get("implementer") or ""],
            ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            ["", "年度资金总额", total, total, done, "10", "" if rate is None else f"{rate:g}%",
             "" if rate is None else f"{execution_points(rate):g}"]]
    for key, label in SOURCES:
        value = (funds.get("annual_sources") or {}).get(key)
        if value:
            rows.append(["", label, figure(value), figure(value), figure(value), "—", "", "—"])
    rows += [["年度总体目标", "预期目标", "", "", "", "实际完成情况"],
             ["", project.get("goal_annual") or project.get("goal_period") or "", "", "", "", "已按计划完成"]]
    table = Table("项目支出绩效自评表", [row + [""] * (width - len(row)) for row in rows])
    table.grid_start = len(table.rows)
    table.rows.append(list(grid))
    start = len(table.rows)
    for r in project.get("indicators") or project.get("annual_indicators") or []:
        table.rows.append(_selfeval_grid_row(r, platform, adjusted))
    merge_runs(table, start, (0, 1) if platform else (1, 2))
    score = project.get("score") or {}
    total = ["100", "" if score.get("total") is None else f"{score['total']:g}", score.get("grade") or ""]
    table.rows.append(["总分", *[""] * (width - 4), *total])
    return table


def overall_table(overall: dict[str, Any]) -> Table:
    table = Table("部门整体支出绩效目标申报表", [
        ["部门名称", overall.get("department") or "", "", ""],
        ["年度预算情况(万元)", "合计", amount(overall.get("budget_total_wan")), ""],
        ["", "基本支出", amount(overall.get("basic_wan")), ""],
        ["", "项目支出", amount(overall.get("project_wan")), ""],
        ["年度绩效目标", overall.get("annual_goal") or "", "", ""],
    ])
    table.grid_start = len(table.rows)
    table.rows.append(["一级指标", "二级指标", "三级指标", "指标值"])
    start = len(table.rows)
    for r in overall.get("indicators") or []:
        table.rows.append([r["level1"], r["level2"], r["level3"], r["value"]])
    merge_runs(table, start, (0, 1))
    table.rows.append(["负责人:", "", "联系电话:", ""])
    return table


def expected(gold: dict[str, Any], structure: str) -> dict[str, Any]:
    """The gold as each structure prints it: one set holds the 年度 rows as its `indicators`."""
    out = copy.deepcopy(gold)
    if structure in ("two_sets", "selfeval", "selfeval_adjusted"):
        return out
    if structure == "selfeval_platform":
        for p in out["projects"]:
            for r in p.get("indicators") or []:
                unit = _sign_number_unit(r["value"])[2]
                actual = platform_actual(r.get("actual"), unit)
                r["actual"] = actual + unit if actual and actual != r.get("actual") else r.get("actual")
                r["value"] = platform_value(r["value"])
        return out
    for p in out["projects"]:
        rows = p.get("annual_indicators") or p.get("indicators") or []
        if structure in ("platform", "nature"):
            rows = [{**r, "value": platform_value(r["value"])} for r in rows]
        p["indicators"], p["annual_indicators"] = rows, []
        p["goal_annual"] = p.get("goal_annual") or p.get("goal_period")
        p["goal_period"] = None
        if p.get("funds"):
            p["funds"]["period_total"] = None  # a one-set table prints only the 年度 funds
    return out


def tables_of(gold: dict[str, Any], structure: str) -> list[Table]:
    tables = [overall_table(o) for o in gold.get("overall") or []]
    for project in gold["projects"]:
        if structure == "two_sets":
            tables.append(two_set_table(project))
        elif structure.startswith("selfeval"):
            tables.append(selfeval_table(project, platform=structure == "selfeval_platform",
                                         adjusted=structure == "selfeval_adjusted"))
        elif structure == "repeated":
            tables.append(one_set_table(project, repeat_labels=True))
        else:
            style = structure if structure in ("remarks", "platform", "nature") else "plain"
            tables.append(one_set_table(project, style))
    return tables


# --- text layouts --------------------------------------------------------------------------------

def _preamble(gold: dict[str, Any]) -> list[str]:
    return [gold["unit"], f"{gold['year']}年度部门预算公开", "", "十、绩效管理情况", "本部门绩效目标表如下。", ""]


def _rows_as_lines(table: Table, layout: str) -> list[str]:
    if layout == "tabs":
        return ["\t".join(row) for row in table.rows]
    if layout == "cell_per_line":
        return [cell for row in table.rows for cell in row if cell]
    if layout == "markdown":
        width = max(len(r) for r in table.rows)
        lines = []
        for i, row in enumerate(table.rows):
            cells = [c.replace("|", "｜") for c in row] + [""] * (width - len(row))
            lines.append("| " + " | ".join(cells) + " |")
            if i == 0:
                lines.append("|" + "---|" * width)
        return lines
    if layout == "spaces":
        width = max(len(r) for r in table.rows)
        columns = [max([display_width(r[c]) for r in table.rows if c < len(r) and len(r[c]) <= 40] + [4]) + 2
                   for c in range(width)]
        lines = []
        for row in table.rows:
            text = ""
            for c, cell in enumerate(row):
                text += cell + " " * max(2, columns[c] - display_width(cell))
            lines.append(text.rstrip())
        return lines
    raise ValueError(layout)


_FIELD_LABELS = ("项目名称", "主管部门及代码", "实施单位", "项目属性", "项目期", "实施期资金总额:", "年度资金总额:",
                 "部门名称")


def _inline(table: Table, mode: str) -> Table:
    """Header labels and their value in one cell ('项目期 1年', '年度资金总额:150,000') or on two lines."""
    out = Table(table.title, [list(r) for r in table.rows], dict(table.spans), table.grid_start)
    for r in range(table.grid_start):
        row = out.rows[r]
        merged: list[str] = []
        i = 0
        while i < len(row):
            cell = row[i]
            if cell in _FIELD_LABELS and i + 1 < len(row) and row[i + 1]:
                if mode == "one_cell":
                    merged.append(f"{cell.rstrip(':')}{'：' if r % 2 else ' '}{row[i + 1]}")
                else:
                    merged.append(cell + "\n" + row[i + 1])
                i += 2
                continue
            merged.append(cell)
            i += 1
        out.rows[r] = merged
    return out


def render_text(gold: dict[str, Any], structure: str, layout: str, fields: str = "cells") -> str:
    """The whole document as text: `layout` in tabs, cell_per_line, markdown, spaces; `fields` in
    cells (label and value in their own cells), one_cell, next_line."""
    lines = _preamble(gold)
    for table in tables_of(gold, structure):
        if fields != "cells":
            table = _inline(table, fields)
        lines += [table.title, f"({gold['year']}年度)", ""]
        body = _rows_as_lines(table, layout)
        lines += [part for line in body for part in line.split("\n")] if fields == "next_line" else body
        lines.append("")
    return "\n".join(lines) + "\n"


def render_html(gold: dict[str, Any], structure: str) -> str:
    """An HTML page: every table a <table> whose merged cells are rowspan/colspan."""
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>预算公开</title>",
             "<style>td{border:1px solid #000}</style></head><body>"]
    parts += [f"<p>{html.escape(line)}</p>" for line in _preamble(gold) if line]
    for table in tables_of(gold, structure):
        parts.append(f"<h3>{html.escape(table.title)}</h3><p>({gold['year']}年度)</p><table>")
        covered: set[tuple[int, int]] = set()
        for (r, c), (rs, cs) in table.spans.items():
            covered |= {(r + i, c + j) for i in range(rs) for j in range(cs)} - {(r, c)}
        for r, row in enumerate(table.rows):
            parts.append("<tr>")
            c = 0
            while c < len(row):
                if (r, c) in covered:
                    c += 1
                    continue
                rs, cs = table.spans.get((r, c), (1, 1))
                if (rs, cs) == (1, 1) and r < table.grid_start:
                    while c + cs < len(row) and not row[c + cs] and (r, c + cs) not in covered and row[c] \
                            and c + cs + 1 < len(row) and not row[c + cs + 1]:
                        cs += 1  # a header value spans the empty cells to its right
                attrs = (f" rowspan='{rs}'" if rs > 1 else "") + (f" colspan='{cs}'" if cs > 1 else "")
                parts.append(f"<td{attrs}>{html.escape(row[c])}</td>")
                covered |= {(r, c + j) for j in range(1, cs)}
                c += cs
            parts.append("</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


# --- office files ------------------------------------------------------------------------------

def write_xlsx(gold: dict[str, Any], structure: str, path) -> None:
    """Every table on one sheet, merged cells merged (openpyxl)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    for line in _preamble(gold):
        ws.append([line])
    for table in tables_of(gold, structure):
        ws.append([table.title])
        ws.append([f"({gold['year']}年度)"])
        first = ws.max_row + 1
        for row in table.rows:
            ws.append(row)
        for (r, c), (rs, cs) in table.spans.items():
            ws.merge_cells(start_row=first + r, start_column=c + 1, end_row=first + r + rs - 1,
                           end_column=c + cs)
        ws.append([])
    wb.save(path)


def write_docx(gold: dict[str, Any], structure: str, path) -> None:
    """Every table a Word table, merged cells merged (gridSpan, vMerge)."""
    import docx

    document = docx.Document()
    for line in _preamble(gold):
        document.add_paragraph(line)
    for table in tables_of(gold, structure):
        document.add_paragraph(table.title)
        width = max(len(r) for r in table.rows)
        grid = document.add_table(rows=len(table.rows), cols=width)
        for r, row in enumerate(table.rows):
            for c, value in enumerate(row):
                if value:
                    grid.cell(r, c).text = value
        for (r, c), (rs, cs) in table.spans.items():
            grid.cell(r, c).merge(grid.cell(r + rs - 1, c + cs - 1))
    document.save(str(path))


FLAT_HEAD = ["项目名称", "主管部门", "实施单位", "年度资金总额", "一级指标", "二级指标", "三级指标", "指标性质",
             "指标值", "计量单位", "指标解释"]


def write_platform_export(gold: dict[str, Any], path, per_sheet: int = 5) -> None:
    """The budget system's Excel export: a cover sheet, then sheets named 部门项目支出绩效目标05-N with
    title rows above the header, one row per indicator, the project's cells merged down its rows."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "封面"
    wb.active.append([gold["unit"]])
    wb.active.append([f"{gold['year']}年度部门预算公开"])
    projects = gold["projects"]
    for n, start in enumerate(range(0, len(projects), per_sheet), start=1):
        ws = wb.create_sheet(f"部门项目支出绩效目标05-{n}")
        ws.append(["部门项目支出绩效目标表"])
        ws.append([f"单位：{gold['unit']}", "", "", "", "", "", "", "", "", "", "金额单位：元"])
        ws.append(FLAT_HEAD)
        for project in projects[start:start + per_sheet]:
            funds = project.get("funds") or {}
            rows = project.get("annual_indicators") or project.get("indicators") or []
            first = ws.max_row + 1
            for r in rows:
                sign, number, unit = _sign_number_unit(r["value"])
                ws.append([project["name"], project.get("department") or "", project.get("implementer") or "",
                           funds.get("annual_total"), r["level1"], r["level2"], r["level3"], sign, number, unit,
                           ""])
            if len(rows) > 1:
                for col in range(1, 5):
                    ws.merge_cells(start_row=first, start_column=col, end_row=ws.max_row, end_column=col)
    wb.save(path)
