"""Hostile inputs built by the tests themselves (never committed as files): each reproduces an
attack on the batch: declared sizes far beyond the content, floods of tiny tables, names and
encodings that break naive code."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx_skeleton() -> bytes:
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def docx_with_body(path: Path, body_xml: str) -> Path:
    """A real .docx (python-docx's own package) whose document body is `body_xml`."""
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
                f"<w:body>{body_xml}</w:body></w:document>")
    with zipfile.ZipFile(io.BytesIO(_docx_skeleton())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = document.encode() if item.filename == "word/document.xml" else source.read(item.filename)
            target.writestr(item.filename, data)
    return path


def _cell(text: str, span: str | None = None) -> str:
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span is not None else ""
    return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def gridspan_docx(path: Path, span: str = str(10**9)) -> Path:
    """About a kilobyte on disk; one cell declares it spans `span` columns."""
    row = f"<w:tr>{_cell('项目名称', span)}{_cell('x')}</w:tr>"
    return docx_with_body(path, f"<w:tbl>{row}</w:tbl>")


def many_tables_docx(path: Path, tables: int = 100_000) -> Path:
    """A flood of one-cell tables (compresses to a few hundred kilobytes)."""
    one = f"<w:tbl><w:tr>{_cell('指标值')}</w:tr></w:tbl>"
    return docx_with_body(path, one * tables)


def wide_rows_docx(path: Path, rows: int = 2000, cells: int = 2000) -> Path:
    """Many rows of many real cells: a declared size that is real content, still far past any table."""
    row = "<w:tr>" + "<w:tc><w:p/></w:tc>" * cells + "</w:tr>"
    return docx_with_body(path, "<w:tbl>" + row * rows + "</w:tbl>")
def cid_pdf(path: Path, lines: int = 40) -> Path:
    """A PDF whose text layer is glyph ids of a CID font with no ToUnicode map."""
    import random
    rnd = random.Random(7)
    ops = ["BT", "/F1 12 Tf", "14 TL", "50 800 Td"]
    for _ in range(lines):
        ops.append("<" + "".join(f"{rnd.randrange(1, 30000):04X}" for _ in range(30)) + "> Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def xlsx_with_sheet_edit(path: Path, edit) -> Path:
    """A real workbook (one table row) whose first sheet's XML is passed through `edit`."""
    from openpyxl import Workbook

    buffer = io.BytesIO()
    wb = Workbook()
    wb.active.append(["项目名称", "测试项目"])
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            target.writestr(item.filename, data)
    return path


def merged_bomb_xlsx(path: Path) -> Path:
    """A few bytes of XML that ask for one merged range over every cell of the sheet."""
    return xlsx_with_sheet_edit(path, lambda xml: xml.replace(
        "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'))


def far_cell_xlsx(path: Path) -> Path:
    """One cell in the sheet's last row and column: the declared dimension spans 1.7×10^10 cells."""
    return xlsx_with_sheet_edit(path, lambda xml: xml.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))


# --- work for the killable pool's tests (module level, so any start method can run it) ---------

def stuck_or_upper(item: str) -> str:
    """'stuck' never returns from one C call (exponential regular-expression backtracking), where no
    Python signal handler can run; 'die' ends the process; 'hog' allocates past any small cap."""
    if item == "stuck":
        re.match(r"(a+)+$", "a" * 64 + "b")
    elif item == "die":
        os._exit(3)
    elif item == "hog":
        try:
            bytearray(3 * 1024**3)
        except MemoryError:
            return "MemoryError"
    return item.upper()


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares this size and holds no pixels: refused before anything is decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
