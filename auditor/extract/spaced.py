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


def _place(starts: list[int], chunks: list[tuple[int, str]]) -> tuple[list[str], int]:
    """Cells in the header's columns (nearest start), and how far off the placement was."""
    cells = [""] * len(starts)
    error = 0
    for start, text in chunks:
        column = min(range(len(starts)), key=lambda c: abs(starts[c] - start))
        error += abs(starts[column] - start)
        cells[column] = f"{cells[column]} {text}".strip()
    return cells, error


def realign(lines: list[Line]) -> list[Line]:
    """Lines with every space-aligned indicator grid turned into tab-separated cells."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        spaced = "\t" not in line.text and "  " in line.text and "指标" in line.text  # every grid header has 指标
        cells = [c for _, c in _chunks(line.text, False)] if spaced else []
        if not cells or not _is_grid_header(cells) or ColumnMap.from_header(cells) is None:
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

