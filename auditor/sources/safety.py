"""Limits for container formats (xlsx, docx): a zip bomb or an encrypted file is refused with a
clear message before any parser sees it. XML inside is parsed with defusedxml where the
libraries support it (openpyxl does when defusedxml is installed)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import InputError, describe_os_error

MAX_UNCOMPRESSED = 300 * 1024 * 1024  # 300 MB for all parts together
MAX_RATIO = 120  # uncompressed / compressed, for the whole archive
MAX_ENTRIES = 10_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_SHEET_CELLS = 2_000_000  # cells written in all worksheets together
MAX_MERGED_CELLS = 2_000_000  # cells covered by merged ranges (openpyxl makes an object for each)
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Za-z]{1,3})(\d{1,7}):([A-Za-z]{1,3})(\d{1,7})\"")
_CHUNK = 1 << 20


def check_zip_container(path: Path) -> None:
    """Raise InputError for an encrypted Office file, a non-zip, or an archive that expands too far."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise InputError(str(path), f"无法读取（{describe_os_error(exc)}）") from None
    if not head:
        raise InputError(str(path), "文件为空")
    if head == OLE_MAGIC:
        raise InputError(str(path), "文件受密码保护（已加密）或是旧版 Office 格式，"
                                    "请取消密码并另存为 .xlsx/.docx 后再审核")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(str(path), f"文件已损坏或不完整，不是有效的 Office 文件（{exc}）") from None
    if len(infos) > MAX_ENTRIES:
        raise InputError(str(path), f"压缩包内文件过多（{len(infos)} 个），拒绝处理")
    expanded = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if expanded > MAX_UNCOMPRESSED:
        raise InputError(str(path), f"解压后过大（{expanded / 1e6:.0f} MB，上限 {MAX_UNCOMPRESSED / 1e6:.0f} MB），"
                                    "疑似压缩炸弹")
    if expanded / packed > MAX_RATIO and expanded > 20 * 1024 * 1024:
        raise InputError(str(path), f"压缩比异常（{expanded / packed:.0f} 倍），疑似压缩炸弹，拒绝处理")
    _refuse_dtds(path, infos)


def _refuse_dtds(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Office XML never declares a DTD; one that does is an entity-expansion or external-entity attack."""
    with zipfile.ZipFile(path) as archive:
        for info in infos:
            if not info.filename.endswith((".xml", ".rels", ".vml")) or info.file_size == 0:
                continue
            try:
                with archive.open(info) as part:
                    head = part.read(4096)
            except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError) as exc:
                raise InputError(str(path), f"文件已损坏（{info.filename}：{exc}）") from None
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise InputError(str(path), f"{info.filename} 含有 DTD/实体声明，疑似 XML 实体攻击，拒绝处理")


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


def check_sheet_sizes(path: Path) -> None:
    """Count the cells and merged areas every worksheet declares before openpyxl builds them: a
    few bytes of XML (`<mergeCell ref="A1:XFD1048576"/>`) would otherwise become billions of objects."""
    cells = merged = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            with archive.open(info) as part:
                tail = b""
                while True:
                    chunk = part.read(_CHUNK)
                    if not chunk:
                        break
                    data = tail + chunk
                    last = data.rfind(b"<")  # a tag cut by the chunk boundary is read with the next chunk
                    if last <= 0 or len(data) - last > 4096:
                        body, tail = data, b""
                    else:
                        body, tail = data[:last], data[last:]
                    cells += len(_CELL_TAG.findall(body))
                    for c1, r1, c2, r2 in _MERGE_REF.findall(body):
                        rows = abs(int(r2) - int(r1)) + 1
                        columns = abs(_column_number(c2) - _column_number(c1)) + 1
                        merged += rows * columns
                    if cells > MAX_SHEET_CELLS:
                        raise InputError(str(path), f"Excel 表格过大（超过 {MAX_SHEET_CELLS:,} 个单元格），拒绝处理")
                    if merged > MAX_MERGED_CELLS:
                        raise InputError(str(path), f"Excel 文件已损坏或被篡改（合并单元格共覆盖约 {merged:,} 个"
                                                    f"单元格，上限 {MAX_MERGED_CELLS:,}）")
                cells += len(_CELL_TAG.findall(tail))
