"""Readers: every input type becomes the same thing — numbered, cleaned lines whose cells are
separated by tabs — so one extractor serves text, Excel, Word and PDF (or, for flat indicator
lists and the fill-in template, a Document built directly from the columns)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..model import Document

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
SUPPORTED_SUFFIXES = frozenset({".txt", ".text", ".xlsx", ".xlsm", ".docx", ".pdf"})
LEGACY_SUFFIXES = frozenset({".xls", ".doc", ".wps", ".et"})  # refused with how to convert them


def read_document(path: Path) -> Document:
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
    if suffix in LEGACY_SUFFIXES:
        modern = ".xlsx" if suffix in (".xls", ".et") else ".docx"
        raise InputError(str(path), f"不支持旧版 {suffix} 格式，请另存为 {modern}")
    from ..extract import extract_text
    from ..reader import read_text

    return extract_text(read_text(path), str(path))
