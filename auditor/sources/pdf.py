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


def _scanned_pages(path: Path, pages: list[int], whole: bool) -> dict[int, list[tuple[str, str]]]:
    """The pages without a text layer, read by OCR: (text, where) per line. Pages are read several at a
    time in threads of this process (within its time and memory limits), as many as its share of cores."""
    from concurrent.futures import ThreadPoolExecutor

    from .ocr import INSTALL_HINT, available, engine, split
    from .scan import place, read_cached, render

    if not available():
        if not whole:
            return {}  # blank pages of a text PDF stay blank without the OCR extra
        raise InputError(str(path), f"PDF 没有文字层（扫描件），{INSTALL_HINT}")
    at_once, threads = split(len(pages))
    ocr = engine(threads)
    out: dict[int, list[tuple[str, str]]] = {}
    pdf = _open_pdfium(path)
    try:
        with ThreadPoolExecutor(max_workers=at_once) as pool:
            for start in range(0, len(pages), at_once):
                chunk = pages[start:start + at_once]
                images = []
                for i in chunk:  # PDFium renders in this thread only (it is not thread-safe)
                    page = pdf[i]
                    try:
                        images.append(render(page))
                    finally:
                        page.close()
                for i, lines in zip(chunk, pool.map(lambda gray: read_cached(gray, ocr), images), strict=True):
                    out[i] = [(line.text, place(i + 1, line)) for line in lines]
        return out
    finally:
        pdf.close()


def read_pdf(path: Path) -> Source:
    texts = page_texts(path)
    blank = [i for i, t in enumerate(texts) if not t.strip()]
    if len(blank) < len(texts) and not legibility("\n".join(texts)).readable:
        raise InputError(str(path), "PDF 的文字层无法识别（字体缺少字符编码映射，复制出的是乱码），"
                                    "请提供可复制文字的 PDF 或先做文字识别")
    scanned = _scanned_pages(path, blank, len(blank) == len(texts)) if blank else {}
    if len(blank) == len(texts) and not any(scanned.values()):
        raise InputError(str(path), "PDF 没有文字层（扫描件），文字识别也没有读出任何文字（空白页或图像太模糊）")
    table_pages = [i for i, t in enumerate(texts) if _TABLE_PAGE.search(re.sub(r"\s+", "", t))]
    lines_by_page: dict[int, list] = {i: t.split("\n") for i, t in enumerate(texts)}
    if table_pages:
        import pdfplumber

        try:
            with pdfplumber.open(str(path)) as pdf:
                for i in table_pages:
                    lines_by_page[i] = _table_page_lines(pdf.pages[i])
        except Exception as exc:
            raise InputError(str(path), f"PDF 表格无法解析（{type(exc).__name__}）") from None
    text_lines: list[str] = []
    where_of_line: list[str] = []  # the page each line of the joined text is on (and whether it was read by OCR)
    for i in range(len(texts)):
        if i in scanned:
            text_lines.extend([text for text, _ in scanned[i]] + [""])
            where_of_line.extend([where for _, where in scanned[i]] + [f"第{i + 1}页"])
            continue
        page_lines = [*lines_by_page[i], ""]
        text_lines.extend(page_lines)
        where_of_line.extend([f"第{i + 1}页"] * len(page_lines))
    lines = [Line(ln.number, ln.text, where_of_line[ln.number - 1]) for ln in clean_lines("\n".join(text_lines))]
    return Source(str(path), "scan" if len(scanned) == len(texts) else "pdf", tuple(lines))
