"""Sources: every input type becomes the same thing, a `Source` of numbered lines whose cells
are separated by tabs (see base.py). Sources never look for tables; the extractor does, in one
way for every type."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .base import Line, Source

__all__ = ["LEGACY_SUFFIXES", "SUPPORTED_SUFFIXES", "Line", "Source", "read_source"]

SUPPORTED_SUFFIXES = frozenset({".txt", ".text", ".xlsx", ".xlsm", ".docx", ".pdf", ".html", ".htm",
                                ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})  # images: scans, read by OCR
LEGACY_SUFFIXES = frozenset({".xls", ".doc", ".wps", ".et"})  # refused with how to convert them


def read_source(path: Path) -> Source:
    """The file's lines; raises InputError for a file that cannot be read as a document."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from .excel import read_xlsx

        return read_xlsx(path)
    if suffix == ".docx":
        from .word import read_docx

        return read_docx(path)
    if suffix == ".pdf":
        from .pdf import read_pdf

        return read_pdf(path)
    if suffix in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"):
        from .scan import read_image

        return read_image(path)
    if suffix in (".html", ".htm"):
        from .html import read_html

        return read_html(path)
    if suffix in LEGACY_SUFFIXES:
        modern = ".xlsx" if suffix in (".xls", ".et") else ".docx"
        raise InputError(str(path), f"不支持旧版 {suffix} 格式，请另存为 {modern}")
    from .text import clean_lines, read_text

    return Source(str(path), "text", tuple(clean_lines(read_text(path))))
