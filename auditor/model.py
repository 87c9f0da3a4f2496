"""Typed, immutable records shared by every stage (read → extract → check → report).

Extraction parses the text once; later stages read these records and never re-parse
document text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from .vocabulary import money_to_yuan

ValueKind = Literal[
    "quantity", "percent", "money", "deadline", "duration", "qualitative", "yesno", "empty"
]
DocumentKind = Literal["budget", "final"]
Period = Literal["实施期", "年度"]


@dataclass(frozen=True, slots=True)
class Value:
    """A parsed 指标值. `raw` is the printed text; every other field is derived from it."""

    raw: str
    text: str  # normalised (NFKC, no whitespace), doubled print collapsed
    doubled: bool = False
    comparator: str | None = None  # one of ≥ ≤ > < =
    number: float | None = None  # as printed (3.6 in "3.6万元")
    number_high: float | None = None  # upper end of a range ("90%-95%")
    unit: str | None = None  # as printed after the number, e.g. 万元/年, %, 家
    per: str | None = None  # the part after "/" in the unit: 月, 季度, 年, 人, 户…
    kind: ValueKind = "qualitative"
    yuan: float | None = None  # money normalised to 元
    annual_yuan: float | None = None  # money per year when `per` is a time period
    approximate: bool = False  # 左右/约
    date: tuple[int | None, int | None, int | None] | None = None  # (year, month, day) of a deadline


@dataclass(frozen=True, slots=True)
class Entry:
    """What a row's platform cells say where the layout prints them apart from the value (the
    budget platform's 指标性质 / 计算符号, 计量单位, 指标解释): the platform checks each. None in a
    field: the layout has no such column."""

    nature: str | None = None  # 定量 / 定量(其他) / 定性 / 不适用, "" when the cells state none
    unit: str | None = None  # the 计量单位 cell as printed ("" blank)
    explanation: str | None = None  # the 指标解释 / 备注 cell as printed ("" blank)


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator row of one column set (实施期 or 年度)."""

    level1: str  # canonical: 产出指标, 效益指标, 满意度指标, 成本指标
    level2: str  # canonical spelling of the category (数量指标 … 服务对象满意度)
    level3: str  # as printed
    value: Value
    period: Period
    line: int  # 1-based source line
    level1_printed: str | None = None
    level2_printed: str | None = None
    full_name: str | None = None  # for a 年度 name truncated in print: the 实施期 name it continues
    mirrored: bool = False  # 年度 copy rebuilt from the 实施期 cells (the print lost its own cells)
    inherited_level2: bool = False  # the row printed no 二级 of its own
    entry: Entry | None = None  # the platform's separate cells, in layouts that print them


@dataclass(frozen=True, slots=True)
class EvaluatedIndicator(Indicator):
    """A row of a 项目支出绩效自评表: the target indicator, and how the year went."""

    adjusted: str | None = None  # 调整后指标值
    actual: str | None = None  # 实际完成值
    weight: float | None = None  # 分值
    points: float | None = None  # 得分
    deviation: str | None = None  # 偏差原因分析及改进措施


@dataclass(frozen=True, slots=True)
class Funds:
    unit: str  # 元 for 目标表 (as printed in the 项目资金 label)
    period_total: float | None
    annual_total: float | None
    period_sources: dict[str, float | None]
    annual_sources: dict[str, float | None]
    executed: float | None = None  # 自评表: 全年执行数
    execution_rate: float | None = None  # 自评表: 执行率 (%)
    execution_points: float | None = None  # 自评表: 资金执行得分
    execution_rows: tuple[tuple[str, float | None, float | None], ...] = ()  # 自评表: (资金来源, 执行率, 得分)

    def in_yuan(self, amount: float | None) -> float | None:
        return money_to_yuan(amount, self.unit)


@dataclass(frozen=True, slots=True)
class Project:
    """One 项目支出绩效目标表."""

    name: str
    line_start: int
    line_end: int
    department: str | None = None
    implementer: str | None = None
    attribute: str | None = None
    duration: str | None = None  # 项目期
    funds: Funds | None = None
    overview: str | None = None  # 项目概况
    basis: str | None = None  # 立项依据
    necessity: str | None = None  # 项目设立必要性
    measures: str | None = None  # 保证项目实施的制度、措施
    plan: str | None = None  # 项目实施计划
    goal_period: str | None = None
    goal_annual: str | None = None
    indicators: tuple[Indicator, ...] = ()
    annual_indicators: tuple[Indicator, ...] = ()
    empty_level2: tuple[str, ...] = ()
    has_annual_columns: bool = True
    filled_on: str | None = None  # 填报日期 as printed
    notes: tuple[str, ...] = ()

    @property
    def self_evaluation(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class SelfEvaluation(Project):
    """A 项目支出绩效自评表 (final accounts): the project's table of a year past, with completed values,
    weights and points; one column set, read into `indicators`."""

    RECORD_TAG: ClassVar[str] = "self_evaluation"  # how cached records tell it from a Project
    indicators: tuple[EvaluatedIndicator, ...] = ()
    score_total: float | None = None  # 总分
    score_grade: str | None = None  # 等级

    @property
    def self_evaluation(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class OverallTable:
    """One 部门(单位)整体支出绩效目标(申报)表."""

    line_start: int
    line_end: int
    department: str | None = None
    budget_total_wan: float | None = None
    basic_wan: float | None = None
    project_wan: float | None = None
    sources_wan: dict[str, float] = field(default_factory=dict)
    duties: str | None = None
    strategy: str | None = None
    tasks: tuple[tuple[str, str], ...] = ()
    annual_goal: str | None = None
    indicators: tuple[Indicator, ...] = ()
    empty_level2: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Fragment:
    """Indicator rows whose table header was lost: reported, never attached to a project."""

    line_start: int
    line_end: int
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True, slots=True)
class Declared:
    """What the narrative (十、绩效管理情况) claims about the attached tables."""

    line: int
    project_count: int | None = None
    project_amount_wan: float | None = None
    by_type: dict[str, tuple[int | None, float | None]] = field(default_factory=dict)
    published_count: int | None = None
    published_amount_wan: float | None = None
    percent_of_project_spending: float | None = None
    overall_target_tables: int | None = None
    overall_amount_wan: float | None = None


@dataclass(frozen=True, slots=True)
class BudgetFigures:
    """Spending figures stated in the narrative (支出预算情况说明), in 万元."""

    line: int
    total_wan: float | None = None
    basic_wan: float | None = None
    project_wan: float | None = None


@dataclass(frozen=True, slots=True)
class Document:
    path: str
    unit: str | None
    year: int | None
    kind: DocumentKind
    declared: Declared | None = None
    budget: BudgetFigures | None = None
    overall: tuple[OverallTable, ...] = ()
    projects: tuple[Project, ...] = ()
    fragments: tuple[Fragment, ...] = ()
    duplicate_tables: tuple[tuple[str, int, int], ...] = ()  # (name, first line, repeat line)
    # the second printings of those tables, kept as records of their own; never checked, scored or
    # counted again (every stage reads `projects`, which holds each table once)
    repeated_tables: tuple[Project, ...] = ()
    self_evaluation_tables: int = 0  # 绩效自评表 titles seen (parsed by a later stage)
    line_count: int = 0
    notes: tuple[str, ...] = ()
    places: tuple[tuple[int, str], ...] = ()  # (first line, page or sheet) of each run of lines

    def where(self, line: int | None) -> str | None:
        """The page or sheet a line is on, when the source said ("第3页", "绩效目标")."""
        if line is None:
            return None
        found = None
        for first, place in self.places:
            if first > line:
                break
            found = place
        return found

    @property
    def name(self) -> str:
        from pathlib import PurePath

        return PurePath(self.path).name


@dataclass(frozen=True, slots=True)
class Score:
    """A table's or a document's score (100 less the weighted findings) and its grade (优/良/中/差)."""

    score: float
    grade: str


Severity = Literal["错误", "警告", "提示"]
SEVERITY_ORDER: dict[str, int] = {"错误": 3, "警告": 2, "提示": 1}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: file, source line, table (project name) and row number."""

    file: str
    line: int | None = None
    table: str | None = None
    row: int | None = None  # 1-based indicator row within the table's column set
    where: str | None = None  # the page ("第3页") or sheet the line is on


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found; every output format (terminal, JSON, Excel) is built from these."""

    rule: str
    kind: str
    severity: Severity
    message: str
    suggestion: str
    basis: str
    location: Location
    project: str | None = None  # None for document-level findings
    period: str | None = None  # 实施期 / 年度 / None
    level1: str | None = None
    level2: str | None = None
    level3: str | None = None
    value: str | None = None
    source: Literal["rule", "model"] = "rule"
    confidence: float | None = None

    def fingerprint(self) -> str:
        """Stable identity across runs (rule, file, project, indicator, value), never a row number."""
        import hashlib
        import os

        key = "\x1f".join([self.rule, os.path.basename(self.location.file), self.project or "", self.period or "",
                           self.level3 or "", self.value or ""])
        return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


VERDICTS = ("确认", "误报", "待定")


@dataclass(frozen=True, slots=True)
class Review:
    """What people wrote beside one finding in an earlier workbook, matched by its fingerprint: the
    reviewer's verdict and remark (审核意见, 审核说明) and the department's reply (整改情况)."""

    verdict: str = ""
    remark: str = ""
    reply: str = ""

    def merged(self, other: Review) -> Review:
        """Both workbooks read back: what either side wrote, the later file winning on a clash."""
        return Review(other.verdict or self.verdict, other.remark or self.remark, other.reply or self.reply)


@dataclass(frozen=True, slots=True)
class Comparison:
    """A finding from comparing a project with the same unit's table of an earlier year: located in the
    new document, with what the old one said beside it. Not scored (a unit with no earlier table
    published would otherwise score better); listed on the 年度对比 sheet."""

    finding: Finding
    unit: str | None
    old_file: str
    old_year: int | None
    new_year: int | None
    old_project: str | None = None
    old_value: str | None = None  # the indicator's value in each year (None: not in that year's table,
    new_value: str | None = None  # or the finding is about the whole table)


@dataclass(frozen=True, slots=True)
class SimilarGroup:
    """Projects of different units whose indicator sets and goals are (nearly) the same: one finding per
    group, naming every member (unit, project, file)."""

    finding: Finding
    members: tuple[tuple[str, str, str], ...]
    similarity: float  # the lowest estimated Jaccard similarity of a member to the group's first


@dataclass(frozen=True, slots=True)
class Proposal:
    """A value proposed for a flagged indicator (or an indicator proposed for a table that lacks one),
    for the unit to confirm: where it came from and which findings it answers."""

    project: str
    period: str
    level1: str
    level2: str
    level3: str
    original: str | None  # None: a row the table did not have
    proposed: str
    source: str  # 本项目实施计划 / 项目资金÷数量 / 审核口径 / 指标库…
    rules: tuple[str, ...]  # the findings it answers
    line: int | None = None  # the original row's line
