"""Word documents: paragraphs become lines; each table row becomes a line of tab-separated cells,
walking the real <w:tc> elements — a cell spanning columns (gridSpan) is followed by empty cells,
a vertically merged continuation (vMerge) is empty, as the printed table shows it (python-docx's
row.cells would repeat merged cells instead)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .base import Source
from .safety import check_zip_container
from .text import clean_lines

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Every size the file declares is checked against these before anything is allocated for it.
MAX_SPAN = 63  # Word's own limit on the columns of a table
MAX_TABLES = 20_000
MAX_ROWS = 200_000  # table rows, all tables together
MAX_CELLS = 2_000_000  # grid cells (spans counted), all tables together


class _Budget:
    """What the document has used of the caps so far."""

    def __init__(self, path: Path) -> None:
        self.path, self.tables, self.rows, self.cells = path, 0, 0, 0

    def refuse(self, problem: str) -> InputError:
        return InputError(str(self.path), problem)

    def table(self) -> None:
        self.tables += 1
        if self.tables > MAX_TABLES:
            raise self.refuse(f"Word 文件中的表格过多（超过 {MAX_TABLES:,} 张），拒绝处理")

    def row(self, cells: int) -> None:
        self.rows += 1
        self.cells += cells
        if self.rows > MAX_ROWS:
            raise self.refuse(f"Word 表格的行数过多（超过 {MAX_ROWS:,} 行），拒绝处理")
        if self.cells > MAX_CELLS:
            raise self.refuse(f"Word 表格的单元格过多（超过 {MAX_CELLS:,} 个），拒绝处理")


def _span(value: str | None, budget: _Budget) -> int:
    """A cell's declared column span, checked before any cell is made for it."""
    try:
        span = int((value or "1").strip())
    except ValueError:
        raise budget.refuse(f"Word 文件已损坏（单元格的跨列数 {value[:20]!r} 不是数字）") from None
    if span > MAX_SPAN:
        raise budget.refuse(f"Word 文件已损坏或被篡改（一个单元格声明跨 {span:,} 列，Word 表格最多 {MAX_SPAN} 列）")
    return max(1, span)


def _text(element) -> str:
    parts = []
    for node in element.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag in (f"{W}tab",) or node.tag in (f"{W}br", f"{W}cr") or (node.tag == f"{W}p" and parts):
            parts.append(" ")
    return "".join(parts).strip()


def _row_cells(tr, budget: _Budget) -> list[str]:
    cells: list[str] = []
    for tc in tr.iterchildren(f"{W}tc"):
        props = tc.find(f"{W}tcPr")
        span = 1
        continued = False
        if props is not None:
            grid = props.find(f"{W}gridSpan")
            if grid is not None:
                span = _span(grid.get(f"{W}val"), budget)
            if len(cells) + span > MAX_SPAN + 1:
                raise budget.refuse(f"Word 文件已损坏或被篡改（一行超过 {MAX_SPAN} 列）")
            merge = props.find(f"{W}vMerge")
            continued = merge is not None and merge.get(f"{W}val", "continue") != "restart"
        cells.append("" if continued else _text(tc).replace("\t", " "))
        cells.extend([""] * (span - 1))
    budget.row(len(cells))
    return cells


def read_docx(path: Path) -> Source:
    check_zip_container(path)
    try:
        import docx

        body = docx.Document(str(path)).element.body
    except Exception as exc:
        raise InputError(str(path), f"Word 文件已损坏或无法解析（{type(exc).__name__}）") from None
    raw: list[str] = []
    budget = _Budget(path)
    for block in body.iterchildren():
        if block.tag == f"{W}p":
            raw.append(_text(block))
        elif block.tag == f"{W}tbl":
            budget.table()
            for tr in block.iter(f"{W}tr"):
                raw.append("\t".join(_row_cells(tr, budget)))
            raw.append("")
    if not any(line.strip() for line in raw):
        raise InputError(str(path), "Word 文件中没有文字")
    return Source(str(path), "docx", tuple(clean_lines("\n".join(raw))))
