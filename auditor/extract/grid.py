"""Rebuild indicator rows from the mangled cells of a 绩效指标 grid.

Text extraction drops empty cells, shifts columns, prints a 一级/二级 label only on the first row
of its group (or on a neighbouring row) and sometimes loses the 年度 half of a row. So a row is
read as its sequence of non-empty cells, and every way of reading that sequence as
"实施期 half + 年度 half" (each: 一级? 二级? 三级 指标值 | 二级 alone) is scored; the most
plausible reading wins. Labels then carry over from row to row, as merged cells do in print.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import product

from .. import vocabulary as labels
from ..model import Entry, Indicator, Period
from ..textnorm import normalise
from ..values import collapse_doubled, parse_value
from .columns import ColumnMap, ColumnSet, entry_of, is_sign_code, join_value

_STRONG_VALUE = re.compile(
    r"^[≥≤<>=＞＜≧≦]|^[+\-±]\d|^(不低于|不少于|不超过|不高于|大于|小于|低于|高于|至少|达到)|^\d|^[零一二两三四五六七八九十百千]+[个家人次项件户条]"
    r"|\d\s*(%|％|‰|元|万|亿|个|家|人|次|项|件|户|条|台|套|天|日|号|月|年|小时|分钟|工作日|册|份|场|所|座|km|公里|米|m|亩|吨|kg|辆|批|张|篇|期|周|处)"
)
_SHORT_QUALITATIVE = 8


@dataclass(slots=True)
class Cell:
    text: str
    norm: str
    l1: str | None
    l2: str | None
    as_value: float = 0.0  # how well the cell reads as a 指标值
    as_name: float = 0.0  # how well it reads as a 三级 name

    @classmethod
    def of(cls, text: str) -> Cell:
        return _cell(text)


@dataclass(slots=True)
class Half:
    """One column set of one printed row, as read."""

    l1: Cell | None = None
    l2: Cell | None = None
    name: Cell | None = None
    value: Cell | None = None
    junk: list[Cell] = field(default_factory=list)
    entry: Entry | None = None  # the platform cells, read by the header's columns

    @property
    def has_content(self) -> bool:
        return self.name is not None

    @property
    def empty(self) -> bool:
        return self.l1 is None and self.l2 is None and self.name is None


@lru_cache(maxsize=16384)
def _cell(text: str) -> Cell:
    """Cells are never changed once read, so one instance serves every repeat of the same text."""
    cell = Cell(text, normalise(text), labels.level1_of(text), labels.level2_of(text))
    cell.as_value = _value_fitness(cell)
    cell.as_name = _name_fitness(cell)
    return cell


def _value_fitness(cell: Cell) -> float:
    text = cell.norm
    if _STRONG_VALUE.search(text):
        return 2.0
    collapsed, doubled = collapse_doubled(text)
    if doubled:
        return 1.8
    if len(collapsed) <= _SHORT_QUALITATIVE:
        return 0.8
    return 0.0


def _name_fitness(cell: Cell) -> float:
    text = cell.norm
    if re.match(r"^[≥≤<>=＞＜≧≦]", text) or re.fullmatch(r"[\d.,%％]+", text):
        return -3.0
    score = 0.6
    if cell.l1 or cell.l2:
        score -= 0.8
    _collapsed, doubled = collapse_doubled(text)
    if doubled and len(text) <= 8:
        score -= 1.0
    return score


_PATTERNS_LEFT = [  # slots of one half: 1 = 一级, 2 = 二级, N = 三级, V = 指标值
    ("1", "2", "N", "V"), ("2", "N", "V"), ("1", "N", "V"), ("N", "V"),
    ("1", "2"), ("2",), ("1",), ("1", "2", "N"), ("2", "N"), ("N",),
]
_PATTERNS_RIGHT = [("2", "N", "V"), ("N", "V"), ("2",), ("2", "N"), ("N",), ()]


def _fit(cells: Sequence[Cell], pattern: tuple[str, ...], allow_l1: bool) -> tuple[float, Half] | None:
    """Match cells against a slot pattern; trailing cells beyond it become junk."""
    if len(cells) < len(pattern):
        return None
    half = Half()
    score = 0.0
    for slot, cell in zip(pattern, cells, strict=False):
        if slot == "1":
            if not allow_l1 or cell.l1 is None:
                return None
            score += 0.7 if cell.norm in ("满意度", "成本", "效益", "产出") else 1.0
            half.l1 = cell
        elif slot == "2":
            if cell.l2 is None:
                return None
            score += 1.0
            half.l2 = cell
        elif slot == "N":
            score += cell.as_name
            half.name = cell
        else:
            score += cell.as_value
            half.value = cell
    if half.l1 is not None and half.l1.l1 == labels.COST and not (
        half.l2 is not None and half.l2.l2 in labels.COST_SUBCATEGORIES
    ):
        return None  # 成本指标 reads as a 一级 only above 经济/社会/生态环境成本指标
    if half.l1 is not None and half.l2 is not None and half.l1.norm == half.l2.norm:
        return None
    for cell in cells[len(pattern):]:
        duplicate = half.value is not None and cell.norm == half.value.norm
        score -= 0.3 if duplicate else 1.6
        half.junk.append(cell)
    return score, half


def _mirror_bonus(left: Half, right: Half) -> float:
    bonus = 0.0
    if left.name and right.name:
        a, b = left.name.norm, right.name.norm
        if a == b or a.startswith(b) or b.startswith(a):
            bonus += 2.0
        elif a[:3] == b[:3]:
            bonus += 0.8
    if left.value and right.value and left.value.norm == right.value.norm:
        bonus += 2.0
    if left.l2 and right.l2:
        bonus += 1.0 if left.l2.l2 == right.l2.l2 else -0.5
    if left.has_content and right.empty:
        bonus -= 0.6
    if right.has_content and not left.has_content and (left.l2 is None or right.l2 is None):
        # a 年度 half beside an 实施期 half of bare labels is one half read wrongly, unless the
        # 年度 half prints its own 二级 (an 实施期 dimension left empty, a 年度 one filled)
        bonus -= 2.0
    return bonus


def read_row(cells: Sequence[Cell], two_sets: bool) -> tuple[Half, Half | None]:
    """The most plausible (实施期, 年度) reading of one row's non-empty cells."""
    if cells and all(c.norm == cells[0].norm for c in cells) and cells[0].l2:
        # "生态效益 | 生态效益 | 生态效益 …": a merged label cell repeated, nothing else
        return Half(l2=cells[0]), (Half(l2=cells[0]) if two_sets else None)
    if two_sets:
        fast = _mirrored_reading(cells)
        if fast is not None:
            return fast
    best: tuple[float, Half, Half | None] | None = None
    splits = range(len(cells) + 1) if two_sets else (len(cells),)
    for split in splits:
        left_cells, right_cells = cells[:split], cells[split:]
        lefts = [f for f in (_fit(left_cells, lp, allow_l1=True) for lp in _PATTERNS_LEFT) if f is not None]
        if not lefts:
            continue
        rights = [f for f in (_fit(right_cells, rp, allow_l1=False)
                              for rp in (_PATTERNS_RIGHT if two_sets else [()])) if f is not None]
        for left, right in product(lefts, rights):
            score = left[0] + right[0]
            if two_sets:
                score += _mirror_bonus(left[1], right[1])
            if best is None or score > best[0] + 1e-9:
                best = (score, left[1], right[1] if two_sets else None)
    if best is None:  # nothing fits: keep the text as an orphan name so it is not lost
        return Half(name=Cell.of(" ".join(c.text for c in cells))), None
    return best[1], best[2]


_LEFT_BY_SIZE = {2: ("N", "V"), 3: ("2", "N", "V"), 4: ("1", "2", "N", "V")}
_RIGHT_BY_SIZE = {2: ("N", "V"), 3: ("2", "N", "V")}


def _mirrored_reading(cells: Sequence[Cell]) -> tuple[Half, Half] | None:
    """The common case, read without search: a full 实施期 half and its 年度 twin with the same
    value and the same (or a truncated) name: 'L1? L2? 名称 值 | L2? 名称 值'."""
    n = len(cells)
    for k in {n // 2, (n + 1) // 2}:
        left_cells, right_cells = cells[:k], cells[k:]
        left_pattern, right_pattern = _LEFT_BY_SIZE.get(len(left_cells)), _RIGHT_BY_SIZE.get(len(right_cells))
        if left_pattern is None or right_pattern is None:
            continue
        if left_cells[-1].norm != right_cells[-1].norm or left_cells[-1].as_value < 0.8:
            continue
        a, b = left_cells[-2].norm, right_cells[-2].norm
        if not (a.startswith(b) or b.startswith(a)):
            continue
        if (len(left_pattern), len(right_pattern)) not in ((2, 2), (3, 3), (4, 3)):
            continue
        if any(c.l1 or c.l2 for c in (*left_cells[-2:], *right_cells[-2:])):
            continue  # a label in a name or value slot: leave it to the full search
        left = _fit(left_cells, left_pattern, allow_l1=True)
        right = _fit(right_cells, right_pattern, allow_l1=False)
        if left is None or right is None:
            continue
        if left[1].l2 is not None and left[1].l2.l2 != right[1].l2.l2:
            continue
        return left[1], right[1]
    return None


@dataclass(slots=True)
class _Side:
    period: Period
    l1: str | None = None
    l1_printed: str | None = None
    l2: str | None = None
    l2_printed: str | None = None
    rows: list[Indicator] = field(default_factory=list)
    empty: list[tuple[str, str | None]] = field(default_factory=list)  # (二级, 一级 printed)


class GridReader:
    """Feed the grid's lines one by one; collect 实施期 and 年度 indicators."""

    def __init__(self, two_sets: bool = True, cost_is_level1: bool = False) -> None:
        self.two_sets = self.printed_two_sets = two_sets
        self.cost_is_level1 = cost_is_level1
        self.left = _Side("实施期")
        self.right = _Side("年度")
        self.last_line = -10
        self.columns: ColumnMap | None = None  # from the grid's header row, when it has one
        self.previous_row: tuple[int, int, tuple[str, ...]] = (-10, 0, ())  # line, offset, cells

    def feed(self, line_number: int, raw_cells: Iterable[str]) -> bool:
        """Read one line; False when the line holds nothing of the grid."""
        raw = list(raw_cells)
        cells = [Cell.of(c) for c in raw if normalise(c)]
        while cells and (cells[0].norm in labels.GRID_ROW_LABELS):
            cells.pop(0)
        if not cells:
            return False
        if any(c.norm in labels.HEADER_WORDS for c in cells):
            columns = ColumnMap.from_header(raw)
            if columns is not None:
                self.columns = columns
                self.two_sets = len(columns.sets) == 2
            for c in cells:  # "绩效指标 | 产出指标 | 一级指标 …": a 一级 pushed into the header row
                if c.l1 and c.norm not in labels.HEADER_WORDS:
                    self.left.l1, self.left.l1_printed = c.l1, c.text
                    self.right.l1, self.right.l1_printed = c.l1, c.text
            return True
        offset = next((i for i, c in enumerate(raw) if normalise(c)), 0)
        row_key = tuple(c.norm for c in cells)
        last_line, last_offset, last_key = self.previous_row
        self.previous_row = (line_number, offset, row_key)
        if row_key == last_key and offset != last_offset and line_number - last_line <= 2:
            return True  # the same row printed again one column over (a PDF text layer's echo)
        if self._continues_previous(line_number, cells):
            self.last_line = line_number
            return True
        positional = self._positional(raw)
        left, right = positional if positional is not None else read_row(cells, self.two_sets)
        if self._completes_orphan(line_number, left, right):
            self.last_line = line_number
            return True
        self.last_line = line_number
        if positional is not None:  # cells where the header says: nothing to guess or mirror
            self._apply(self.left, left, line_number, None)
            if right is not None and not right.empty:
                self._apply(self.right, right, line_number, left)
            return True
        if right is not None and left.has_content and left.l2 is None and right.l2 is not None \
                and right.l2.l2 != self.left.l2:
            left.l2 = right.l2  # the 实施期 half lost its 二级 cell; the 年度 half prints it
        if right is not None and right.has_content and right.l2 is None and left.l2 is not None \
                and left.l2.l2 != self.right.l2:
            right.l2 = left.l2
        self._apply(self.left, left, line_number, None)
        if right is not None:
            if right.empty and left.has_content:
                mirrored = Half(l1=left.l1, l2=left.l2, name=left.name, value=left.value, entry=left.entry)
                self._apply(self.right, mirrored, line_number, None, mirrored=True)
            elif right.l2 is not None and not right.has_content and left.has_content and (
                left.l2 is not None and right.l2.l2 == left.l2.l2
            ):
                # "经济效益 | 名称 | 值 | 经济效益": the 年度 half printed only its label
                mirrored = Half(l1=left.l1, l2=left.l2, name=left.name, value=left.value, entry=left.entry)
                self._apply(self.right, mirrored, line_number, None, mirrored=True)
            else:
                self._apply(self.right, right, line_number, left)
        return True

    def _positional(self, raw: list[str]) -> tuple[Half, Half | None] | None:
        """The row read by the header's columns, when its cells sit where the header says (a table
        from Excel, Word, HTML or a clean text export); None for a row whose cells have shifted."""
        columns = self.columns
        if columns is None:
            return None
        while raw and not raw[-1].strip():
            raw = raw[:-1]
        if len(raw) > columns.width:
            # the rows print cells the header does not have (a PDF text layer dropped the 年度 half
            # of the header): the header cannot place them; read the grid as printed tables are
            self.columns, self.two_sets = None, self.printed_two_sets
            return None
        if not raw:
            return None
        used: set[int] = set()
        halves = []
        for column_set in columns.sets:
            half = _positional_half(raw, column_set, used)
            if half is None:
                return None
            halves.append(half)
        for index, text in enumerate(raw):
            if index not in used and normalise(text) and normalise(text) not in labels.GRID_ROW_LABELS:
                return None  # text where the header has no column: the row has shifted
        if all(h.empty and h.value is None for h in halves):
            return None
        if any(h.value is not None and h.name is None for h in halves):
            return None  # a value without a name: a wrapped or shifted row, for the free reading
        return halves[0], (halves[1] if len(halves) > 1 else None)

    def _continues_previous(self, line_number: int, cells: list[Cell]) -> bool:
        """A 三级 name wrapped onto the next line: '…完成改造的公建' + '单位数量'."""
        rows = self.left.rows
        if not rows or line_number - self.last_line > 2 or any(c.l1 or c.l2 for c in cells):
            return False
        if len(cells) == 1:
            fits = _value_fitness(cells[0]) < 1.5 and not _is_vague_word(cells[0].norm)
        elif len(cells) == 2 and self.two_sets:
            fits = all(_value_fitness(c) == 0.0 for c in cells)
        else:
            return False
        if not fits:
            return False
        self.left.rows[-1] = _extend_name(rows[-1], cells[0].text)
        right_rows = self.right.rows
        if right_rows and right_rows[-1].line == rows[-1].line:
            extra = cells[1].text if len(cells) == 2 else (cells[0].text if right_rows[-1].mirrored else None)
            if extra:
                right_rows[-1] = _extend_name(right_rows[-1], extra)
        return True

    def _completes_orphan(self, line_number: int, left: Half, right: Half | None) -> bool:
        """A name printed alone whose value (and name end) arrive on the next line."""
        rows = self.left.rows
        if not rows or rows[-1].value.kind != "empty" or line_number - self.last_line > 2:
            return False
        if left.l1 or left.l2 or not left.has_content or left.value is None:
            return False
        previous = rows[-1]
        rows[-1] = replace(previous, level3=previous.level3 + left.name.text,
                           value=parse_value(left.value.text, previous.level3 + left.name.text))
        right_rows = self.right.rows
        if right_rows and right_rows[-1].line == previous.line and right is not None and right.has_content:
            last = right_rows[-1]
            name = last.level3 + right.name.text
            value = right.value.text if right.value else last.value.raw
            right_rows[-1] = replace(last, level3=name, value=parse_value(value, name), mirrored=False)
        elif right_rows and right_rows[-1].line == previous.line and right_rows[-1].mirrored:
            right_rows[-1] = replace(rows[-1], period="年度", mirrored=True)
        return True

    def _apply(self, side: _Side, half: Half, line_number: int, partner: Half | None,
               mirrored: bool = False) -> None:
        if half.l1 is not None:
            side.l1, side.l1_printed = half.l1.l1, half.l1.text
        elif partner is not None and partner.l1 is not None:
            side.l1, side.l1_printed = partner.l1.l1, partner.l1.text
        inherited = half.l2 is None
        if half.l2 is not None:
            side.l2, side.l2_printed = half.l2.l2, half.l2.text
            parent = labels.parent_of(side.l2, self.cost_is_level1)
            if parent:
                side.l1 = parent
        if not half.has_content:
            if half.l2 is not None:
                side.empty.append((half.l2.l2 or half.l2.text, side.l1_printed))
            return
        level2 = side.l2 or ""
        level1 = labels.parent_of(side.l2, self.cost_is_level1) or side.l1 or ""
        name = half.name.text if half.name else ""
        value = half.value.text if half.value else ""
        side.rows.append(Indicator(
            level1=level1, level2=level2, level3=name, value=parse_value(value, name), period=side.period,
            line=line_number, level1_printed=side.l1_printed, level2_printed=side.l2_printed,
            mirrored=mirrored, inherited_level2=inherited, entry=half.entry,
        ))

    def result(self) -> tuple[list[Indicator], list[Indicator], list[str]]:
        """(实施期 rows, 年度 rows with full names linked, 二级 printed empty on the 实施期 side)."""
        left_rows = self.left.rows
        right_rows = [_link_full_name(r, left_rows) for r in self.right.rows]
        filled = {r.level2 for r in left_rows}
        empty: list[str] = []
        for level2, _ in self.left.empty:
            if level2 not in filled and level2 not in empty:
                empty.append(level2)
        return left_rows, right_rows, empty


def _positional_half(raw: list[str], columns: ColumnSet, used: set[int]) -> Half | None:
    """One column set of a row read by position, or None when a cell does not fit its column."""
    def at(index: int | None) -> str:
        if index is None:
            return ""
        used.add(index)
        return raw[index].strip() if index < len(raw) else ""

    l1, l2, name, value = at(columns.level1), at(columns.level2), at(columns.level3), at(columns.value)
    sign, nature, unit = at(columns.sign), at(columns.nature), at(columns.unit)
    at(columns.weight)
    remark = at(columns.remark)
    if (l1 and not labels.level1_of(l1)) or (l2 and not labels.level2_of(l2)):
        return None
    if (sign and not is_sign_code(sign)) or (nature and not is_sign_code(nature)) or len(normalise(unit)) > 12:
        return None
    if name and normalise(name) in labels.HEADER_WORDS:
        return None
    if name and not value and not l2 and labels.level2_of(name):
        l2, name = name, ""  # a 二级 label alone in the name column: an empty dimension, not an indicator
    if value and (labels.level1_of(value) or labels.level2_of(value)):
        return None
    sign = sign or nature  # a 指标性质 column that carries the comparator codes
    joined = join_value(sign, value, unit) if value and (sign or unit) else value
    entry = entry_of(*(text if index is not None else None for text, index in (
        (sign, columns.sign), (nature, columns.nature), (unit, columns.unit), (remark, columns.remark))))
    return Half(l1=Cell.of(l1) if l1 else None, l2=Cell.of(l2) if l2 else None,
                name=Cell.of(name) if name else None, value=Cell.of(joined) if joined else None, entry=entry)


_VAGUE_WORDS = frozenset({
    "是", "否", "有", "无", "及时", "按时", "良好", "较好", "优", "优良", "提高", "提升", "改善", "完善", "保障",
    "促进", "推动", "正常", "合规", "规范", "符合", "满足", "满意", "满意度高", "显著", "明显", "稳定", "达标", "到位",
})


def _is_vague_word(text: str) -> bool:
    collapsed, _ = collapse_doubled(text)
    return collapsed in _VAGUE_WORDS


def _extend_name(row: Indicator, tail: str) -> Indicator:
    name = row.level3 + tail
    return replace(row, level3=name, value=parse_value(row.value.raw, name))


def _link_full_name(row: Indicator, left_rows: Sequence[Indicator]) -> Indicator:
    name = normalise(row.level3)
    if not name:
        return row
    same_line = [r for r in left_rows if r.line == row.line and normalise(r.level3).startswith(name)]
    candidates = same_line or [r for r in left_rows if normalise(r.level3).startswith(name)]
    if len({r.level3 for r in candidates}) == 1 and normalise(candidates[0].level3) != name:
        return replace(row, full_name=candidates[0].level3)
    return row
