"""Which files a run audits, and how their paths are shown.

Every file found under an input folder is either audited or reported with its reason (an old
.doc, a picture, a dangling link…): nothing is skipped in silence. Links that lead outside the
folder they were found in are not followed. The run's own outputs are left out, so the output
folder may be the input folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .sources import LEGACY_SUFFIXES, SUPPORTED_SUFFIXES

SUPPORTED_LIST = "、".join(sorted(SUPPORTED_SUFFIXES))
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as it can be printed and written to any report: bytes that are not UTF-8 (a file name
    from another system's encoding) become U+FFFD, control and direction characters '?'."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
    return _UNPRINTABLE.sub("?", text)


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str  # as found (may hold undecodable bytes as surrogates)
    reason: str


def _unsupported(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        return None
    if suffix in LEGACY_SUFFIXES:
        return None  # the reader says how to convert it
    if path.name.startswith("~$"):
        return "Office 临时文件（文件正在被编辑时产生），未审核"
    return f"不支持的文件类型（{suffix or '无扩展名'}），支持：{SUPPORTED_LIST}"


def _walk(folder: Path, outputs: set[Path]) -> Iterable[tuple[Path, str | None]]:
    """Every file below `folder` (sorted), with the reason it is not audited, if any."""
    root = folder.resolve()
    for current, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (Path(current) / d).resolve() not in outputs)
        base = Path(current)
        for directory in list(dirs):
            if (base / directory).is_symlink():
                dirs.remove(directory)
                target = (base / directory).resolve()
                if root not in target.parents and target != root:
                    yield base / directory, "符号链接指向输入文件夹以外，未读取"
                # a link to a folder inside the input is walked there already
        for name in sorted(files):
            if name.startswith("."):
                continue  # hidden files (.DS_Store, our own temporary files)
            path = base / name
            if path.resolve() in outputs:
                continue
            if path.is_symlink():
                target = path.resolve()
                if not target.exists():
                    yield path, "链接指向的文件不存在"
                    continue
                if root not in target.parents:
                    yield path, "符号链接指向输入文件夹以外，未读取"
                    continue
            yield path, _unsupported(path)


def collect_inputs(paths: Iterable[str | os.PathLike[str]],
                   outputs: Iterable[Path] = ()) -> tuple[list[str], list[Skipped]]:
    """Files to audit (as given, folders walked; no repeats) and the files found but not audited.

    `outputs` are the files and folders this run writes: never read as inputs."""
    own = {Path(p).resolve() for p in outputs}
    found: list[str] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            entries = list(_walk(path, own))
        elif path.is_symlink() and not path.exists():
            entries = [(path, "链接指向的文件不存在")]
        else:
            entries = [(path, None)]  # named by the user: read it, or say why not
        for entry, reason in entries:
            key = entry.resolve() if entry.exists() else entry.absolute()
            if key in seen:
                continue
            seen.add(key)
            if reason is None:
                found.append(str(entry))
            else:
                skipped.append(Skipped(str(entry), reason))
    return found, skipped


def no_inputs_message() -> str:
    return f"没有找到可审核的文件（支持 {SUPPORTED_LIST}）"
