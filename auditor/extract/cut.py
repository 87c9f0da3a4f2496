"""The best cut of a run of cells, printed one a line, into rows (dynamic programming).

A grid printed one cell a line loses its row breaks: merged labels print once, empty cells not at
all. Every way the next few cells can be one row (a pattern of columns) is scored, a cell no row
takes costs `junk`, and the cut with the best total wins. Budget grids and self-evaluation grids
differ only in their patterns and scores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

Pattern = TypeVar("Pattern")


def best_cut(n: int, patterns: Sequence[Pattern], size: Callable[[Pattern], int],
             score: Callable[[int, Pattern], float | None], junk: float) -> list[tuple[int, int, Pattern | None]]:
    """(start, end, pattern) of each row of the best cut of cells 0…n-1, in order; pattern None for a
    cell no row takes. `score(i, pattern)`: how well the cells from i read as that row (None: not at all)."""
    best: list[tuple[float, int, Pattern | None]] = [(float("-inf"), -1, None)] * (n + 1)
    best[0] = (0.0, -1, None)
    for i in range(n):
        here = best[i][0]
        if here == float("-inf"):
            continue
        if here - junk > best[i + 1][0]:
            best[i + 1] = (here - junk, i, None)
        for pattern in patterns:
            end = i + size(pattern)
            if end > n:
                continue
            fit = score(i, pattern)
            if fit is not None and here + fit > best[end][0]:
                best[end] = (here + fit, i, pattern)
    rows: list[tuple[int, int, Pattern | None]] = []
    at = n
    while at > 0:
        _, start, pattern = best[at]
        rows.append((start, at, pattern))
        at = start
    rows.reverse()
    return rows
