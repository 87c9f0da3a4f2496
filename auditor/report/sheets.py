"""Sheets that print: fixed column widths, row heights that fit wrapped text, A4 page setup.

A critique is handed over on paper as often as on screen. Widths are fixed up front (not fitted
to content) so each row's height can be computed as it is written, in XlsxWriter's constant-memory
mode, and so the columns a department needs always fit one A4 width at a legible size.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..output import display_width
from .rows import RUNNING, can_place, column_letters, place, render_row

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_CELL = 32000  # Excel's limit is 32,767 characters
FONT = "宋体"
FONT_SIZE = 10
EXCEL_ROWS = 1_048_576  # rows a worksheet holds; past it a writer drops cells without a word
LINE_HEIGHT = 13.5  # points per wrapped line at FONT_SIZE
MAX_ROW_HEIGHT = 409  # Excel's limit, in points
A4 = 9
FILL = {"错误": "#F8CBAD", "警告": "#FFE699", "提示": "#DDEBF7"}


def clean(text: Any) -> str:
    """Text safe for a workbook: no control characters or lone surrogates, within the cell limit."""
    value = str(text if text is not None else "")
    if not value.isprintable():
        value = _ILLEGAL.sub("", value)
    if len(value) <= MAX_CELL // 2:
        return value
    cut = value[:MAX_CELL]
    while len(cut.encode("utf-16-le", "surrogatepass")) > 2 * MAX_CELL:  # characters past U+FFFF count twice
        cut = cut[: len(cut) * 9 // 10]
    return value if cut == value else cut + "…"


def header_text(text: str) -> str:
    """Text for a page header or footer: '&' starts a code there, so it is doubled."""
    return clean(text).replace("&", "&&")[:80]


@functools.lru_cache(maxsize=65536)  # the same units, projects and indicator names recur on many rows
def lines_needed(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column `width` Excel units wide (a 10-point CJK character
    is about 1.86 units in Excel with 宋体, a little less in LibreOffice)."""
    usable = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(display_width(part) * 0.93 / usable)) for part in text.split("\n"))


@dataclass
class Column:
    title: str
    width: float
    wrap: bool = False
    hidden: bool = False


def formats(wb: Any) -> dict[str, Any]:
    base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "top"}
    made = {
        "header": wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                 "valign": "vcenter", "align": "center"}),
        "wrap": wb.add_format({**base, "text_wrap": True, "border": 1}),
        "plain": wb.add_format({**base, "border": 1}),
        "text": wb.add_format({**base, "text_wrap": True}),
        "title": wb.add_format({**base, "bold": True, "font_size": 14}),
        "bold": wb.add_format({**base, "bold": True, "text_wrap": True}),
    }
    for severity, colour in FILL.items():
        made[severity] = wb.add_format({**base, "bg_color": colour, "text_wrap": True, "border": 1})
    for fmt in made.values():  # style numbers fixed now, not by what a document happens to use first:
        fmt._get_xf_index()  # rows rendered in one run are placed in another's workbook (rows.py)
    return made


MARGIN_IN = 0.4  # left and right page margins, inches
MIN_SCALE = 80  # percent: 10-point text prints at 8 points or more


def pixels(widths: Sequence[float]) -> float:
    """Printed width of columns in pixels at 96 dpi: Excel's rule is 7 a unit plus 5 of padding;
    LibreOffice (Carlito for Calibri) measured 7.7 a unit, so that is what is assumed."""
    return sum(w * 7.7 + 5 for w in widths)


def print_scale(widths: Sequence[float], landscape: bool) -> int:
    """The zoom that fits the printed columns on one A4 width (never above 100%).

    A fixed zoom rather than "fit to one page wide": LibreOffice measures that fit over every
    used column, the ones after the print area too, and shrank the text to 5 points."""
    paper_mm = 297 if landscape else 210
    printable_px = (paper_mm / 25.4 - 2 * MARGIN_IN) * 96 * 0.97  # a little room for the renderers' rounding
    return max(10, min(100, int(printable_px / max(pixels(widths), 1) * 100)))


def page_setup(ws: Any, *, landscape: bool, widths: Sequence[float], title: str = "", last_row: int | None = None,
               last_col: int | None = None, repeat_header: bool = True) -> None:
    """A4 at a zoom that fits `widths` (the printed columns) on the page width, the header row on
    every page, the title and page numbers in the margins."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=MARGIN_IN, right=MARGIN_IN, top=0.7, bottom=0.6)
    ws.set_print_scale(print_scale(widths, landscape))
    if repeat_header:
        ws.repeat_rows(0)
    if title:
        ws.set_header(f"&L&10{header_text(title)}", {"margin": 0.3})
    ws.set_footer("&C&10第 &P 页，共 &N 页", {"margin": 0.3})
    if last_row is not None and last_col is not None:
        ws.print_area(0, 0, max(last_row, 0), last_col)


class Sheet:
    """A sheet written row by row (constant memory), each row as tall as its wrapped text needs."""

    def __init__(self, ws: Any, columns: Sequence[Column], fmts: dict[str, Any],
                 continued: Callable[[int], Any] | None = None, row_limit: int | None = None) -> None:
        """`continued(n)`: a new worksheet for the n-th part, when this one is full (Excel holds
        `row_limit` rows a sheet); without it a full sheet is an error, never a row dropped."""
        self.ws, self.columns, self.formats = ws, list(columns), fmts
        self.row = 0
        self.count = 0  # data rows written, over every part
        self.numbered = 0  # rows counted before this sheet (earlier workbooks): running numbers go on from there
        self.recorded: list[tuple[bytes, dict[int, str] | None]] | None = None  # rows kept for replay, when a list
        self.continued, self.row_limit = continued, row_limit or EXCEL_ROWS
        self.parts: list[tuple[Any, int]] = []  # full worksheets before this one, with their rows
        self._letters = column_letters(len(self.columns))
        self._detached = False
        self._set_columns()

    def detach(self) -> None:
        """From now on rows are rendered and recorded but placed nowhere: a worker renders a
        document's rows, and the batch's one writer only places them (`replay`)."""
        self._detached = self._rendered = True
        self._styles = self._column_styles()

    def _set_columns(self) -> None:
        for col, column in enumerate(self.columns):
            self.ws.set_column(col, col, column.width, None, {"hidden": True} if column.hidden else None)
        self._rendered = can_place(self.ws)  # rows rendered as XML (rows.py), else written cell by cell
        if self._rendered:
            self._styles = self._column_styles()

    def _column_styles(self) -> list[int]:
        """Each column's style number, as rendered rows give it."""
        return [self.formats["wrap" if c.wrap else "plain"]._get_xf_index() for c in self.columns]

    def _make_room(self) -> None:
        if self.row < self.row_limit:
            return
        if self.continued is None:
            raise OverflowError(f"工作表“{self.ws.name}”已满（{self.row_limit} 行）")
        self.parts.append((self.ws, self.row))
        self.ws = self.continued(len(self.parts) + 1)
        self._set_columns()
        self.header()

    @property
    def names(self) -> list[str]:
        """The worksheets this sheet's rows are on, in order."""
        return [ws.name for ws, _ in self.parts] + [self.ws.name]

    def each_part(self) -> Iterator[None]:
        """Make each worksheet current in turn (its finishing touches apply to every part); the last
        stays current."""
        for ws, row in [*self.parts, (self.ws, self.row)]:
            self.ws, self.row = ws, row
            yield

    def header(self) -> None:
        titles = [c.title for c in self.columns]
        self.row = 0  # a continued sheet's header is on its own first row
        self._set_height(titles)
        for col, title in enumerate(titles):
            self.ws.write_string(0, col, title, self.formats["header"])
        self.row = 1

    def _height(self, values: Sequence[Any]) -> float | None:
        """The row's height in points when its wrapped text needs more than one line."""
        lines = 1
        for column, value in zip(self.columns, values, strict=False):
            if isinstance(value, str) and value and not column.hidden:
                lines = max(lines, lines_needed(value, column.width) if column.wrap or "\n" in value else 1)
        return min(lines * LINE_HEIGHT + 2, MAX_ROW_HEIGHT) if lines > 1 else None

    def _set_height(self, values: Sequence[Any]) -> None:
        height = self._height(values)
        if height is not None:
            self.ws.set_row(self.row, height)

    def write(self, values: Sequence[Any], fmt: dict[int, Any] | None = None,
              comments: dict[int, str] | None = None) -> None:
        """One row; a RUNNING value shows the row's running number (`numbered` + rows before + 1)."""
        self._make_room()
        texts = [clean(v) if isinstance(v, str) else v for v in values]
        notes = {col: clean(text)[:2000] for col, text in comments.items()} if comments else None
        if self._rendered and len(texts) == len(self.columns):
            styles = self._styles
            if fmt:
                styles = [fmt[col]._get_xf_index() if fmt.get(col) else s for col, s in enumerate(styles)]
            xml = render_row(self._letters, texts, styles, self._height(texts))
            if self.recorded is not None:
                self.recorded.append((xml, notes))
            self._comment(notes, self.row)
            self._place([xml])
            return
        self.recorded = None  # a row not rendered cannot be replayed: nothing of this document is kept
        self._comment(notes, self.row)
        running = self.numbered + self.count + 1
        self._cells([running if v is RUNNING else v for v in texts], fmt)
        self.row += 1
        self.count += 1

    def replay(self, rows: Sequence[tuple[bytes, dict[int, str] | None]]) -> None:
        """Rows rendered earlier (by `write`, kept in `recorded`), placed from this sheet's next row on,
        as many at a time as the worksheet holds."""
        if not self._rendered:
            raise ValueError("rows can be replayed only in a constant-memory workbook")
        done = 0
        while done < len(rows):
            self._make_room()
            chunk = rows[done: done + self.row_limit - self.row]
            for offset, (_, notes) in enumerate(chunk):
                self._comment(notes, self.row + offset)
            self._place([xml for xml, _ in chunk])
            done += len(chunk)

    def _comment(self, notes: dict[int, str] | None, row: int) -> None:
        if self._detached:
            return
        for col, text in (notes or {}).items():  # before the row is placed: XlsxWriter refuses rows behind it
            self.ws.write_comment(row, col, text, {"x_scale": 3, "y_scale": 2})

    def _place(self, rows: Sequence[bytes]) -> None:
        if not self._detached:
            place(self.ws, self.row, rows, len(self.columns) - 1, self.numbered + self.count + 1)
        self.row += len(rows)
        self.count += len(rows)

    def _cells(self, texts: Sequence[Any], fmt: dict[int, Any] | None) -> None:
        self._set_height(texts)
        for col, value in enumerate(texts):
            column = self.columns[col]
            cell_format = (fmt or {}).get(col) or self.formats["wrap" if column.wrap else "plain"]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.ws.write_number(self.row, col, value, cell_format)
            elif value is None or value == "":
                self.ws.write_blank(self.row, col, None, cell_format)
            else:
                self.ws.write_string(self.row, col, str(value), cell_format)

    def paragraph(self, text: str, fmt: Any, line_height: float = LINE_HEIGHT) -> None:
        """A line of prose merged across every column, as tall as its wrapped text."""
        width = sum(c.width for c in self.columns if not c.hidden)
        self.ws.set_row(self.row, min(lines_needed(text, width - 2) * line_height + 3, MAX_ROW_HEIGHT))
        self.ws.merge_range(self.row, 0, self.row, len(self.columns) - 1, clean(text), fmt)
        self.row += 1

    def finish(self, *, title: str = "", printed: int | None = None, landscape: bool = True) -> None:
        """Freeze and filter the header; print the first `printed` columns (all when None); on every part."""
        last_col = (printed or len(self.columns)) - 1
        widths = [c.width for c in self.columns[: last_col + 1] if not c.hidden]
        for _ in self.each_part():
            self.ws.freeze_panes(1, 0)
            if self.row > 1:
                self.ws.autofilter(0, 0, self.row - 1, len(self.columns) - 1)
            page_setup(self.ws, landscape=landscape, widths=widths, title=title, last_row=self.row - 1,
                       last_col=last_col)


def xlsx_options() -> dict[str, bool]:
    """Nothing from a document is ever turned into a formula, a link or a number."""
    return {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
