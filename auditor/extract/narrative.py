"""Facts stated in running text: unit, year, kind, the 绩效管理情况 claims, the spending split."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..model import BudgetFigures, Declared
from ..sources.base import Line
from ..textnorm import normalise

_AMOUNT = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_TITLE = re.compile(r"(\d{4})\s*年度?\s*(部门|单位)?\s*(预算|决算)\s*(公开|报告|情况)?")
_UNIT_LABEL = re.compile(r"^(?:单位名称|部门名称|预算单位|部门)[:：]\s*(\S+)")
_TABLE_YEAR = re.compile(r"^[(（]\s*(\d{4})\s*[)）]?\s*年度|^[(（]\s*(\d{4})\s*年度\s*[)）]")

_COUNT = re.compile(r"纳入(?:绩效)?目标管理的(?:二级|一级)?项目(?:共)?(\d+)个"
                    r"|绩效自评[,，]?涉及(?:二级|一级)?项目(\d+)个")
_TOTAL = re.compile(r"^[,，]?(?:共计金额|共计|涉及(?:项目)?(?:资金|金额)|资金|金额)" + _AMOUNT + r"万元")
_TYPE = re.compile(r"(其他运转类|特定目标类|基本支出类|公共服务类|运转类|事业发展类)(?:项目)?(\d+)个[,，]?"
                   r"(?:涉及)?(?:项目)?金额" + _AMOUNT + r"万元")
_PUBLISHED = re.compile(r"公开项目绩效目标(\d+)个[,，]?涉及项目金额" + _AMOUNT + r"万元")
_PERCENT = re.compile(r"占(?:部门)?(?:\(单位\)|（单位）)?项目支出总额的" + r"(\d+(?:\.\d+)?)%")
_NO_OVERALL = re.compile(r"无(?:部门|单位)?整体(?:支出)?绩效目标")
_OVERALL_ATTACHED = re.compile(r"整体(?:支出)?(?:绩效)?目标表?(?:公开情况)?见附件")
_OVERALL_UNITS = re.compile(r"(\d+)个单位[(（]包括机关[)）]编报了(?:单位|部门)?整体绩效目标"
                            r"(?:[,，]涉及资金" + _AMOUNT + "万元)?")
_SPENDING = re.compile(r"支出预算(?:总计|总额)?" + _AMOUNT + r"万元[,，。]?其中[:：]?基本支出" + _AMOUNT
                       + r"万元.{0,40}?项目支出" + _AMOUNT + r"万元")


def _num(text: str | None) -> float | None:
    return float(text.replace(",", "")) if text else None


_nfkc = normalise  # NFKC, no whitespace (cached: the same lines are read several times)


def find_unit_year_kind(lines: Sequence[Line]) -> tuple[str | None, int | None, str]:
    unit: str | None = None
    year: int | None = None
    kind = "budget"
    head = [ln for ln in lines[:80] if ln.text.strip()][:30]
    for i, ln in enumerate(head):
        m = _TITLE.search(_nfkc(ln.text))
        if not m:
            continue
        year = int(m.group(1))
        kind = "final" if m.group(3) == "决算" else "budget"
        before = _nfkc(ln.text)[: m.start()].strip()
        if len(before) >= 4:
            unit = before
        elif i > 0 and 2 <= len(_nfkc(head[i - 1].text)) <= 40 and not re.search(r"\d", head[i - 1].text):
            unit = _nfkc(head[i - 1].text)
        break
    if unit is None:
        labelled = Counter(
            m.group(1).strip() for ln in lines if "\t" not in ln.text
            for m in [_UNIT_LABEL.match(unicodedata.normalize("NFKC", ln.text).strip())] if m
        )
        if labelled:
            unit = labelled.most_common(1)[0][0]
    if year is None:
        years = Counter(
            int(y) for ln in lines for m in [_TABLE_YEAR.match(_nfkc(ln.text))] if m
            for y in m.groups() if y
        )
        if not years:
            years = Counter(int(y) for ln in lines for y in re.findall(r"(\d{4})年度", _nfkc(ln.text)))
        if years:
            year = years.most_common(1)[0][0]
    return unit, year, kind


def running_text(lines: Sequence[Line]) -> tuple[str, list[tuple[int, int]]]:
    """All running text joined (lines wrap mid-sentence in PDF text), with offsets → line numbers."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    for ln in lines:
        if "\t" in ln.text or not ln.text.strip():
            continue
        text = _nfkc(ln.text)
        offsets.append((pos, ln.number))
        parts.append(text)
        pos += len(text)
    return "".join(parts), offsets


def _line_at(offsets: list[tuple[int, int]], pos: int) -> int:
    index = bisect.bisect_right([o for o, _ in offsets], pos) - 1
    return offsets[max(index, 0)][1] if offsets else 0


def find_declared(lines: Sequence[Line], stream: tuple[str, list[tuple[int, int]]] | None = None) -> Declared | None:
    """The claims of 绩效管理情况 (project count and amount, type split, share, 整体 tables)."""
    text, offsets = stream or running_text(lines)
    found: dict[str, Any] = {}
    by_type: dict[str, tuple[int | None, float | None]] = {}
    positions: list[int] = []
    overall_tables: int | None = None
    overall_amount: float | None = None
    m = _COUNT.search(text)
    if m:
        positions.append(m.start())
        found["project_count"] = int(m.group(1) or m.group(2))
        tail = text[m.end(): m.end() + 400]
        t = _TOTAL.search(tail)
        if t:
            found["project_amount_wan"] = _num(t.group(1))
        for tm in _TYPE.finditer(tail):
            by_type.setdefault(tm.group(1), (int(tm.group(2)), _num(tm.group(3))))
        p = _PUBLISHED.search(tail)
        if p:
            found["published_count"] = int(p.group(1))
            found["published_amount_wan"] = _num(p.group(2))
        pc = _PERCENT.search(tail)
        if pc:
            found["percent"] = float(pc.group(1))
    no_overall = _NO_OVERALL.search(text)
    if no_overall:
        positions.append(no_overall.start())
        overall_tables = 0
    units = _OVERALL_UNITS.search(text)
    if units:
        positions.append(units.start())
        overall_amount = _num(units.group(2))
    attached = _OVERALL_ATTACHED.search(text)
    if attached:
        positions.append(attached.start())
        overall_tables = int(units.group(1)) if units else 1
    if not positions:
        return None
    return Declared(
        line=_line_at(offsets, min(positions)),
        project_count=found.get("project_count"),
        project_amount_wan=found.get("project_amount_wan"),
        by_type=by_type,
        published_count=found.get("published_count"),
        published_amount_wan=found.get("published_amount_wan"),
        percent_of_project_spending=found.get("percent"),
        overall_target_tables=overall_tables if overall_tables is not None else 0,
        overall_amount_wan=overall_amount,
    )


def find_budget_figures(lines: Sequence[Line],
                        stream: tuple[str, list[tuple[int, int]]] | None = None) -> BudgetFigures | None:
    text, offsets = stream or running_text(lines)
    m = _SPENDING.search(text)
    if not m:
        return None
    return BudgetFigures(line=_line_at(offsets, m.start()), total_wan=_num(m.group(1)),
                         basic_wan=_num(m.group(2)), project_wan=_num(m.group(3)))
