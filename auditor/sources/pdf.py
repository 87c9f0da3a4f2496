"""PDF with a text layer: ruled target tables are read cell by cell with pdfplumber, and only on
pages whose text shows a target table; every other page's text comes from PDFium (1–2 ms a
page). A scanned PDF (no text layer), an encrypted or malformed one is reported as such.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from .base import Line, Source
from .legible import legibility
from .text import clean_lines

MAX_PAGES = 3000
_TABLE_PAGE = re.compile(r"绩效目标|三级指标|指标值|项目名称|绩效指标|整体支出")


def _open_pdfium(path: Path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise InputError(str(path), "PDF 已加密（需要密码），请提供未加密的文件") from None
        raise InputError(str(path), f"PDF 文件已损坏或格式无效（{exc}）") from None
    except (OSError, ValueError) as exc:
        raise InputError(str(path), f"PDF 文件无法打开（{exc}）") from None


def page_texts(path: Path) -> list[str]:
    """The text layer of every page (PDFium)."""
    pdf = _open_pdfium(path)
    try:
        count = len(pdf)
        if count > MAX_PAGES:
            raise InputError(str(path), f"PDF 页数过多（{count} 页，上限 {MAX_PAGES} 页）")
        texts = []
        for index in range(count):
            page = pdf[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            textpage.close()
            page.close()
        return texts
    finally:
        pdf.close()


def _table_page_lines(page) -> list[str]:
    """Lines of one page holding tables: text outside the tables and table rows, top to bottom."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
        y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    items: list[tuple[float, str]] = []
    for line in page.filter(outside).extract_text_lines(return_chars=False):
        items.append((line["top"], line["text"]))
    for table in tables:
        rows = table.extract()
        for i, (row, cells) in enumerate(zip(rows, table.rows, strict=False)):
            top = cells.bbox[1] if getattr(cells, "bbox", None) else table.bbox[1] + i
            items.append((top, "\t".join((c or "").replace("\n", "") for c in row)))
    return [text for _, text in sorted(items, key=lambda item: item[0])]


def read_pdf(path: Path) -> Source:
    texts = page_texts(path)
    if not any(t.strip() for t in texts):
        raise InputError(str(path), "PDF 没有文字层（可能是扫描件），请提供可复制文字的 PDF 或先做文字识别")
    if not legibility("\n".join(texts)).readable:
        raise InputError(str(path), "PDF 的文字层无法识别（字体缺少字符编码映射，复制出的是乱码），"
                                    "请提供可复制文字的 PDF 或先做文字识别")
    table_pages = [i for i, t in enumerate(texts) if _TABLE_PAGE.search(re.sub(r"\s+", "", t))]
    lines_by_page = {i: t.split("\n") for i, t in enumerate(texts)}
    if table_pages:
        import pdfplumber

        try:
            with pdfplumber.open(str(path)) as pdf:
                for i in table_pages:
                    lines_by_page[i] = _table_page_lines(pdf.pages[i])
        except Exception as exc:
            raise InputError(str(path), f"PDF 表格无法解析（{type(exc).__name__}）") from None
    text_lines: list[str] = []
    page_of_line: list[int] = []  # the page each line of the joined text is on
    for i in range(len(texts)):
        page_lines = [*lines_by_page[i], ""]
        text_lines.extend(page_lines)
        page_of_line.extend([i + 1] * len(page_lines))
    lines = [Line(ln.number, ln.text, f"第{page_of_line[ln.number - 1]}页")
             for ln in clean_lines("\n".join(text_lines))]
    return Source(str(path), "pdf", tuple(lines))
