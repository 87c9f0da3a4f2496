"""修改建议.xlsx: a unit's own tables in the fill-in template's layout (`auditor template`), each flagged
value replaced by a proposal, the original beside it, every proposal marked for the unit to confirm;
then what was changed and why, and what is left for the unit to write itself. `auditor check` reads
the workbook back like any filled-in template."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..model import Document, Finding, Indicator, Project, Proposal
from ..output import atomic_writer
from ..template import COLUMNS, LEVEL1, LEVEL2
from ..textnorm import normalise
from .records import sort_findings
from .sheets import Column, Sheet, formats, xlsx_options

EXTRA = (("原指标值", 14), ("修改说明", 40), ("需确认", 8))
WIDTHS = {title: width for title, width, *_ in (*COLUMNS, *EXTRA)}
NOTES_LAYOUT = (
    Column("序号", 5), Column("项目", 24, wrap=True), Column("期间", 6), Column("三级指标", 20, wrap=True),
    Column("原指标值", 14, wrap=True), Column("建议值", 16, wrap=True), Column("依据", 36, wrap=True),
    Column("针对的问题", 10, wrap=True),
)
LEFT_LAYOUT = (
    Column("序号", 5), Column("项目", 24, wrap=True), Column("三级指标", 18, wrap=True),
    Column("指标值", 14, wrap=True), Column("严重程度", 6), Column("规则", 6), Column("问题说明", 40, wrap=True),
    Column("修改建议", 40, wrap=True),
)
GUIDE = [
    "修改建议（由 auditor fix 生成，请逐条确认后再填报）",
    "1. “绩效目标”表是本单位各项目的绩效指标，版式与 auditor template 的填报模板相同；黄色的指标值是建议修改的值，"
    "原来的值在“原指标值”列，理由在“修改说明”列；新增的指标整行为绿色。",
    "2. 建议值来自本项目自己的文字（实施计划、目标中的时限，项目资金÷数量得出的单位成本），其次是审核口径的常用值，"
    "或指标库中同类项目的常用值。请按实际情况核对，确认后把“需确认”一列清空。",
    "3. “需单位修改”表列出无法代为提出建议的问题（如效益指标的具体幅度），需要单位自己补充。",
    "4. 改好后运行：auditor check 本文件.xlsx ，检查是否还有问题。",
]


def _rows(p: Project) -> list[Indicator]:
    return [*p.indicators, *p.annual_indicators]


def _meta(p: Project) -> dict[str, object]:
    funds = p.funds
    period = funds.in_yuan(funds.period_total) if funds else None
    annual = funds.in_yuan(funds.annual_total) if funds else None
    return {"主管部门": p.department or "", "实施单位": p.implementer or "", "项目属性": p.attribute or "",
            "项目期": p.duration or "", "实施期资金总额": period, "年度资金总额": annual,
            "年度目标": p.goal_annual or p.goal_period or ""}


def write_fix_workbook(path: Path, doc: Document, proposals: Sequence[Proposal], left: Sequence[Finding]) -> None:
    """Write 修改建议.xlsx atomically."""
    import xlsxwriter

    titles = [c[0] for c in COLUMNS] + [e[0] for e in EXTRA]
    col = {t: i for i, t in enumerate(titles)}
    by_row = {(p.project, p.period, p.line): p for p in proposals if p.original is not None}
    added: dict[str, list[Proposal]] = {}
    for p in proposals:
        if p.original is None:
            added.setdefault(p.project, []).append(p)
    with atomic_writer(path, binary=True) as handle:
        wb = xlsxwriter.Workbook(handle, {"in_memory": True, **xlsx_options()})
        fmts = formats(wb)
        changed = wb.add_format({"bg_color": "#FFF2CC", "border": 1, "text_wrap": True, "valign": "top"})
        new_row = wb.add_format({"bg_color": "#E2EFDA", "border": 1, "text_wrap": True, "valign": "top"})
        ws = wb.add_worksheet("绩效目标")
        for c, title in enumerate(titles):
            ws.write_string(0, c, title, fmts["header"])
            ws.set_column(c, c, WIDTHS.get(title, 12))
        r = 1
        for project in doc.projects:
            first = True
            for row in _rows(project):
                proposal = by_row.get((project.name, row.period, row.line))
                period = row.period if project.has_annual_columns else "实施期"  # one column set reads as 实施期
                values: dict[str, object] = {"项目名称": project.name, "期间": period,
                                             "一级指标": proposal.level1 if proposal else row.level1,
                                             "二级指标": proposal.level2 if proposal else row.level2,
                                             "三级指标": row.full_name or row.level3,
                                             "指标值": proposal.proposed if proposal else row.value.text}
                if first:
                    values.update(_meta(project))
                    first = False
                if proposal is not None:
                    values.update({"原指标值": row.value.raw, "需确认": "请确认",
                                   "修改说明": f"{proposal.source}（{'、'.join(proposal.rules)}）"})
                _write_row(ws, r, col, values, {"指标值": changed} if proposal else {})
                r += 1
            for proposal in added.get(project.name, []):
                values = {"项目名称": project.name, "期间": proposal.period, "一级指标": proposal.level1,
                          "二级指标": proposal.level2, "三级指标": proposal.level3, "指标值": proposal.proposed,
                          "原指标值": "（新增）", "修改说明": f"{proposal.source}（{'、'.join(proposal.rules)}）",
                          "需确认": "请确认"}
                if first:
                    values.update(_meta(project))
                    first = False
                _write_row(ws, r, col, values, {t: new_row for t in titles})
                r += 1
        lists = {"期间": ["实施期", "年度"], "一级指标": LEVEL1, "二级指标": list(LEVEL2)}
        for title, source in lists.items():
            ws.data_validation(1, col[title], max(r, 2), col[title],
                               {"validate": "list", "source": source, "error_type": "warning"})
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(r - 1, 1), len(titles) - 1)
        _notes(wb, fmts, proposals)
        _left(wb, fmts, left)
        guide = wb.add_worksheet("填写说明")
        guide.set_column(0, 0, 120)
        for i, text in enumerate(GUIDE):
            guide.write_string(i, 0, text)
        wb.close()


def _write_row(ws, r: int, col: dict[str, int], values: dict[str, object], fmt: dict) -> None:
    from .sheets import clean

    for title, value in values.items():
        cell_format = fmt.get(title)
        if isinstance(value, (int, float)):
            ws.write_number(r, col[title], value, cell_format)
        elif value not in (None, ""):
            ws.write_string(r, col[title], clean(value), cell_format)
        elif cell_format is not None:
            ws.write_blank(r, col[title], None, cell_format)


def _notes(wb, fmts, proposals: Sequence[Proposal]) -> None:
    sheet = Sheet(wb.add_worksheet("修改说明"), NOTES_LAYOUT, fmts)
    sheet.header()
    for i, p in enumerate(proposals, start=1):
        sheet.write([i, p.project, p.period, p.level3, p.original if p.original is not None else "（新增）",
                     p.proposed, p.source, "、".join(p.rules)])
    if not proposals:
        sheet.ws.write_string(1, 0, "没有需要代为提出建议的指标")
        sheet.row = 2
    sheet.finish(title="修改说明")


def _left(wb, fmts, left: Sequence[Finding]) -> None:
    sheet = Sheet(wb.add_worksheet("需单位修改"), LEFT_LAYOUT, fmts)
    sheet.header()
    for i, f in enumerate(sort_findings(left), start=1):
        sheet.write([i, f.project or "（全文）", f.level3 or "", f.value or "", f.severity, f.rule, f.message,
                     f.suggestion], fmt={4: fmts[f.severity]})
    if not left:
        sheet.ws.write_string(1, 0, "其余问题都已在“绩效目标”表中提出修改建议")
        sheet.row = 2
    sheet.finish(title="需单位修改")


def answered(findings: Sequence[Finding], proposals: Sequence[Proposal]) -> tuple[list[Finding], list[Finding]]:
    """The findings a proposal answers (its row and one of its rules, or the table and the rule of a row it
    adds), and the rest, for the unit to fix itself."""
    rows: dict[tuple, set[str]] = {}
    for p in proposals:
        if p.original is not None:
            rows.setdefault((p.project, p.period, p.line), set()).update(p.rules)
            rows.setdefault((p.project, normalise(p.level3), p.original), set()).update(p.rules)
    tables = {(p.project, rule) for p in proposals for rule in p.rules}  # a moved or added row answers its table
    done, left = [], []
    for f in findings:
        if f.level3 is not None:
            rules = rows.get((f.project, f.period, f.location.line), set()) | rows.get(
                (f.project, normalise(f.level3), f.value), set())
            hit = f.rule in rules
        else:
            hit = (f.project, f.rule) in tables
        (done if hit else left).append(f)
    return done, left
