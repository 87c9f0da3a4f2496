"""Uploaded files into one job's folder and nowhere else.

A file arrives as a stream and is counted while it is written (a declared length is checked before a
byte is read, and the bytes actually sent are counted against the same caps, since a client can lie);
a zip of a department's files is unpacked member by member after every member's name, kind and size
were checked: absolute paths, `..`, links, encrypted members and zip bombs refuse the whole archive.
"""

from __future__ import annotations

import re
import secrets
import shutil
import stat
import unicodedata
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MB = 1024 * 1024
_CHUNK = 256 * 1024
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f<>:\"|?*\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_DRIVE = re.compile(r"^[A-Za-z]:")


class UploadRefused(Exception):
    """An upload the server will not keep; the message (Chinese) names the file and the reason."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Limits:
    """What one job may hold. The per-file size is the batch's own --max-size."""

    max_file_mb: float = 50.0
    max_job_mb: float = 200.0  # everything uploaded to one job, as sent
    max_files: int = 500  # files in one job, a zip's members counted
    max_expanded_mb: float = 1000.0  # a job's files once its zips are unpacked
    max_ratio: float = 200.0  # a member that expands more than this from its compressed size is a bomb


def safe_name(name: str) -> str:
    """A file name that can only name a file inside its folder, or UploadRefused."""
    cleaned = unicodedata.normalize("NFC", name or "").strip()
    if not cleaned or "/" in cleaned or "\\" in cleaned or _DRIVE.match(cleaned):
        raise UploadRefused(f"文件名“{cleaned[:80]}”不能包含路径，请只上传文件本身")
    cleaned = _UNSAFE_CHARS.sub("_", cleaned)
    if cleaned.strip(".") == "":
        raise UploadRefused(f"文件名“{cleaned}”无效")
    if cleaned.startswith("."):  # a hidden file would be passed over by the audit, silently
        cleaned = "_" + cleaned[1:]
    if len(cleaned.encode("utf-8")) > 200:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (stem if dot else cleaned)[:60] + (f".{suffix[:10]}" if dot else "")
    return cleaned


def _free_path(folder: Path, name: str) -> Path:
    """`name` in `folder`, or "name (2).ext" when taken."""
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists():
        target = folder / f"{stem} ({n}){suffix}"
        n += 1
    return target


class JobFolder:
    """A job's own folder: `inputs/` holds the files to audit, `out/` the reports. Every path it writes
    is checked to lie inside it."""

    def __init__(self, root: Path, limits: Limits) -> None:
        self.root = root.resolve()
        self.inputs = self.root / "inputs"
        self.out = self.root / "out"
        self.pages = self.root / "page"  # each audited document as the page draws it (JSON)
        self.units_zip = self.root / "各单位审核意见.zip"
        self.limits = limits
        self.inputs.mkdir(parents=True, exist_ok=True)
        self.received = 0  # bytes sent to this job
        self.expanded = 0  # bytes of the files kept
        self.pending = 0  # uploads still arriving
        self.files: list[str] = []  # as the audit names them: "单位.pdf", "部门/单位.pdf" (from 部门.zip)

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise UploadRefused(f"“{path.name}”会写到任务文件夹以外，已拒绝")
        return resolved

    def _room(self, name: str, files: int = 1, in_flight: int = 0) -> None:
        """Refuse `files` more when the job is full (files still arriving hold their place)."""
        if len(self.files) + self.pending - in_flight + files > self.limits.max_files:
            raise UploadRefused(f"“{name}”：文件太多（一次最多 {self.limits.max_files} 个文件）", 413)

    async def receive(self, name: str, chunks: AsyncIterator[bytes], declared: int | None) -> list[str]:
        """Save one uploaded file (a zip is unpacked); the names of the files it added. Several may
        arrive at once: the bytes are counted against the job's cap as they come, so together they
        cannot pass it either."""
        name = safe_name(name)
        self._room(name)
        is_zip = name.lower().endswith(".zip")
        limit_file = (self.limits.max_job_mb if is_zip else self.limits.max_file_mb) * MB
        limit_job = self.limits.max_job_mb * MB
        if declared is not None and (declared > limit_file or self.received + declared > limit_job):
            raise UploadRefused(self._too_large(name, declared, limit_file), 413)
        partial = self._inside(self.root / f".upload-{secrets.token_hex(8)}.part")
        size = 0
        self.pending += 1
        try:
            with open(partial, "xb") as handle:
                async for chunk in chunks:
                    size += len(chunk)
                    self.received += len(chunk)
                    if size > limit_file or self.received > limit_job:
                        raise UploadRefused(self._too_large(name, size, limit_file), 413)
                    handle.write(chunk)
            if is_zip:
                return self._unpack(name, partial)
            return [self._keep(name, partial, size)]
        except BaseException:
            self.received -= size  # a refused file takes no room
            raise
        finally:
            self.pending -= 1
            partial.unlink(missing_ok=True)

    def _too_large(self, name: str, size: float, limit_file: float) -> str:
        if size > limit_file:
            return f"“{name}”过大（{size / MB:.1f} MB，每个文件上限 {limit_file / MB:g} MB）"
        return f"“{name}”放不下：这次上传的文件合计上限 {self.limits.max_job_mb:g} MB"

    def _keep(self, name: str, partial: Path, size: int, folder: Path | None = None, shown: str | None = None) -> str:
        if self.expanded + size > self.limits.max_expanded_mb * MB:
            raise UploadRefused(f"“{shown or name}”放不下：解压后的文件合计上限 "
                                f"{self.limits.max_expanded_mb:g} MB", 413)
        folder = self._inside(folder or self.inputs)
        folder.mkdir(parents=True, exist_ok=True)
        target = self._inside(_free_path(folder, name))
        partial.replace(target)
        self.expanded += size
        kept = target.relative_to(self.inputs).as_posix()
        self.files.append(kept)
        return kept

    def _unpack(self, name: str, archive: Path) -> list[str]:
        try:
            with zipfile.ZipFile(archive) as zipped:
                members = self._members(name, zipped)
                self._room(name, len(members), in_flight=1)
                folder = _free_path(self.inputs, safe_name(Path(name).stem) or "压缩包")
                kept = []
                for info, parts in members:
                    kept.append(self._extract(name, zipped, info, folder, parts))
                return kept
        except zipfile.BadZipFile as exc:
            raise UploadRefused(f"“{name}”不是有效的 zip 压缩包（{exc}）") from exc

    def _members(self, name: str, zipped: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, list[str]]]:
        """Every member checked before one is unpacked: the archive is kept whole or refused whole."""
        members = []
        total = 0
        for info in zipped.infolist():
            member = _member_name(info)
            where = f"“{name}”中的“{member[:80]}”"
            if member.startswith(("/", "\\")) or _DRIVE.match(member):
                raise UploadRefused(f"{where}是绝对路径，压缩包已拒绝")
            parts = [p for p in PurePosixPath(member.replace("\\", "/")).parts if p not in ("", ".")]
            if ".." in parts:
                raise UploadRefused(f"{where}含有“..”，会解压到别处，压缩包已拒绝")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UploadRefused(f"{where}是链接，压缩包已拒绝")
            if info.flag_bits & 0x1:
                raise UploadRefused(f"{where}已加密，请先解密再上传")
            if info.is_dir() or not parts:
                continue
            if info.file_size > MB and info.file_size > self.limits.max_ratio * max(info.compress_size, 1):
                raise UploadRefused(f"“{name}”是压缩炸弹（“{member[:80]}”压缩比超过 {self.limits.max_ratio:g} 倍），"
                                    "已拒绝", 413)
            if info.file_size > self.limits.max_file_mb * MB:
                raise UploadRefused(f"{where}过大（{info.file_size / MB:.1f} MB，每个文件上限 "
                                    f"{self.limits.max_file_mb:g} MB）", 413)
            total += info.file_size
            if self.expanded + total > self.limits.max_expanded_mb * MB:
                raise UploadRefused(f"“{name}”解压后过大（上限 {self.limits.max_expanded_mb:g} MB）", 413)
            members.append((info, [safe_name(p) for p in parts]))
        return members

    def _extract(self, name: str, zipped: zipfile.ZipFile, info: zipfile.ZipInfo, folder: Path,
                 parts: list[str]) -> str:
        partial = self._inside(self.root / f".member-{secrets.token_hex(8)}.part")
        written = 0
        try:
            with zipped.open(info) as source, open(partial, "xb") as handle:
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    if written > info.file_size:  # the header lied about the size
                        raise UploadRefused(f"“{name}”中的“{'/'.join(parts)}”比声明的大，压缩包已拒绝", 413)
                    handle.write(chunk)
            target_folder = folder.joinpath(*parts[:-1])
            shown = f"{Path(name).name}/{'/'.join(parts)}"
            return self._keep(parts[-1], partial, written, target_folder, shown)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
            raise UploadRefused(f"“{name}”中的“{'/'.join(parts)}”无法解压（{exc}）") from exc
        finally:
            partial.unlink(missing_ok=True)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author wrote it: archives made on Chinese Windows store GBK names without
    the UTF-8 flag, which zipfile decodes as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename
