"""Tables printed one cell per line (an HTML or Word table copied as plain text): the grid's rows
are rebuilt before the table is read.

The header (一级指标, 二级指标, 三级指标, 指标值 … one per line) says which columns a row has. The
cells that follow are cut into rows by dynamic programming: every way of reading the next few
cells as one row (optional labels, a name, a value, a sign or unit where the header has them; a
second column set beside the first) is scored by how well each cell fits its column, and the
best cut of the whole run wins. Merged labels print once, empty cells not at all, so a row's
width is never known in advance; the cut is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import product

from .. import vocabulary as labels
from ..sources.base import Line
from ..textnorm import normalise
from .columns import ColumnMap, ColumnSet, is_sign_code, role_of
from .cut import best_cut
from .fields import PROJECT_FIELDS, SECTION_HEADING, field_of
from .grid import Cell
from .selfeval_cells import header_end, stacked_rows

_SLOTS = ("level1", "level2", "level3", "nature", "sign", "value", "unit", "weight", "remark")
_OPTIONAL = {"level1", "level2", "nature", "sign", "unit", "weight", "remark", "value"}
ROW_COST = 1.0  # each row read costs this much: fewer, fuller rows win over many thin ones
JUNK_COST = 3.0  # a cell no row can take
UNPAIRED_RIGHT = 0.5  # a 年度 half that does not mirror its 实施期 half: still likelier the same row than a new one


_BARE_NUMBER = re.compile(r"[\d.,]+")


@lru_cache(maxsize=16384)
def _is_header_word(text: str) -> bool:
    if len(text) > 16:
        return False
    k = normalise(text)
    return bool(role_of(text)) or k in labels.HEADER_WORDS or k in labels.GRID_ROW_LABELS


def _header_end(lines: Sequence[Line], start: int) -> int | None:
    """End of a run of header cells, one per line, starting at `start` (None: no such run)."""
    end = start
    while end < len(lines) and "\t" not in lines[end].text and lines[end].text.strip() \
            and _is_header_word(lines[end].text):
        end += 1
    return end if end - start >= 3 else None


def _ends_grid(line: Line) -> bool:
    text = line.text.strip()
    if "\t" in line.text:
        return True
    key = field_of(text, PROJECT_FIELDS)
    return key in ("footer", "name") or ("绩效目标" in text and text.endswith("表")) \
        or bool(SECTION_HEADING.match(normalise(text)))


@lru_cache(maxsize=32768)
def _fitness(text: str, role: str) -> float | None:
    """How well one cell fits one column (None: it cannot stand there)."""
    cell = Cell.of(text)
    if role == "level1":
        return 1.0 if cell.l1 else None
    if role == "level2":
        return 1.0 if cell.l2 else None
    if role == "level3":  # a label word scores low as a name, but a name may be one (满意度)
        return cell.as_name - (0.5 if len(cell.norm) <= 1 else 0.0)
    if role == "value":
        return None if (cell.l1 or cell.l2) else cell.as_value
    if role in ("sign", "nature"):
        return 1.0 if is_sign_code(text) else None
    if role == "unit":
        return 0.5 if len(cell.norm) <= 6 and not (cell.l1 or cell.l2 or is_sign_code(text)) else None
    if role == "weight":
        return 0.5 if cell.norm.replace(".", "", 1).isdigit() else None
    return None if (cell.l1 or cell.l2) else 0.2  # remark


def _variants(column_set: ColumnSet) -> list[tuple[str, ...]]:
    """Every way one set's row can print (its columns in the header's order): optional columns
    present or not; a 二级 label alone."""
    roles = sorted((r for r in _SLOTS if getattr(column_set, r) is not None), key=lambda r: getattr(column_set, r))
    optional = [r for r in roles if r in _OPTIONAL]
    found = []
    for keep in product((True, False), repeat=len(optional)):
        kept = {r for r, k in zip(optional, keep, strict=True) if k}
        variant = tuple(r for r in roles if r not in _OPTIONAL or r in kept)
        if "level3" in variant:
            found.append(variant)
    if column_set.level2 is not None:
        found.append(("level2",))  # an empty dimension: the label, nothing after it
        if column_set.level1 is not None:
            found.append(("level1", "level2"))
    return found


def _patterns(columns: ColumnMap) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    lefts = _variants(columns.sets[0])
    if len(columns.sets) == 1:
        return [(v, ()) for v in lefts]
    rights = [v for v in _variants(columns.sets[1]) if "level1" not in v]
    return [(a, b) for a in lefts for b in [(), *rights]]


def _score(tokens: Sequence[str], left: tuple[str, ...], right: tuple[str, ...]) -> float | None:
    if left and left[0] == "level1" and Cell.of(tokens[0]).l1 == labels.COST and not (
            len(left) > 1 and left[1] == "level2" and Cell.of(tokens[1]).l2 in labels.COST_SUBCATEGORIES):
        return None  # 成本指标 is a 一级 only above 经济/社会/生态环境成本指标; else the 二级 under 产出
    total = 0.0
    for text, role in zip(tokens, (*left, *right), strict=True):
        fit = _fitness(text, role)
        if fit is None:
            return None
        total += fit
    for half, offset in ((left, 0), (right, len(left))):
        if "value" in half and "unit" in half \
                and _BARE_NUMBER.fullmatch(normalise(tokens[offset + half.index("value")])):
            total += 1.0  # '37.1' then '万': a bare number takes the unit column beside it
    if right and "level3" in right and "level3" in left:
        a, b = normalise(tokens[left.index("level3")]), normalise(tokens[len(left) + right.index("level3")])
        if not (a == b or a.startswith(b) or b.startswith(a)):
            total -= UNPAIRED_RIGHT
    return total - ROW_COST


def segment(tokens: Sequence[str], columns: ColumnMap) -> list[list[tuple[str, int, str]]]:
    """Cut a run of cells into rows: each row a list of (column set, set index, role) per cell."""
    rows: list[list[tuple[str, int, str]]] = []
    for _, _, pattern in best_cut(len(tokens), _patterns(columns), lambda p: len(p[0]) + len(p[1]),
                                  lambda i, p: _score(tokens[i:i + len(p[0]) + len(p[1])], *p), JUNK_COST):
        if pattern is None:
            rows.append([("junk", 0, "")])
        else:
            left, right = pattern
            rows.append([("", 0, r) for r in left] + [("", 1, r) for r in right])
    return rows


def restack(lines: list[Line]) -> list[Line]:
    """Lines with every one-cell-per-line indicator grid rebuilt as one line per row."""
    if not any(_is_header_word(ln.text) for ln in lines if "\t" not in ln.text):
        return lines
    out: list[Line] = []
    i = 0
    while i < len(lines):
        grid_end = header_end(lines, i) if "\t" not in lines[i].text and _is_header_word(lines[i].text) else None
        if grid_end is not None:  # a self-evaluation grid (实际完成值, 分值, 得分 columns)
            i = _self_evaluation_grid(lines, i, grid_end, out)
            continue
        end = _header_end(lines, i) if "\t" not in lines[i].text and _is_header_word(lines[i].text) else None
        columns = ColumnMap.from_header([ln.text.strip() for ln in lines[i:end]]) if end else None
        if end is None or columns is None:
            out.append(lines[i])
            i += 1
            continue
        header = lines[i:end]
        out.append(Line(header[0].number, "\t".join(ln.text.strip() for ln in header), header[0].where))
        j = end
        run: list[Line] = []
        while j < len(lines) and not _ends_grid(lines[j]):
            if lines[j].text.strip():
                run.append(lines[j])
            j += 1
        out.extend(_rows(run, columns))
        i = j
    return out


def _self_evaluation_grid(lines: list[Line], start: int, end: int, out: list[Line]) -> int:
    """A self-evaluation grid's header and rows, one line each, appended to `out`; where the lines
    after the grid start (its 总分 row, printed one cell a line, is left for the table's reader)."""
    header = [ln.text.strip() for ln in lines[start:end]]
    out.append(Line(lines[start].number, "\t".join(header), lines[start].where))
    j = end
    run: list[Line] = []
    while j < len(lines) and not _ends_grid(lines[j]) and not normalise(lines[j].text).startswith("总分"):
        if lines[j].text.strip():
            run.append(lines[j])
        j += 1
    at = 0
    for row in stacked_rows([ln.text.strip() for ln in run], header):
        if row is None:
            out.append(run[at])
            at += 1
            continue
        width = sum(1 for cell in row if cell)
        out.append(Line(run[at].number, "\t".join(row), run[at].where))
        at += width
    return j


def _rows(run: list[Line], columns: ColumnMap) -> list[Line]:
    tokens = [ln.text.strip() for ln in run]
    lines: list[Line] = []
    at = 0
    for row in segment(tokens, columns):
        if row[0][0] == "junk":
            lines.append(run[at])
            at += 1
            continue
        cells = [""] * columns.width
        for _, set_index, role in row:
            cells[getattr(columns.sets[set_index], role)] = tokens[at]
            at += 1
        first = run[at - len(row)]
        lines.append(Line(first.number, "\t".join(cells), first.where))
    return lines
