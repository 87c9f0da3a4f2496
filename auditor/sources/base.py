"""What every source makes of a file: numbered lines of cells, whatever the file type.

A line is one printed row: its cells separated by tabs, an empty cell kept where a merged cell
covers it; `where` says the page or sheet it is on. The extractor reads only this, so it never
needs to know whether a table came from text, Excel, Word, HTML or PDF.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based line number in the file (for a workbook: rows numbered through the sheets)
    text: str  # printed text, residue removed; tabs separate cells
    where: str | None = None  # the page ("第3页") or sheet ("绩效目标") the line is on, when known


@dataclass(frozen=True, slots=True)
class Source:
    path: str
    kind: str  # "text", "xlsx", "docx", "pdf", "html"
    lines: tuple[Line, ...]
    # a workbook this tool wrote (`extract --format xlsx`) carries the extracted document itself:
    # its JSON text and the digest written beside it (record_layout.py); extract rebuilds it
    record: str | None = None
    record_digest: str | None = None
