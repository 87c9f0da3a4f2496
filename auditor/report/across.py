"""The findings made across documents: 年度对比 (a unit against its earlier year) and 相似填报 (units whose
projects say the same), as sheets of the summary workbook, as a workbook of their own (`auditor
compare`), and as plain data for the JSON."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..model import Comparison, SimilarGroup
from ..output import atomic_writer
from ..vocabulary import KIND_LABELS
from .records import finding_dict
from .sheets import Column, Sheet, formats, xlsx_options

COMPARE_LAYOUT = (
    Column("序号", 4), Column("单位", 12, wrap=True), Column("项目", 16, wrap=True), Column("三级指标", 14, wrap=True),
    Column("上年度", 6), Column("上年指标值", 10, wrap=True), Column("本年度", 6), Column("本年指标值", 10, wrap=True),
    Column("严重程度", 5), Column("问题类型", 8, wrap=True), Column("规则", 5), Column("问题说明", 28, wrap=True),
    Column("修改建议", 24, wrap=True), Column("上年文件", 20, wrap=True), Column("本年文件", 20, wrap=True),
    Column("指纹", 18, hidden=True),
)
COMPARE_PRINTED = [c.title for c in COMPARE_LAYOUT].index("修改建议") + 1

SIMILAR_LAYOUT = (
    Column("组", 4), Column("单位数", 6), Column("单位", 16, wrap=True), Column("项目", 22, wrap=True),
    Column("相似度", 7), Column("问题说明", 40, wrap=True), Column("修改建议", 26, wrap=True), Column("文件", 24),
)
SIMILAR_PRINTED = [c.title for c in SIMILAR_LAYOUT].index("修改建议") + 1

COMPARE_SHEET, SIMILAR_SHEET = "年度对比", "相似填报"


def write_comparisons(wb: Any, fmts: dict[str, Any], comparisons: Iterable[Comparison], title: str) -> Sheet:
    sheet = Sheet(wb.add_worksheet(COMPARE_SHEET), COMPARE_LAYOUT, fmts,
                  continued=lambda n: wb.add_worksheet(f"{COMPARE_SHEET} ({n})"))
    sheet.header()
    severity_col = [c.title for c in COMPARE_LAYOUT].index("严重程度")
    for c in comparisons:
        f = c.finding
        whole = f.level3 is None
        sheet.write([sheet.count + 1, c.unit or "", f.project or "", f.level3 or "（全表）", c.old_year or "",
                     "（全表同本年）" if whole else c.old_value or "（上年未设置）", c.new_year or "",
                     "" if whole else c.new_value or "（本年未设置）", f.severity, KIND_LABELS.get(f.kind, f.kind),
                     f.rule, f.message, f.suggestion, os.path.basename(c.old_file), os.path.basename(f.location.file),
                     f.fingerprint()], fmt={severity_col: fmts[f.severity]})
    if not sheet.count:
        sheet.ws.write_string(1, 0, "没有发现年度对比问题（本批中同一单位有上年文件时才对比）")
        sheet.row = 2
    sheet.finish(title=title, printed=COMPARE_PRINTED)
    return sheet


def write_similar(wb: Any, fmts: dict[str, Any], groups: Sequence[SimilarGroup], title: str) -> Sheet:
    sheet = Sheet(wb.add_worksheet(SIMILAR_SHEET), SIMILAR_LAYOUT, fmts,
                  continued=lambda n: wb.add_worksheet(f"{SIMILAR_SHEET} ({n})"))
    sheet.header()
    for number, g in enumerate(groups, start=1):
        units = len({unit for unit, _, _ in g.members})
        for i, (unit, project, path) in enumerate(g.members):
            first = i == 0
            sheet.write([number, units if first else "", unit, project, f"{g.similarity:.0%}" if first else "",
                         g.finding.message if first else "", g.finding.suggestion if first else "",
                         os.path.basename(path)])
    if not groups:
        sheet.ws.write_string(1, 0, "本批文件中没有不同单位之间雷同的项目")
        sheet.row = 2
    sheet.finish(title=title, printed=SIMILAR_PRINTED)
    return sheet


def comparison_dict(c: Comparison) -> dict[str, Any]:
    return {**finding_dict(c.finding), "old_file": c.old_file, "old_year": c.old_year, "new_year": c.new_year,
            "unit": c.unit, "old_project": c.old_project, "old_value": c.old_value, "new_value": c.new_value}


def similar_dict(g: SimilarGroup) -> dict[str, Any]:
    return {**finding_dict(g.finding), "similarity": round(g.similarity, 4),
            "members": [{"unit": u, "project": p, "file": f} for u, p, f in g.members]}


def write_compare_workbook(path: Path, comparisons: Sequence[Comparison], groups: Sequence[SimilarGroup],
                           title: str = "预算绩效目标年度对比") -> None:
    """`auditor compare`'s workbook: 年度对比 (and 相似填报 when the groups are asked for), written atomically."""
    import xlsxwriter

    with atomic_writer(path, binary=True) as handle:
        wb = xlsxwriter.Workbook(handle, {"in_memory": True, **xlsx_options()})
        fmts = formats(wb)
        write_comparisons(wb, fmts, comparisons, f"{title}：年度对比")
        write_similar(wb, fmts, groups, f"{title}：相似填报")
        wb.close()
