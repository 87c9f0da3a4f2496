"""Sheet rows rendered straight to SpreadsheetML, for the sheets with a row per finding or indicator.

XlsxWriter spends about 9 µs on each cell (checks, a cell record, attribute escaping, one write per
cell); a summary has some 4,000 cells a document, so a large batch spent most of its time there, in
the one process that writes the reports. Here a row is one f-string per cell and one write, with
the same XML XlsxWriter would write in constant-memory mode (inline strings, the workbook's own
style numbers), and the row number left as a placeholder, so a row can be rendered anywhere and
numbered when it is placed. Everything else in the workbook (styles, comments, filters, print
setup) is still XlsxWriter's.

Rows are UTF-8 bytes from rendering to placing: a stored row is never decoded, split as text or
encoded again (measured on a thousand stored documents: 1.0 s to split, number and write them as
bytes, 2.1 s as text).
Placing rows uses the worksheet's constant-memory row stream, which is XlsxWriter's internals:
`can_place` checks for exactly what `place` touches, and Sheet falls back to writing cell by cell
when it is not there.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
from collections.abc import Sequence
from functools import lru_cache, partial
from typing import Any

NUMBER = "\x00"  # where the row number goes; never in a cell (clean() removes control characters)
SEQUENCE = "\x01"  # where a running number (序号) goes, known only when the row is placed
_NUMBER_MARK, _SEQUENCE_MARK = NUMBER.encode("ascii"), SEQUENCE.encode("ascii")


class RunningNumber:
    """A cell holding the row's running number (序号 over every part of a sheet): rendered as a
    placeholder, filled in when the row is placed, so a stored row fits wherever it lands."""

    def __repr__(self) -> str:
        return "RUNNING"


RUNNING = RunningNumber()
_ESCAPED_LOOKALIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # Excel would read it as an escape: escape its "_"


def column_letters(count: int) -> list[str]:
    letters = []
    for col in range(count):
        name, n = "", col + 1
        while n:
            n, rest = divmod(n - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def row_height(points: float | None) -> str:
    """The <row> attributes for a height in points, rounded to pixels as XlsxWriter's set_row does."""
    if points is None:
        return ""
    return f' ht="{int(points * 4.0 / 3.0 + 0.5) * 0.75:.16g}" customHeight="1"'


def _text(value: str) -> str:
    if "_x" in value:
        value = _ESCAPED_LOOKALIKE.sub(r"_x005F\1", value)
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def render_row(letters: Sequence[str], values: Sequence[Any], styles: Sequence[int], height: float | None) -> bytes:
    """One <row> of cells (numbers, blanks, inline strings) in UTF-8, its number left as NUMBER. `values`
    are already clean(); `styles` the XF index of each cell's format."""
    cells = []
    for letter, value, style in zip(letters, values, styles, strict=True):
        if value is None or value == "":
            cells.append(f'<c r="{letter}{NUMBER}" s="{style}"/>')
        elif value is RUNNING:
            cells.append(f'<c r="{letter}{NUMBER}" s="{style}"><v>{SEQUENCE}</v></c>')
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            cells.append(f'<c r="{letter}{NUMBER}" s="{style}"><v>{value:.16G}</v></c>')
        else:
            text = str(value)
            space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
            cells.append(f'<c r="{letter}{NUMBER}" s="{style}" t="inlineStr"><is><t{space}>{_text(text)}</t></is></c>')
    return (f'<row r="{NUMBER}"{row_height(height)}>' + "".join(cells) + "</row>").encode("utf-8")


def can_place(ws: Any) -> bool:
    """Whether rows can be placed in this worksheet's row stream (XlsxWriter in constant-memory mode)."""
    return bool(getattr(ws, "constant_memory", False)) and all(
        hasattr(ws, name) for name in ("previous_row", "fh", "table", "_write_single_row", "_check_dimensions")
    ) and hasattr(ws.fh, "buffer")


def place(ws: Any, row: int, rows: Sequence[bytes], last_col: int, number: int = 0) -> None:
    """Put rendered rows at `row` (0-based), `row` + 1, … of a constant-memory worksheet, in one write:
    the row XlsxWriter holds is written out first, the worksheet's extent grows to cover them, and
    the next row it holds is the one after (so a comment on these rows never makes XlsxWriter write
    a row a second time). `number`: the running number the first row's RUNNING cell shows."""
    if not rows:
        return
    if row < ws.previous_row or (row == ws.previous_row and ws.table):
        raise ValueError(f"第 {row + 1} 行已经写过")  # XlsxWriter holds or has written this row: never two of one
    if row > ws.previous_row:
        ws._write_single_row(row)
    last = row + len(rows) - 1
    ws._check_dimensions(row, 0)
    ws._check_dimensions(last, last_col)
    ws.fh.flush()  # XlsxWriter's text written so far, then these bytes after it
    ws.fh.buffer.write(b"".join([_numbered(xml, row + 1 + i, number + i) for i, xml in enumerate(rows)]))
    ws.table.clear()
    ws.previous_row = last + 1


def _numbered(xml: bytes, row_number: int, number: int) -> bytes:
    xml = xml.replace(_NUMBER_MARK, b"%d" % row_number)
    return xml.replace(_SEQUENCE_MARK, b"%d" % number) if _SEQUENCE_MARK in xml else xml


SUMMARY_DEFLATE = 2  # XlsxWriter's zip is level 6: for the summary's 315 MB of XML a thousand documents,
# level 2 takes 1.3 s instead of 3.6 s (level 3: 1.6 s, level 1: 1.4 s) and the file is 26% larger (30 → 38 MB)
_ZIP_LOCK = threading.Lock()
_ROWS_MARK = b"<!--auditor:rows-->"  # where a sheet's row stream goes; cell text cannot hold "<" unescaped
_COPY_CHUNK = 1 << 20


def streamed_workbook(filename: str, options: dict[str, Any]) -> Any:
    """A constant-memory XlsxWriter workbook whose file is deflated at SUMMARY_DEFLATE, each sheet's
    rows copied into the zip straight from their row stream.

    XlsxWriter first copies a constant-memory sheet's rows (hundreds of MB in a large summary) into
    the sheet's XML file, decoding and encoding them, and then deflates that file into the zip: a
    second pass over every byte, 2 s of the writer's time a thousand documents."""
    return _workbook_class()(filename, {"constant_memory": True, **options})


@lru_cache(maxsize=1)
def _workbook_class() -> type:
    import zipfile

    import xlsxwriter
    import xlsxwriter.workbook as module
    from xlsxwriter.worksheet import Worksheet

    class StreamedSheet(Worksheet):
        """Writes a mark where its rows go and leaves them in their row stream for the zip."""

        streams: dict[str, str]  # sheet XML file → its row stream file, shared with the workbook

        def _set_xml_writer(self, filename: str) -> None:
            self._xml_file = filename
            super()._set_xml_writer(filename)

        def _write_optimized_sheet_data(self) -> None:
            if self.dim_rowmin is None:  # no rows: XlsxWriter would leave the empty row stream behind
                super()._write_optimized_sheet_data()
                self.row_data_fh.close()
                with contextlib.suppress(OSError):
                    os.unlink(self.row_data_filename)
                return
            self._xml_start_tag("sheetData")
            self.row_data_fh.close()
            self.fh.write(_ROWS_MARK.decode("ascii"))
            self.streams[self._xml_file] = self.row_data_filename
            self._xml_end_tag("sheetData")

    class StreamingZip(zipfile.ZipFile):
        """A ZipFile that stores a marked sheet as its XML around its row stream, in one pass."""

        def __init__(self, *args: Any, streams: dict[str, str], **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._streams = streams

        def write(self, filename: Any, arcname: Any = None, compress_type: Any = None,
                  compresslevel: Any = None) -> None:
            rows = self._streams.pop(str(filename), None)
            if rows is None:
                super().write(filename, arcname, compress_type, compresslevel)
                return
            with open(filename, "rb") as handle:
                head, tail = handle.read().split(_ROWS_MARK, 1)
            info = zipfile.ZipInfo.from_file(filename, arcname)
            info.compress_type = self.compression if compress_type is None else compress_type
            info._compresslevel = self.compresslevel if compresslevel is None else compresslevel
            info.file_size = len(head) + os.path.getsize(rows) + len(tail)  # decides Zip64 up front
            with self.open(info, "w") as out, open(rows, "rb") as source:
                out.write(head)
                shutil.copyfileobj(source, out, _COPY_CHUNK)
                out.write(tail)
            os.unlink(rows)

    class QuickWorkbook(xlsxwriter.Workbook):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._streams: dict[str, str] = {}

        def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Any:
            sheet = super().add_worksheet(name, worksheet_class or StreamedSheet)
            sheet.streams = self._streams
            return sheet

        def _store_workbook(self) -> None:
            # XlsxWriter opens its ZipFile by this module-level name; swapped only while this file is
            # stored (the lock keeps two threads' workbooks from swapping it at once)
            with _ZIP_LOCK:
                zip_file = module.ZipFile
                module.ZipFile = partial(StreamingZip, streams=self._streams, compresslevel=SUMMARY_DEFLATE)
                try:
                    super()._store_workbook()
                finally:
                    module.ZipFile = zip_file
                    for rows in self._streams.values():  # left by a failed store
                        with contextlib.suppress(OSError):
                            os.unlink(rows)
                    self._streams.clear()

    return QuickWorkbook
