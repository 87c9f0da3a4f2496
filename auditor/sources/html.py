"""HTML pages (a disclosure published as a web page, or saved from one): text blocks become lines,
every <table> row a line of tab-separated cells laid on the table's real grid (rowspan and colspan
expanded; the cells a merged cell covers left empty, as printed). Parsed with lxml's HTML parser,
which copes with the broken markup such pages often have.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError, describe_os_error
from .base import Source
from .text import clean_lines, decode

MAX_COLSPAN = 64
MAX_ROWSPAN = 1000
MAX_CELLS = 2_000_000
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "header",
                     "footer", "blockquote", "pre", "caption", "dt", "dd", "ul", "ol", "body", "center", "form"})
_DROP = "//script|//style|//head|//noscript|//template|//comment()"
_ENCODING_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def _span(value: str | None, cap: int) -> int:
    """A span attribute as browsers read it: leading digits, invalid → 1, capped."""
    m = re.match(r"\s*(\d{1,9})", value or "")  # at most 9 digits are read: longer is past any cap anyway
    return max(1, min(int(m.group(1)), cap)) if m else 1


def _cell_text(cell) -> str:
    for br in cell.iter("br"):
        br.tail = " " + (br.tail or "")
    return _SPACE.sub(" ", cell.text_content()).strip()


class _Budget:
    def __init__(self, path: Path) -> None:
        self.path, self.cells = path, 0

    def spend(self, n: int) -> None:
        self.cells += n
        if self.cells > MAX_CELLS:
            raise InputError(str(self.path), f"网页中的表格过大（超过 {MAX_CELLS:,} 个单元格），拒绝处理")


def _table_lines(table, budget: _Budget) -> list[str]:
    rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    grid: dict[tuple[int, int], str] = {}
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.xpath("./td|./th"):
            while (r, c) in grid:
                c += 1
            rowspan = min(_span(cell.get("rowspan"), MAX_ROWSPAN), len(rows) - r)
            colspan = _span(cell.get("colspan"), MAX_COLSPAN)
            budget.spend(rowspan * colspan)
            for i in range(rowspan):
                for j in range(colspan):
                    grid[(r + i, c + j)] = ""
            grid[(r, c)] = _cell_text(cell).replace("\t", " ")
            c += colspan
            width = max(width, c)
    return ["\t".join(grid.get((r, c), "") for c in range(width)).rstrip("\t") for r in range(len(rows))]


def _walk(element, out: list[str], budget: _Budget) -> None:
    """Text of `element` in reading order: a line per block, a line per table row."""
    inline: list[str] = []

    def flush() -> None:
        text = _SPACE.sub(" ", "".join(inline)).strip()
        if text:
            out.append(text)
        inline.clear()

    inline.append(element.text or "")
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "table":
            flush()
            out.extend(_table_lines(child, budget))
            out.append("")
        elif tag == "br":
            flush()
        elif tag in _BLOCKS:
            flush()
            _walk(child, out, budget)
        else:
            if child.xpath(".//table"):
                flush()
                _walk(child, out, budget)
            else:
                inline.append(child.text_content())
        inline.append(child.tail or "")
    flush()


def read_html(path: Path) -> Source:
    import lxml.html

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"无法读取（{describe_os_error(exc)}）") from None
    text = _ENCODING_DECLARATION.sub("", decode(data, str(path)))
    try:
        root = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise InputError(str(path), f"网页文件无法解析（{exc}）") from None
    for node in root.xpath(_DROP):
        node.drop_tree()
    body = root.find("body")
    raw: list[str] = []
    _walk(body if body is not None else root, raw, _Budget(path))
    if not any(line.strip() for line in raw):
        raise InputError(str(path), "网页中没有文字")
    return Source(str(path), "html", tuple(clean_lines("\n".join(raw))))
