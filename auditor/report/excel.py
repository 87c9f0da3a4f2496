"""The Excel critique: the bureau's 审核汇总.xlsx and one workbook per unit.

Written with XlsxWriter (measured 2.4–2.8× faster than openpyxl for this load) in
constant-memory mode, so a thousand documents stream row by row; openpyxl only reads (inputs,
baselines). Every text from a document is written with write_string: never a formula. Every
sheet prints on A4 (sheets.py): the columns a department needs inside the print area, the
machine's columns (文件, 行号, 指纹) after it, 指纹 hidden.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import SEVERITY_ORDER, VERDICTS, Comparison, Document, Finding, Indicator, Review, SimilarGroup
from ..output import temporary_path, umask
from ..vocabulary import KIND_LABELS, OVERALL_TABLE, VALUE_KIND_LABELS
from .records import sort_findings
from .rows import RUNNING, streamed_workbook
from .sheets import EXCEL_ROWS, FILL, Column, Sheet, clean, formats, page_setup, xlsx_options

# 问题清单: what a department reads and answers first (printed), then what the tool needs to match
# the answers back next time (after the print area; 指纹 hidden).
ISSUE_LAYOUT = (
    Column("序号", 4), Column("单位", 10, wrap=True), Column("项目", 12, wrap=True), Column("期间", 5),
    Column("一级指标", 6, wrap=True), Column("二级指标", 7, wrap=True), Column("三级指标", 12, wrap=True),
    Column("指标值", 9, wrap=True), Column("严重程度", 5), Column("问题类型", 8, wrap=True), Column("规则", 5),
    Column("问题说明", 24, wrap=True), Column("修改建议", 22, wrap=True), Column("审核意见", 6),
    Column("审核说明", 8, wrap=True), Column("整改情况", 10, wrap=True),
    Column("依据", 30, wrap=True), Column("页/工作表", 10), Column("文件", 24), Column("行号", 6),
    Column("指纹", 18, hidden=True),
)
ISSUE_COLUMNS = [c.title for c in ISSUE_LAYOUT]
ISSUES_PRINTED = ISSUE_COLUMNS.index("整改情况") + 1

DETAIL_LAYOUT = (
    Column("单位", 14, wrap=True), Column("项目", 22, wrap=True), Column("期间", 6), Column("一级指标", 8, wrap=True),
    Column("二级指标", 10, wrap=True), Column("三级指标", 26, wrap=True), Column("指标值", 20, wrap=True),
    Column("值类型", 7), Column("问题数", 6), Column("问题", 28, wrap=True), Column("文件", 24), Column("行号", 6),
)
DETAIL_COLUMNS = [c.title for c in DETAIL_LAYOUT]
DETAILS_PRINTED = DETAIL_COLUMNS.index("问题") + 1

SUMMARY_LAYOUT = (
    Column("排名", 5), Column("单位", 30, wrap=True), Column("年度", 6), Column("文件", 22, wrap=True),
    Column("项目数", 6), Column("指标数", 6), Column("错误", 6), Column("警告", 6), Column("提示", 6),
    Column("问题总数", 7), Column("得分", 6), Column("等级", 8, wrap=True),
)
SUMMARY_COLUMNS = [c.title for c in SUMMARY_LAYOUT]

EXCLUDED_LAYOUT = (
    Column("单位", 14, wrap=True), Column("项目", 18, wrap=True), Column("期间", 6), Column("三级指标", 16, wrap=True),
    Column("指标值", 12, wrap=True), Column("规则", 6), Column("问题类型", 12, wrap=True),
    Column("问题说明", 40, wrap=True), Column("审核意见", 7), Column("审核说明", 24, wrap=True),
    Column("文件", 24), Column("指纹", 18, hidden=True),
)
EXCLUDED_PRINTED = [c.title for c in EXCLUDED_LAYOUT].index("审核说明") + 1


@dataclass(frozen=True, slots=True)
class UnitSummary:
    unit: str
    year: int | None
    file: str
    projects: int
    indicators: int
    counts: dict[str, int]
    score: float | None  # None: no target table to score
    grade: str

    @property
    def label(self) -> str:
        """The unit as a chart names it: with its year, since one unit may come with several."""
        return f"{self.unit}（{self.year}）" if self.year else self.unit


def issue_sheet(wb: Any, fmts: dict[str, Any], one_unit: bool = False) -> Sheet:
    """问题清单; in a unit's own workbook the 单位 column (the same on every row) is hidden."""
    layout = [Column(c.title, c.width, c.wrap, c.hidden or (one_unit and c.title == "单位")) for c in ISSUE_LAYOUT]
    sheet = Sheet(wb.add_worksheet("问题清单"), layout, fmts, continued=_continued(wb, "问题清单"))
    sheet.header()
    return sheet


def _continued(wb: Any, name: str) -> Callable[[int], Any]:
    """Worksheets for the rows past one sheet's limit: 问题清单 (2), 问题清单 (3)…"""
    return lambda n: wb.add_worksheet(f"{name} ({n})")


def detail_sheet(wb: Any, fmts: dict[str, Any], one_unit: bool = False) -> Sheet:
    layout = [Column(c.title, c.width, c.wrap, one_unit and c.title == "单位") for c in DETAIL_LAYOUT]
    sheet = Sheet(wb.add_worksheet("指标明细"), layout, fmts, continued=_continued(wb, "指标明细"))
    sheet.header()
    return sheet


def write_issues(sheet: Sheet, doc: Document, findings: Sequence[Finding], reviews: dict[str, Review]) -> None:
    """序号 runs on over the sheet's parts and the workbooks before it (Sheet.numbered)."""
    name = doc.name
    for f in sort_findings(findings):
        fingerprint = f.fingerprint()
        review = reviews.get(fingerprint) or Review()
        sheet.write([RUNNING, doc.unit or "", f.project or "（全文）", f.period or "",
                     f.level1 or "", f.level2 or "", f.level3 or "", f.value or "", f.severity,
                     KIND_LABELS.get(f.kind, f.kind), f.rule, f.message, f.suggestion, review.verdict,
                     review.remark, review.reply, f.basis, f.location.where or "", name,
                     f.location.line or "", fingerprint],
                    fmt={ISSUE_COLUMNS.index("严重程度"): sheet.formats[f.severity]})


def _rows_of(doc: Document) -> Iterable[tuple[str, Indicator]]:
    for o in doc.overall:
        for r in o.indicators:
            yield OVERALL_TABLE, r
    for p in doc.projects:
        for r in (*p.indicators, *p.annual_indicators):
            yield p.name, r


def write_details(sheet: Sheet, doc: Document, findings: Sequence[Finding], comments: bool = False) -> None:
    """Every indicator; a flagged value coloured by its worst finding, and the findings' codes and kinds
    in 问题 (a column filters and prints). With `comments` (a unit's own workbook, a few hundred rows)
    the value's cell comment also gives each finding's message and suggestion: in a batch's summary
    those repeat 问题清单, and tens of thousands of comments make Excel and WPS slow to open a sheet."""
    by_row: dict[tuple[str | None, str | None, int | None], list[Finding]] = {}
    for f in findings:
        if f.level3 is not None:
            by_row.setdefault((f.project, f.period, f.location.line), []).append(f)
    value_col = DETAIL_COLUMNS.index("指标值")
    name = doc.name
    for table, r in _rows_of(doc):
        hits = by_row.get((table, r.period, r.line), [])
        fmt = notes = None
        if hits:
            worst = max(hits, key=lambda f: SEVERITY_ORDER[f.severity]).severity
            fmt = {value_col: sheet.formats[worst]}
            if comments:
                notes = {value_col: "\n".join(f"[{f.severity} {f.rule}] {f.message}\n建议：{f.suggestion}"
                                              for f in hits)}
        said = "；".join(dict.fromkeys(f"{f.rule} {KIND_LABELS.get(f.kind, f.kind)}" for f in hits))
        sheet.write([doc.unit or "", table, r.period, r.level1, r.level2, r.full_name or r.level3, r.value.raw,
                     VALUE_KIND_LABELS.get(r.value.kind, r.value.kind), len(hits), said, name, r.line], fmt, notes)


def excluded_sheet(wb: Any, fmts: dict[str, Any]) -> Sheet:
    sheet = Sheet(wb.add_worksheet("已排除"), EXCLUDED_LAYOUT, fmts, continued=_continued(wb, "已排除"))
    sheet.header()
    return sheet


def write_excluded(sheet: Sheet, doc: Document, suppressed: Sequence[Finding], reviews: dict[str, Review]) -> None:
    """The findings an earlier review marked 误报: not scored, not listed, but never silently gone."""
    for f in sort_findings(suppressed):
        review = reviews.get(f.fingerprint()) or Review()
        sheet.write([doc.unit or "", f.project or "（全文）", f.period or "", f.level3 or "", f.value or "", f.rule,
                     KIND_LABELS.get(f.kind, f.kind), f.message, review.verdict, review.remark, doc.name,
                     f.fingerprint()])


def finish_excluded(sheet: Sheet, title: str) -> None:
    if sheet.row == 1:
        sheet.ws.write_string(1, 0, "没有按上次审核意见排除的问题")
        sheet.row = 2
    sheet.finish(title=title, printed=EXCLUDED_PRINTED)


def finish_issues(sheet: Sheet, title: str) -> None:
    col = ISSUE_COLUMNS.index("审核意见")
    for _ in sheet.each_part():
        sheet.ws.data_validation(1, col, max(sheet.row - 1, 1), col, {
            "validate": "list", "source": list(VERDICTS), "input_title": "审核意见",
            "input_message": "确认 / 误报 / 待定"})
    sheet.finish(title=title, printed=ISSUES_PRINTED)


def summary_sheet(wb: Any, fmts: dict[str, Any], units: Sequence[UnitSummary], kinds: Counter[str], scoring: str,
                  suppressed: int, failures: int, title: str, split: Sequence[Sheet] = (), parts: int = 1) -> None:
    """The ranking (worst first), then the notes, then the chart data, then the charts: top to bottom,
    so the sheet prints in reading order (constant memory: row by row)."""
    ws = wb.get_worksheet_by_name("汇总")
    sheet = Sheet(ws, SUMMARY_LAYOUT, fmts)
    ranked = sorted(units, key=lambda u: (u.score is None, u.score or 0, -sum(u.counts.values()), u.unit))
    sheet.header()
    for rank, u in enumerate(ranked, start=1):
        sheet.write([rank, u.unit, u.year or "", u.file, u.projects, u.indicators, u.counts.get("错误", 0),
                     u.counts.get("警告", 0), u.counts.get("提示", 0), sum(u.counts.values()),
                     "" if u.score is None else u.score, u.grade])
    ranking_end = sheet.row
    notes = [f"共审核 {len(units)} 份文件；处理失败 {failures} 份（见“处理失败”）。",
             f"按上次审核意见（--baseline）排除误报 {suppressed} 条（见“已排除”）。" if suppressed
             else "本次没有按上次审核意见排除误报（可用 --baseline 上次的审核汇总.xlsx）。",
             f"得分：{scoring}"]
    notes += [f"“{part.names[0]}”共 {part.count} 行，超过一张工作表的上限（{part.row_limit:,} 行），"
              f"依次接续在：{'、'.join(f'“{n}”' for n in part.names[1:])}。" for part in split if len(part.names) > 1]
    if parts > 1:
        notes.append(f"问题清单和指标明细的行较多，分在本工作簿和其后 {parts - 1} 个工作簿"
                     f"（审核汇总{PART_SUFFIX.format(n=2)}.xlsx 起）中，各部分所含文件见“说明”。")
    sheet.row += 1
    for text in notes:
        sheet.paragraph(text, fmts["text"])
    sheet.row += 1
    top_kinds = kinds.most_common(20)
    kinds_at = _small_table(sheet, ["问题类型", "问题数"], [[k, n] for k, n in top_kinds])
    top = ranked[:30]
    labels = _unique_labels(top)
    units_at = _small_table(sheet, ["单位（年度）", "错误", "警告", "提示"],
                            [[label, u.counts.get("错误", 0), u.counts.get("警告", 0), u.counts.get("提示", 0)]
                             for label, u in zip(labels, top, strict=True)])
    chart_row = sheet.row + 1
    if top_kinds:
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"name": "问题数", "categories": ["汇总", kinds_at, 1, kinds_at + len(top_kinds) - 1, 1],
                          "values": ["汇总", kinds_at, 2, kinds_at + len(top_kinds) - 1, 2],
                          "fill": {"color": "#5B9BD5"}})
        chart.set_title({"name": "问题类型分布", "name_font": {"size": 12}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
        chart.set_size({"width": 760, "height": max(280, 20 * len(top_kinds) + 80)})
        ws.insert_chart(chart_row, 1, chart)
        chart_row += max(14, len(top_kinds) + 5)
    if top:
        chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
        for col, severity in enumerate(("错误", "警告", "提示"), start=2):
            chart.add_series({"name": severity, "categories": ["汇总", units_at, 1, units_at + len(top) - 1, 1],
                              "values": ["汇总", units_at, col, units_at + len(top) - 1, col],
                              "fill": {"color": FILL[severity]}, "border": {"color": "#808080"}})
        chart.set_title({"name": "各单位问题数（得分最低的在前）", "name_font": {"size": 12}})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": max(280, 24 * len(top) + 100)})
        ws.insert_chart(chart_row, 1, chart)
        chart_row += max(14, int(len(top) * 1.2) + 7)
    ws.freeze_panes(1, 0)
    if ranking_end > 1:
        ws.autofilter(0, 0, ranking_end - 1, len(SUMMARY_LAYOUT) - 1)
    page_setup(ws, landscape=True, widths=[c.width for c in SUMMARY_LAYOUT], title=title, last_row=chart_row,
               last_col=len(SUMMARY_LAYOUT) - 1)


def _small_table(sheet: Sheet, header: list[str], rows: list[list[Any]]) -> int:
    """A table under the ranking (columns B…), for the charts and for reading; the first data row."""
    ws, fmts = sheet.ws, sheet.formats
    if not rows:
        return sheet.row
    for col, title in enumerate(header, start=1):
        ws.write_string(sheet.row, col, title, fmts["header"])
    sheet.row += 1
    first = sheet.row
    for values in rows:
        for col, value in enumerate(values, start=1):
            if isinstance(value, str):
                ws.write_string(sheet.row, col, clean(value), fmts["wrap"])
            else:
                ws.write_number(sheet.row, col, value, fmts["plain"])
        sheet.row += 1
    sheet.row += 1
    return first


def _unique_labels(units: Sequence[UnitSummary]) -> list[str]:
    """Chart labels: unit and year, and the file where even those repeat (no two bars named alike)."""
    counts = Counter(u.label for u in units)
    return [u.label if counts[u.label] == 1 else f"{u.label} {u.file}" for u in units]


def failure_sheet(wb: Any, fmts: dict[str, Any], failures: Sequence[tuple[str, str]], title: str) -> None:
    sheet = Sheet(wb.add_worksheet("处理失败"), [Column("文件", 50, wrap=True), Column("原因", 80, wrap=True)], fmts)
    sheet.header()
    for path, reason in failures:
        sheet.write([path, reason])
    if not failures:
        sheet.ws.write_string(1, 0, "没有处理失败的文件")
        sheet.row = 2
    sheet.finish(title=title)


PART_SUFFIX = "_第{n}部分"  # 审核汇总_第2部分.xlsx: findings and indicators past one workbook's sheets
# Rows a part's sheet takes before the next part begins: well inside Excel's limit, so a part opens in
# Excel or WPS in reasonable time, and the cell comments XlsxWriter holds until a workbook closes stay
# a few hundred MB at most.
PART_ROWS = 200_000


def part_paths(summary: Path) -> list[Path]:
    """The part workbooks an earlier run wrote beside `summary` (rows that did not fit its sheets)."""
    pattern = re.compile(re.escape(summary.stem) + PART_SUFFIX.format(n=r"\d+") + re.escape(summary.suffix) + "$")
    try:
        return sorted(p for p in summary.parent.iterdir() if pattern.match(p.name))
    except OSError:
        return []


@dataclass
class RowPart:
    """One workbook's share of the batch's rows (问题清单, 指标明细, 已排除): a run of whole documents
    in input order, so a region's or department's folder stays together."""

    number: int
    file: str  # the workbook's name
    issues: Sheet
    details: Sheet
    excluded: Sheet
    numbered: int = 0  # findings listed in the parts before this one (序号 runs on)
    documents: int = 0
    units: set[str] = field(default_factory=set)
    folders: list[str] = field(default_factory=list)  # in order, each once per run of its files
    first: str = ""
    last: str = ""

    def fits(self, findings: int, indicators: int, suppressed: int) -> bool:
        """Whether a document's rows all fit before any sheet reaches its limit (an empty part takes
        any document; one too big for a whole sheet continues on 问题清单 (2)…)."""
        return self.documents == 0 or all(
            sheet.row + rows <= min(sheet.row_limit, PART_ROWS)
            for sheet, rows in ((self.issues, findings), (self.details, indicators), (self.excluded, suppressed)))

    def __post_init__(self) -> None:
        self.issues.numbered = self.numbered

    def add(self, doc: Document, findings: Sequence[Finding], suppressed: Sequence[Finding],
            reviews: dict[str, Review]) -> None:
        write_issues(self.issues, doc, findings, reviews)
        write_details(self.details, doc, findings)
        write_excluded(self.excluded, doc, suppressed, reviews)
        self._took(doc.path, doc.unit)

    def replay(self, rows: RenderedRows) -> None:
        for sheet, rendered in ((self.issues, rows.issues), (self.details, rows.details),
                                (self.excluded, rows.excluded)):
            sheet.replay(rendered)
        self._took(rows.path, rows.unit)

    def _took(self, path: str, unit: str | None) -> None:
        self.documents += 1
        self.units.add(unit or "（单位未识别）")
        folder = str(Path(path).parent)
        if not self.folders or self.folders[-1] != folder:
            self.folders.append(folder)
        self.first = self.first or path
        self.last = path

    def finish(self, title: str) -> None:
        """`title`: the summary's; a later part's sheets say which part they are."""
        title = f"{title}（第{self.number}部分）" if self.number > 1 else title
        finish_issues(self.issues, f"{title}：问题清单")
        self.details.finish(title=f"{title}：指标明细", printed=DETAILS_PRINTED)
        finish_excluded(self.excluded, f"{title}：已排除的问题")

    def release(self) -> None:
        """Keep only the figures of a part whose workbook is closed (not its worksheets and comments)."""
        self.issues, self.details, self.excluded = (
            Written(s.count, s.row_limit) for s in (self.issues, self.details, self.excluded))  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Written:
    """What 说明 needs of a closed part's sheet."""

    count: int
    row_limit: int


Rows = tuple[tuple[bytes, "dict[int, str] | None"], ...]  # rendered rows (rows.py) with their cell comments


@dataclass(frozen=True, slots=True)
class RenderedRows:
    """A document's rows on the summary's sheets as they were placed, with what the ranking needs of
    it: stored, so an unchanged document is placed again in a later run without being read."""

    path: str
    unit: str | None
    summary: UnitSummary
    kinds: tuple[str, ...]
    issues: Rows
    details: Rows
    excluded: Rows

    def as_bytes(self) -> bytes:
        """Stored form: a JSON head (figures, and each row's comments by its index) and each sheet's
        rows as they are, between separators no cell can hold (clean() removes them), so reading it
        back is a split, not a JSON parse of every row's markup."""
        s = self.summary
        sheets = (self.issues, self.details, self.excluded)
        head = {"path": self.path, "unit": self.unit, "kinds": list(self.kinds),
                "summary": [s.unit, s.year, s.file, s.projects, s.indicators, s.counts, s.score, s.grade],
                "notes": [[[i, sorted(notes.items())] for i, (_, notes) in enumerate(rows) if notes]
                          for rows in sheets]}
        texts = (_ROW.join([xml for xml, _ in rows]) for rows in sheets)
        return _PART.join([json.dumps(head, ensure_ascii=False).encode("utf-8"), *texts])

    @classmethod
    def from_bytes(cls, data: bytes) -> RenderedRows:
        """The rows `as_bytes` stored; ValueError when the data is not that."""
        try:
            head_text, *parts = data.split(_PART)
            head = json.loads(head_text)
            unit, year, file, projects, indicators, counts, score, grade = head["summary"]
            sheets = []
            for part, notes in zip(parts, head["notes"], strict=True):
                found = {int(i): {int(col): note for col, note in cells} for i, cells in notes}
                sheets.append(tuple((xml, found.get(i)) for i, xml in enumerate(part.split(_ROW) if part else ())))
            issues, details, excluded = sheets
            summary = UnitSummary(unit, year, file, projects, indicators, dict(counts), score, grade)
            return cls(head["path"], head["unit"], summary, tuple(head["kinds"]), issues, details, excluded)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not stored rows: {exc}") from exc


_PART, _ROW = b"\x1e", b"\x1f"  # between a stored document's sheets, and its rows


def indicator_count(doc: Document) -> int:
    return sum(len(p.indicators) + len(p.annual_indicators) for p in doc.projects) + sum(
        len(o.indicators) for o in doc.overall)


def _rows(part: RowPart, doc: Document, findings: Sequence[Finding], score: float, grade: str,
          suppressed: Sequence[Finding], reviews: dict[str, Review]
          ) -> tuple[UnitSummary, tuple[str, ...], RenderedRows | None]:
    """Write a document's rows to a part's sheets: its line in the ranking, the kinds of its findings
    and the rows as rendered (None when some sheet wrote them cell by cell)."""
    sheets = (part.issues, part.details, part.excluded)
    for sheet in sheets:
        sheet.recorded = []
    part.add(doc, findings, suppressed, reviews)
    recorded = [sheet.recorded for sheet in sheets]
    for sheet in sheets:
        sheet.recorded = None
    kinds = tuple(KIND_LABELS.get(f.kind, f.kind) for f in findings)
    scored = bool(doc.projects or doc.overall)
    summary = UnitSummary(doc.unit or "（单位未识别）", doc.year, doc.name, len(doc.projects), indicator_count(doc),
                          dict(Counter(f.severity for f in findings)), score if scored else None,
                          grade if scored else "未找到绩效目标表")
    if any(rows is None for rows in recorded):
        return summary, kinds, None
    return summary, kinds, RenderedRows(doc.path, doc.unit, summary, kinds, *(tuple(rows) for rows in recorded))


class RowRenderer:
    """A document's rows for the summary's sheets, rendered where it was audited (a worker) and placed
    nowhere: the batch's one writer only places them. Their style numbers are those formats() fixes
    in every workbook; the sheets start afresh for each document."""

    def __init__(self, reviews: dict[str, Review]) -> None:
        self.reviews = reviews
        self._fresh()

    def _fresh(self) -> None:
        import io

        import xlsxwriter

        wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True, **xlsx_options()})  # never written
        fmts = formats(wb)
        self.part = RowPart(1, "", issue_sheet(wb, fmts), detail_sheet(wb, fmts), excluded_sheet(wb, fmts))
        for sheet in (self.part.issues, self.part.details, self.part.excluded):
            sheet.detach()

    def render(self, doc: Document, findings: Sequence[Finding], score: float, grade: str,
               suppressed: Sequence[Finding] = ()) -> RenderedRows | None:
        """The rows as SummaryWorkbook.add records them; None when one cannot be rendered (the writer
        then writes the document itself)."""
        for sheet in (self.part.issues, self.part.details, self.part.excluded):
            sheet.row, sheet.count = 1, 0
        self.part.units.clear()
        self.part.folders.clear()
        _, _, rows = _rows(self.part, doc, findings, score, grade, suppressed, self.reviews)
        if rows is None:
            self._fresh()  # let go of whatever cells that document left in the sheets
        return rows


PARTS_LAYOUT = (
    Column("部分", 5), Column("工作簿", 26, wrap=True), Column("文件数", 6), Column("单位数", 6),
    Column("问题清单行数", 8), Column("指标明细行数", 8), Column("已排除行数", 7), Column("文件夹", 30, wrap=True),
    Column("第一份文件", 30, wrap=True), Column("最后一份文件", 30, wrap=True),
)


def parts_sheet(wb: Any, fmts: dict[str, Any], parts: Sequence[RowPart], title: str) -> None:
    """说明: where each part of the rows is (the ranking in 汇总 covers every unit, whatever the part)."""
    sheet = Sheet(wb.add_worksheet("说明"), PARTS_LAYOUT, fmts)
    sheet.header()
    for part in parts:
        folders = part.folders
        sheet.write([part.number, part.file, part.documents, len(part.units), part.issues.count,
                     part.details.count, part.excluded.count,
                     "、".join(folders[:20]) + (f" 等 {len(folders)} 个" if len(folders) > 20 else ""),
                     part.first, part.last])
    rows = sheet.row
    sheet.row += 1
    sheet.paragraph(f"问题清单、指标明细和已排除的行较多，每个工作簿的每张表最多 "
                    f"{min(parts[0].issues.row_limit, PART_ROWS):,} 行（Excel 的上限是 {EXCEL_ROWS:,} 行），"
                    f"按输入顺序（同一文件夹的文件相邻，一份文件的行不拆开）分在以上 {len(parts)} 个工作簿中，"
                    "序号接续；“汇总”的排名和统计包括全部单位。", fmts["text"])
    sheet.finish(title=f"{title}：说明")
    sheet.ws.autofilter(0, 0, rows - 1, len(PARTS_LAYOUT) - 1)


class SummaryWorkbook:
    """审核汇总.xlsx, fed one document at a time. When a document's rows would push 问题清单, 指标明细 or
    已排除 past PART_ROWS (or Excel's row limit), its rows and the next ones go to a new workbook beside it
    (审核汇总_第2部分.xlsx…); the 汇总 ranking stays whole here and a 说明 sheet lists the parts."""

    TITLE = "预算绩效目标审核汇总"

    def __init__(self, path: Path, reviews: dict[str, Review] | None = None, scoring: str = "",
                 office: str = "") -> None:
        self.path = path
        self.scoring = scoring  # how scores are made under the profile in force (Profile.explain_scores)
        self.reviews = reviews or {}
        self.title = f"{office} {self.TITLE}".strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.wb, self.tmp = self._workbook(path)
        self.formats = formats(self.wb)
        self.wb.add_worksheet("汇总")
        self.parts = [self._part(self.wb, self.formats, 1, path.name)]
        self.book: Any = None  # the open part workbook after the first, if any
        self.books: list[tuple[Path, Path]] = []  # the parts' workbooks after the first: (temporary, final)
        self.units: list[UnitSummary] = []
        self.kinds: Counter[str] = Counter()
        self.failures: list[tuple[str, str]] = []

    @staticmethod
    def _workbook(path: Path) -> tuple[Any, Path]:
        tmp = temporary_path(path)  # a killed run's leftover is recognised and removed next time
        return streamed_workbook(str(tmp), xlsx_options()), tmp

    @staticmethod
    def _part(wb: Any, fmts: dict[str, Any], number: int, name: str, numbered: int = 0) -> RowPart:
        return RowPart(number, name, issue_sheet(wb, fmts), detail_sheet(wb, fmts), excluded_sheet(wb, fmts), numbered)

    def _next_part(self) -> RowPart:
        """Close the full part's workbook and start the next."""
        full = self.parts[-1]
        full.finish(self.title)
        self._close_part()
        number = full.number + 1
        final = self.path.with_name(f"{self.path.stem}{PART_SUFFIX.format(n=number)}{self.path.suffix}")
        wb, tmp = self._workbook(final)
        fmts = formats(wb)
        notes = Sheet(wb.add_worksheet("说明"), [Column("说明", 100, wrap=True)], fmts)
        notes.write([f"本工作簿是{self.path.name}的第{number}部分：问题清单、指标明细和已排除中接着上一部分的文件。"
                     f"排名、统计和各部分所在见 {self.path.name} 的“汇总”和“说明”工作表。"])
        notes.finish(title=f"{self.title}（第{number}部分）")
        self.book = wb
        self.books.append((tmp, final))
        part = self._part(wb, fmts, number, final.name, full.numbered + full.issues.count)
        self.parts.append(part)
        return part

    def _close_part(self) -> None:
        """Write out the open part workbook (after the first) and let its worksheets go."""
        if self.book is not None:
            self.book.close()
            self.book = None
            self.parts[-1].release()

    def add(self, doc: Document, findings: Sequence[Finding], score: float, grade: str,
            suppressed: Sequence[Finding] = ()) -> RenderedRows | None:
        """A document's rows; they are returned as placed (for a later run to replay), unless some
        sheet had to write them cell by cell."""
        part = self.parts[-1]
        if not part.fits(len(findings), indicator_count(doc), len(suppressed)):
            part = self._next_part()
        summary, kinds, rows = _rows(part, doc, findings, score, grade, suppressed, self.reviews)
        self._took(summary, kinds)
        return rows

    def replay(self, rows: RenderedRows) -> None:
        """Place a document's rows as an earlier run rendered them."""
        part = self.parts[-1]
        if not part.fits(len(rows.issues), len(rows.details), len(rows.excluded)):
            part = self._next_part()
        part.replay(rows)
        self._took(rows.summary, rows.kinds)

    def _took(self, summary: UnitSummary, kinds: Sequence[str]) -> None:
        self.kinds.update(kinds)
        self.units.append(summary)

    def fail(self, path: str, reason: str) -> None:
        self.failures.append((path, reason))

    def close(self, suppressed: int = 0, comparisons: Iterable[Comparison] | None = None,
              groups: Sequence[SimilarGroup] | None = None) -> list[Path]:
        """Write and rename every workbook; the paths (this one first, then its parts). Parts an earlier
        run left beyond this run's are removed, so the folder never mixes two runs' rows."""
        from .across import write_comparisons, write_similar

        self.parts[-1].finish(self.title)
        self._close_part()
        first = self.parts[0]
        summary_sheet(self.wb, self.formats, self.units, self.kinds, self.scoring, suppressed, len(self.failures),
                      self.title, (first.issues, first.details, first.excluded), len(self.parts))
        if comparisons is not None:
            write_comparisons(self.wb, self.formats, comparisons, f"{self.title}：年度对比")
        if groups is not None:
            write_similar(self.wb, self.formats, groups, f"{self.title}：相似填报")
        failure_sheet(self.wb, self.formats, self.failures, f"{self.title}：处理失败")
        if len(self.parts) > 1:
            parts_sheet(self.wb, self.formats, self.parts, self.title)
        self.wb.close()
        written = [self.path, *(final for _, final in self.books)]
        for stale in set(part_paths(self.path)) - set(written):
            stale.unlink(missing_ok=True)
        for tmp, final in [(self.tmp, self.path), *self.books]:
            os.chmod(tmp, 0o666 & ~umask())  # the temporary name was made private; the report is not
            os.replace(tmp, final)
        return written

    def abort(self) -> None:
        """A batch that failed midway: no workbook or part of it is left behind."""
        for tmp in [self.tmp, *(tmp for tmp, _ in self.books)]:
            tmp.unlink(missing_ok=True)


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM\d|LPT\d)(\..*)?$", re.IGNORECASE)


def safe_file_name(name: str, fallback: str = "未识别单位") -> str:
    """A file name from a unit name: no separators, no '..', no reserved device names, at most 80
    characters and 180 bytes (room for '.xlsx', a '_2' and any file system's 255-byte limit)."""
    name = _UNSAFE_NAME.sub("_", clean(name)).strip(" .")
    name = name.replace("..", "_")
    if not name or _RESERVED.match(name):
        name = f"{fallback}_{name}" if name else fallback
    name = name[:80]
    while len(name.encode("utf-8", "replace")) > 180:
        name = name[:-1]
    return name.rstrip(" .") or fallback
