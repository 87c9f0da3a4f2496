"""项目支出绩效自评表 of final-accounts documents.

The published PDFs print each landscape page as a left half and then a right half: the left half
holds 项目名称, the budget figures, 年度目标 and the indicator rows up to 分值; the right half (after
the left half's notes) holds 预算单位, 全年执行数/结余/执行率/得分 per funds row, 实际完成情况, the
得分 column with 偏差原因, and 总分/等级. Cells are cut at their column width (三级 names at about eight
characters) and neighbouring cells run together, so a row is taken apart from its end: 得分, 分值,
实际完成值, 调整后指标值, then 年初指标值 and the name. A table printed whole (one page wide) carries
得分 on each row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import vocabulary as labels
from ..model import EvaluatedIndicator, Funds, Project, SelfEvaluation
from ..sources.base import Line
from ..textnorm import normalise
from ..values import parse_value

_TITLE = re.compile(r"自评表|自评\s*$|自（")
_ACTUAL_PHRASE = re.compile(r"(部分达成预期指标并具有(一定效果)?|未达成预期指标且效果较差|未达成预期指标|达成预期指标)")
_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")
_TOTAL = re.compile(r"^(?:总\s*分\s*)?(\d+(?:\.\d+)?)\s*([优良中差])$")
_COMPARATOR = re.compile(r"[≥≤＝=<>＜＞]")
_SOURCE = {"中央": "中央", "省级": "省级", "市县": "市县", "其他": "其他", "单位自筹": "自筹"}
_SECTION_END = re.compile(r"^(总\s*分|项$|项目绩效|自评结果)")


@dataclass
class _Table:
    start: int
    title: list[str] = field(default_factory=list)
    name_cell: str = ""
    right_name: str = ""
    right_title: list[str] = field(default_factory=list)
    budget: list[list[float]] = field(default_factory=list)  # per funds row: 目标申报数, 预算编制数, 全年预算数
    budget_labels: list[str] = field(default_factory=list)
    executed: list[list[float]] = field(default_factory=list)  # per funds row: 执行数, 结余, 执行率, 得分
    goal: list[str] = field(default_factory=list)
    right_points: list[tuple[float, str]] = field(default_factory=list)
    total: tuple[float, str] | None = None
    end: int = 0


def _overlap_join(left: str, right: str) -> str:
    """'2023年区营企业离退厂级正职人员' + '年区营企业离退厂级正职人员生活补贴' → the whole name."""
    if not right:
        return left
    for k in range(min(len(left), len(right)), 2, -1):
        if left.endswith(right[:k]):
            return left + right[k:]
    for i in range(len(left)):
        if right.startswith(left[i:]) and len(left) - i >= 3:
            return left[:i] + right
    return left if len(left) >= len(right) else right


def _strip_title(text: str) -> str:
    text = normalise(text)
    return re.split(r"(项目)?(支出)?绩?效?自评|项目支出绩|项目支出$", text)[0]


def _split_row(text: str, whole_table: bool) -> tuple[str, str, str | None, str, float | None, float | None]:
    """(三级, 年初指标值, 调整后指标值, 实际完成值, 分值, 得分) from one printed row (label removed)."""
    tokens = text.split()
    points = None
    if whole_table and len(tokens) > 1 and _NUMBER.match(tokens[-1]):
        points = float(tokens.pop())
    weight = None
    last = tokens[-1] if tokens else ""
    m = re.search(r"(\d+(?:\.\d+)?)$", last)
    if m and ((len(tokens) > 1 and last == m.group(1)) or _ACTUAL_PHRASE.search(last)
              or re.search(r"[^\d.]\d{1,2}$", last)):
        digits = m.group(1)
        # '达成预期指标10', '≥95% 10', '＝2606622.39元10': the 分值 is glued to the last cell or stands alone
        if last == digits:
            weight = float(tokens.pop())
        else:
            weight = float(digits)
            tokens[-1] = last[: -len(digits)]
    if not tokens:
        return "", "", None, "", weight, points
    actual = tokens.pop()
    segments = [s for s in re.split(r"(?=[≥≤＝=<>＜＞])", actual) if s]
    if len(segments) >= 3 and all(_COMPARATOR.match(s) for s in segments[-3:]):
        # '≥200平方米≥200平方米≥200平方米': 年初值, 调整后值 and 实际值 run together
        head = "".join(tokens) + "".join(segments[:-3])
        return head, segments[-3], segments[-2], segments[-1], weight, points
    phrase = _ACTUAL_PHRASE.search(actual)
    glued_value = ""
    if phrase and phrase.start() > 0:  # '未填报部分达成预期指标并具有': 年初值 glued to the result
        glued_value, actual = actual[: phrase.start()], actual[phrase.start():]
    if not tokens:
        parts = re.split(r"(?=[≥≤＝=<>＜＞])", actual)
        if len(parts) >= 3:  # name, value, adjusted, actual all run together
            return parts[0], parts[1], parts[2] if len(parts) > 3 else None, parts[-1], weight, points
        return actual, glued_value, None, "", weight, points
    if glued_value:
        return "".join(tokens), glued_value, None, actual, weight, points
    adjusted = tokens.pop() if len(tokens) > 1 else None
    head = "".join(tokens)
    if adjusted is not None:
        pair = [s for s in re.split(r"(?=[≥≤＝=<>＜＞])", adjusted) if s]
        if len(pair) == 2 and all(_COMPARATOR.match(s) for s in pair):  # '≤50928元≤50928元': 年初值 + 调整后值
            return head, pair[0], pair[1], actual, weight, points
    if adjusted is None:
        # name + 年初值 + 调整后值 run together ('每月补贴金额合计≥25785元≥25785元')
        for k in range(len(head) // 2, 0, -1):
            if head[-2 * k:-k] == head[-k:]:
                return head[: -2 * k], head[-k:], head[-k:], actual, weight, points
        cut = [m.start() for m in _COMPARATOR.finditer(head)]
        if cut:
            return head[: cut[0]], head[cut[0]:], None, actual, weight, points
        return head, "", None, actual, weight, points
    if head.endswith(adjusted) and len(head) > len(adjusted):
        return head[: -len(adjusted)], adjusted, adjusted, actual, weight, points
    cut = [m.start() for m in _COMPARATOR.finditer(head)]
    if cut:
        return head[: cut[-1]], head[cut[-1]:], adjusted, actual, weight, points
    return head, "", adjusted, actual, weight, points


def _level(buffer: str) -> tuple[str | None, str | None]:
    """A label assembled from the narrow label column's fragments: (一级, 二级)."""
    key = normalise(buffer)
    if not key:
        return None, None
    l2 = labels.level2_of(key) or labels.level2_of(key + "标") or labels.level2_of(key.rstrip("指标"))
    if key.startswith("服务对象"):
        l2 = "服务对象满意度"
    l1 = labels.level1_of(key) or labels.level1_of(key + "标")
    if key in ("满意度", "满意度指标"):
        return "满意度指标", None
    if l2 and l1 is None:
        return None, l2
    return l1, None if l1 else l2


@dataclass
class _Row:
    level1: str
    level2: str
    name: str
    value: str
    adjusted: str | None
    actual: str
    weight: float | None
    points: float | None
    line: int


def find_tables(lines: list[Line]) -> list[Project]:
    """Every self-evaluation table, left and right halves joined, in document order."""
    tables: list[tuple[_Table, list[_Row]]] = []
    current: _Table | None = None
    rows: list[_Row] = []
    state = "none"
    label_buffer = ""
    level1 = level2 = ""
    recent: list[str] = []  # the last lines before 项目名称 / 预算单位: title fragments and the name's tail
    whole = False
    for ln in lines:
        text = ln.text.strip()
        key = normalise(text)
        if not key or re.fullmatch(r"-\d{1,3}-", key) or "决算公开" in key:
            continue
        if key.startswith("项目名称"):
            current = _Table(start=ln.number, title=[t for t in recent if _is_title(t)])
            current.name_cell = text.split(None, 1)[1] if " " in text else key[4:]
            rows = []
            tables.append((current, rows))
            state, level1, level2, label_buffer, whole, recent = "head", "", "", "", False, []
            continue
        if current is None:
            recent = [*recent[-3:], text]
            continue
        if key.startswith("预算单位") and state in ("notes", "rows"):
            titles = [t for t in recent if _is_title(t)]
            others = [t for t in recent if not _is_title(t)]
            current.right_title = titles
            current.right_name = normalise(others[-1]) if others else ""
            state, recent = "right", []
            continue
        current.end = ln.number
        if state == "head":
            funds = re.match(r"^(.*?)\s+(-?[\d.,]+(?:\s+-?[\d.,]+)+)$", text)
            if funds and "资金" in funds.group(1):
                current.budget_labels.append(normalise(funds.group(1)))
                current.budget.append([_amount(x) for x in funds.group(2).split()])
            elif key.startswith("年度目标"):
                state = "goal"
                rest = text[4:].strip().replace("实际完成情况", "").strip()
                if rest:
                    current.goal.append(rest)
            continue
        if state == "goal":
            if len(key) <= 2 and not re.search(r"\d", key):
                state = "labels"
            else:
                current.goal.append(text)
            continue
        if state == "labels":
            if key.startswith("实际完成值"):
                whole, state = "得分" in key, "rows"
            continue
        if state == "rows":
            total = _TOTAL.match(key)
            if total or _SECTION_END.match(key):
                if total:
                    current.total = (float(total.group(1)), total.group(2))
                state, recent = "notes", []
                continue
            if " " not in text and len(key) <= 8 and not re.search(r"[\d%≥≤＝=]", key):
                # the narrow label column prints '产出指' / '标', '可持续影' / '响指标': join until a label is whole
                label_buffer += key
                if key in ("满意度",) and label_buffer == key:
                    continue
                if labels.level2_of(label_buffer):  # 成本指标 on its own line is the 二级 here
                    level2, label_buffer = labels.level2_of(label_buffer), ""
                elif labels.level1_of(label_buffer) and label_buffer not in ("满意度",):
                    level1, label_buffer = labels.level1_of(label_buffer), ""
                elif label_buffer in ("指标", "标"):
                    label_buffer = ""
                continue
            first, _, rest = text.partition(" ")
            l2 = labels.level2_of(first) or labels.level2_of(first + "指标")
            if l2 and rest:
                level2, text = l2, rest
            elif normalise(first) in ("指标", "标", "响指标") and rest:
                text = rest
            if label_buffer:
                _, pending = _level(label_buffer)
                if pending is None:
                    _, pending = _level(label_buffer + "标")
                level2, label_buffer = pending or level2, ""
            name, value, adjusted, actual, weight, points = _split_row(text, whole)
            rows.append(_Row(labels.parent_of(level2) or level1, level2, name, value, adjusted, actual, weight,
                             points, ln.number))
            continue
        if state == "notes":
            recent = [*recent[-3:], text]
            continue
        if state == "right":
            numbers = text.split()
            if len(numbers) >= 3 and all(_NUMBER.match(x) for x in numbers):
                current.executed.append([_amount(x) for x in numbers])
            elif key.startswith("得分"):
                state = "points"
            continue
        if state == "points":
            total = _TOTAL.match(key)
            if total:
                current.total = (float(total.group(1)), total.group(2))
                state = "done"
                continue
            m = re.match(r"^(-?\d+(?:\.\d+)?)\s*(.*)$", text)
            if m:
                current.right_points.append((float(m.group(1)), m.group(2).strip()))
    return [_project(t, r) for t, r in tables]


def _amount(text: str) -> float:
    return float(text.replace(",", ""))


def _is_title(text: str) -> bool:
    key = normalise(text)
    return bool(_TITLE.search(key)) or key.endswith(("项目支出绩", "项目支出", "项目支出绩效"))


def _project(t: _Table, rows: list[_Row]) -> Project:
    left_name = _strip_title("".join(t.title)) if t.title else ""
    cell = normalise(t.name_cell)
    base = left_name if len(left_name) >= len(cell) and left_name.startswith(cell[:4]) else cell
    right = _strip_title("".join(t.right_title)) if t.right_title else ""
    name = (_overlap_join(base, t.right_name) if t.right_name else base) or f"（第{t.start}行的自评表）"
    if right and not name.endswith(right):
        joined = _overlap_join(name, right)
        name = joined if len(joined) <= len(name) + 2 else name
    points = [p for p, _ in t.right_points]
    deviations = [d for _, d in t.right_points]
    indicators = []
    for i, r in enumerate(rows):
        point = r.points if r.points is not None else (points[i] if i < len(points) else None)
        deviation = deviations[i] if i < len(deviations) and deviations[i] else None
        indicators.append(EvaluatedIndicator(
            level1=r.level1, level2=r.level2, level3=r.name, value=parse_value(r.value, r.name), period="年度",
            line=r.line, adjusted=r.adjusted, actual=r.actual, weight=r.weight, points=point, deviation=deviation))
    budget = t.budget
    annual = budget[0][2] if budget and len(budget[0]) >= 3 else (budget[0][-1] if budget else None)
    sources = {}
    for label_text, values in zip(t.budget_labels[1:], budget[1:], strict=False):
        for word, source in _SOURCE.items():
            if word in label_text and len(values) >= 3:
                sources[source] = values[2]
    executed = t.executed[0] if t.executed else (budget[0][3:] if budget and len(budget[0]) >= 7 else [])
    rows_by_source = t.executed or [b[3:] for b in budget if len(b) >= 7]
    execution_rows = tuple((label or "资金总额", r[2] if len(r) >= 3 else None, r[3] if len(r) >= 4 else None)
                           for label, r in zip(t.budget_labels, rows_by_source, strict=False))
    funds = Funds(unit="万元", period_total=None, annual_total=annual, period_sources={},
                  annual_sources={k: sources.get(k) for k in labels.FUNDING_SOURCES},
                  executed=executed[0] if executed else None,
                  execution_rate=executed[2] if len(executed) >= 3 else None,
                  execution_points=executed[3] if len(executed) >= 4 else None, execution_rows=execution_rows)
    return SelfEvaluation(name=name, line_start=t.start, line_end=max(t.end, t.start), funds=funds,
                          goal_annual=" ".join(t.goal) or None, annual_indicators=(), indicators=tuple(indicators),
                          has_annual_columns=False,
                          score_total=t.total[0] if t.total else None, score_grade=t.total[1] if t.total else None)
