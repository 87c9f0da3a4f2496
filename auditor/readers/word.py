"""Word documents: paragraphs become lines; each table row becomes a line of tab-separated cells,
walking the real <w:tc> elements — a cell spanning columns (gridSpan) is followed by empty cells,
a vertically merged continuation (vMerge) is empty, as the printed table shows it (python-docx's
row.cells would repeat merged cells instead)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..model import Document
from ..reader import Line, clean_lines
from .safety import check_zip_container

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(element) -> str:
    parts = []
    for node in element.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag in (f"{W}tab",) or node.tag in (f"{W}br", f"{W}cr") or (node.tag == f"{W}p" and parts):
            parts.append(" ")
    return "".join(parts).strip()


def _row_cells(tr) -> list[str]:
    cells: list[str] = []
    for tc in tr.iterchildren(f"{W}tc"):
        props = tc.find(f"{W}tcPr")
        span = 1
        continued = False
        if props is not None:
            grid = props.find(f"{W}gridSpan")
            if grid is not None:
                span = max(1, int(grid.get(f"{W}val", "1")))
            merge = props.find(f"{W}vMerge")
            continued = merge is not None and merge.get(f"{W}val", "continue") != "restart"
        cells.append("" if continued else _text(tc).replace("\t", " "))
        cells.extend([""] * (span - 1))
    return cells


def read_docx(path: Path) -> Document:
    check_zip_container(path)
    try:
        import docx

        body = docx.Document(str(path)).element.body
    except Exception as exc:
        raise InputError(str(path), f"Word 文件已损坏或无法解析（{type(exc).__name__}）") from None
    raw: list[str] = []
    for block in body.iterchildren():
        if block.tag == f"{W}p":
            raw.append(_text(block))
        elif block.tag == f"{W}tbl":
            for tr in block.iter(f"{W}tr"):
                raw.append("\t".join(_row_cells(tr)))
            raw.append("")
    if not any(line.strip() for line in raw):
        raise InputError(str(path), "Word 文件中没有文字")
    from ..extract import extract_lines

    lines: list[Line] = clean_lines("\n".join(raw))
    return extract_lines(lines, str(path))
