"""Grids whose columns are aligned with spaces (`pdftotext -layout`, fixed-width prints): each
cell is put back in the column the grid's header places above it, so an empty cell keeps its
place (a 计算符号 or 计量单位 left blank, a 二级 printed only on its group's first row).

Where a column starts is measured two ways, by characters and by display width (a CJK character
is two columns wide on screen and in most fixed-width prints); the one that lines the rows up
with the header better is used.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .. import vocabulary as labels
from ..sources.base import Line
from ..textnorm import normalise
from .columns import ColumnMap, role_of
from .fields import PROJECT_FIELDS, SECTION_HEADING, field_of
from .selfeval_cells import is_header

_CHUNK = re.compile(r"\S+(?: \S+)*")  # a cell: text with single spaces inside, two or more around


def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _chunks(text: str, wide: bool) -> list[tuple[int, str]]:
    """(start column, text) of every cell of a space-aligned line."""
    if not wide:
        return [(m.start(), m.group()) for m in _CHUNK.finditer(text)]
    out = []
    for m in _CHUNK.finditer(text):
        out.append((sum(_char_width(ch) for ch in text[:m.start()]), m.group()))
    return out


def _is_grid_header(cells: Sequence[str]) -> bool:
    return sum(1 for c in cells if role_of(c) or normalise(c) in labels.HEADER_WORDS) >= 3


def _ends(line: Line) -> bool:
    text = line.text.strip()
    return not text or "\t" in line.text or field_of(text.split("  ")[0], PROJECT_FIELDS) in ("footer", "name") \
        or bool(SECTION_HEADING.match(normalise(text))) or ("绩效目标" in text and text.endswith("表"))


SHARED_COLUMN = 10  # two cells of a row in one column: as unlikely as being this far off its start


def _place(starts: list[int], chunks: list[tuple[int, str]]) -> tuple[list[str], int]:
    """Cells in the header's columns, and how far off the placement was.

    A row's cells stand left to right in the header's columns: each goes to a column at or after the
    previous one's, as near its start as can be (dynamic programming over the row). Nearest start
    alone puts two cells in one column when the print drifts (wide characters such as ≥ and “ are
    one column in some prints and two in others), so 分值 10 and 得分 9 read as 109."""
    if not chunks:
        return [""] * len(starts), 0
    n, m = len(chunks), len(starts)
    cost = [[abs(starts[c] - chunks[0][0]) for c in range(m)]]
    back: list[list[int]] = [[-1] * m]
    for k in range(1, n):
        at = chunks[k][0]
        row, links = [], []
        best, best_column = float("inf"), -1  # cheapest previous cell in a column left of c
        for c in range(m):
            if c and cost[-1][c - 1] < best:
                best, best_column = cost[-1][c - 1], c - 1
            shared = cost[-1][c] + SHARED_COLUMN
            previous, column = (best, best_column) if best <= shared else (shared, c)
            row.append(previous + abs(starts[c] - at))
            links.append(column)
        cost.append(row)
        back.append(links)
    column = min(range(m), key=lambda c: cost[-1][c])
    error = cost[-1][column]
    placed = [0] * n
    for k in range(n - 1, -1, -1):
        placed[k] = column
        column = back[k][column]
    cells = [""] * m
    for (_, text), c in zip(chunks, placed, strict=True):
        cells[c] = f"{cells[c]} {text}".strip()
    return cells, int(error)


def realign(lines: list[Line]) -> list[Line]:
    """Lines with every space-aligned indicator grid turned into tab-separated cells."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        spaced = "\t" not in line.text and "  " in line.text and "指标" in line.text  # every grid header has 指标
        cells = [c for _, c in _chunks(line.text, False)] if spaced else []
        if not cells or not _is_grid_header(cells) or (ColumnMap.from_header(cells) is None and not is_header(cells)):
            out.append(line)
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not _ends(lines[j]):
            j += 1
        out.extend(_aligned(lines[i:j]))
        i = j
    return out


def _aligned(block: list[Line]) -> list[Line]:
    best: tuple[int, list[Line]] | None = None
    for wide in (False, True):
        starts = [s for s, _ in _chunks(block[0].text, wide)]
        total = 0
        rebuilt = []
        for line in block:
            cells, error = _place(starts, _chunks(line.text, wide))
            total += error
            rebuilt.append(Line(line.number, "\t".join(cells), line.where))
        if best is None or total < best[0]:
            best = (total, rebuilt)
    assert best is not None
    return best[1]

