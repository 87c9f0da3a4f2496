"""Limits for container formats (xlsx, docx): a zip bomb or an encrypted file is refused with a
clear message before any parser sees it. XML inside is parsed with defusedxml where the
libraries support it (openpyxl does when defusedxml is installed)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import InputError

MAX_UNCOMPRESSED = 300 * 1024 * 1024  # 300 MB for all parts together
MAX_RATIO = 120  # uncompressed / compressed, for the whole archive
MAX_ENTRIES = 10_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_zip_container(path: Path) -> None:
    """Raise InputError for an encrypted Office file, a non-zip, or an archive that expands too far."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise InputError(str(path), f"无法读取（{exc.strerror or exc}）") from None
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
