"""The workbook a bureau sends back to one department, as a cover letter: who audited it and
when, the score and counts per project, the few findings to fix first, and where to answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Document, Finding, Review, Score
from ..output import atomic_writer
from .excel import (
    DETAILS_PRINTED,
    detail_sheet,
    excluded_sheet,
    finish_excluded,
    finish_issues,
    issue_sheet,
    write_details,
    write_excluded,
    write_issues,
)
from .records import fix_first, severity_counts
from .sheets import LINE_HEIGHT, Column, Sheet, formats, page_setup, xlsx_options


@dataclass(frozen=True, slots=True)
class Letter:
    """Who sends the critique, when, and by when the department answers (`--office`, `--deadline`)."""

    office: str = ""
    date: str = ""  # empty: today
    deadline: str = ""

    def dated(self) -> str:
        if self.date:
            return self.date
        today = dt.date.today()
        return f"{today.year}年{today.month}月{today.day}日"


COVER_LAYOUT = (Column("项目", 46, wrap=True), Column("得分", 8), Column("等级", 7), Column("错误", 7),
                Column("警告", 7), Column("提示", 7))


class _Cover:
    """The 说明 sheet, paragraph by paragraph: each merged across the page, as tall as its text."""

    def __init__(self, ws: Any, fmts: dict[str, Any]) -> None:
        self.sheet = Sheet(ws, COVER_LAYOUT, fmts)
        self.ws, self.fmts = ws, fmts

    def paragraph(self, text: str, style: str = "text") -> None:
        self.sheet.paragraph(text, self.fmts[style], LINE_HEIGHT * 1.5 if style == "title" else LINE_HEIGHT)

    def gap(self) -> None:
        self.sheet.row += 1

    def table(self, rows: Sequence[Sequence[Any]]) -> None:
        header = self.fmts["header"]
        for col, column in enumerate(COVER_LAYOUT):
            self.ws.write_string(self.sheet.row, col, column.title, header)
        self.sheet.row += 1
        for values in rows:
            self.sheet.write(values)


def _project_rows(doc: Document, findings: Sequence[Finding], tables: dict[str, Score]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    whole = [f for f in findings if f.project is None]
    if whole:
        counts = severity_counts(whole)
        rows.append(["（全文：说明与附表、公开情况）", "", "", counts["错误"], counts["警告"], counts["提示"]])
    for name, s in tables.items():
        counts = severity_counts([f for f in findings if f.project == name])
        rows.append([name, s.score, s.grade, counts["错误"], counts["警告"], counts["提示"]])
    return rows


def write_unit_workbook(path: Path, doc: Document, findings: Sequence[Finding], score: float, grade: str,
                        table_scores: dict[str, Score], reviews: dict[str, Review], scoring: str = "",
                        letter: Letter | None = None, suppressed: Sequence[Finding] = ()) -> None:
    """The workbook handed back to one department: 说明 (the letter), 问题清单, 指标明细 (and 已排除
    when an earlier review set findings aside)."""
    import xlsxwriter

    letter = letter or Letter()
    unit = doc.unit or "（单位未识别）"
    title = f"{unit}{doc.year or ''}年度预算绩效目标审核意见"
    with atomic_writer(path, binary=True) as handle:
        wb = xlsxwriter.Workbook(handle, {**xlsx_options(), "in_memory": True})
        fmts = formats(wb)
        cover = _Cover(wb.add_worksheet("说明"), fmts)
        counts = severity_counts(findings)
        cover.paragraph(title, "title")
        cover.paragraph(f"总体得分 {score:g} 分，等级：{grade}。共发现问题 {len(findings)} 条："
                        f"错误 {counts['错误']} 条、警告 {counts['警告']} 条、提示 {counts['提示']} 条。", "bold")
        sender = f"审核单位：{letter.office}　　" if letter.office else ""
        cover.paragraph(f"{sender}审核日期：{letter.dated()}")
        answer = "请在“问题清单”的“整改情况”列逐条写明怎么改的（或不改的理由），连同修改后的绩效目标表一并报送"
        cover.paragraph(f"{answer}，报送时限：{letter.deadline}前。" if letter.deadline else f"{answer}。")
        cover.gap()
        cover.paragraph("各项目得分与问题数", "bold")
        cover.table(_project_rows(doc, findings, table_scores))
        cover.gap()
        first = fix_first(findings)
        if first:
            cover.paragraph(f"请先改这 {len(first)} 个问题（最严重的在前）：", "bold")
            for n, f in enumerate(first, start=1):
                where = f"【{f.project}】" if f.project else "【全文】"
                period = f"[{f.period}] " if f.period and f.level3 else ""
                cover.paragraph(f"{n}. {f.severity} {f.rule} {where}{period}{f.message}。修改建议：{f.suggestion}")
            cover.gap()
        for heading, text in (
            ("得分怎么算", scoring),
            ("严重程度", "错误——必须改正（如成本超过预算、缺少成本指标、说明与附表不符）；警告——目标不够明确、无法"
                        "考核，应当改正；提示——建议改进。"),
            ("怎么改", "“问题清单”逐条列出问题、修改建议（含改写示例）和依据；“指标明细”中有问题的指标值按严重程度"
                      "标色，“问题”列写明是哪些问题，鼠标停在单元格上可看到问题说明。"),
            ("有异议的", "请在“整改情况”列写明理由；“审核意见”“审核说明”两列由审核人员填写。"),
        ):
            cover.paragraph(f"{heading}：{text}")
        page_setup(cover.ws, landscape=False, widths=[c.width for c in COVER_LAYOUT], title=title,
                   last_row=cover.sheet.row, last_col=len(COVER_LAYOUT) - 1, repeat_header=False)
        issues = issue_sheet(wb, fmts, one_unit=True)
        write_issues(issues, doc, findings, reviews)
        finish_issues(issues, f"{title}：问题清单")
        details = detail_sheet(wb, fmts, one_unit=True)
        write_details(details, doc, findings, comments=True)
        details.finish(title=f"{title}：指标明细", printed=DETAILS_PRINTED)
        if suppressed:
            excluded = excluded_sheet(wb, fmts)
            write_excluded(excluded, doc, suppressed, reviews)
            finish_excluded(excluded, f"{title}：已排除的问题")
        wb.close()
