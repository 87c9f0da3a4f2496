"""Writing files safely: atomic replacement, and document text that never becomes a formula."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_TEMPORARY = re.compile(r"^\.auditor-(\d+)-[0-9a-z_]+\.tmp$")


@contextlib.contextmanager
def atomic_writer(path: str | Path, binary: bool = False) -> Iterator[IO[Any]]:
    """Write to a temporary file beside `path`, then rename it over `path` (never half a report).

    The temporary name is short (a long target name must not push it past 255 bytes) and carries
    this process's id, so a later run can tell a killed run's leftovers from a live run's files."""
    target = Path(path)
    _make_folder(target.parent, target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".auditor-{os.getpid()}-", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # name the file the user asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    try:
        mode = "wb" if binary else "w"
        with os.fdopen(fd, mode, **({} if binary else {"encoding": "utf-8", "newline": ""})) as handle:
            yield handle
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 0600; a report gets the usual permissions
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _make_folder(folder: Path, target: Path) -> None:
    """The folder a report goes in; a file standing where a folder is needed is named, with the
    report that could not be written (OSError's filename and filename2)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        import errno

        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder)
        raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(blocker), None, str(target)) from exc


def temporary_path(target: Path) -> Path:
    """A fresh temporary name beside `target`, of the kind remove_stale_temporaries recognises (for
    writers that need a path rather than a handle: xlsxwriter's constant_memory mode)."""
    fd, tmp = tempfile.mkstemp(prefix=f".auditor-{os.getpid()}-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return Path(tmp)


def remove_stale_temporaries(*folders: Path) -> int:
    """Delete temporary files that an earlier, killed run of this tool left in `folders`."""
    removed = 0
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            match = _TEMPORARY.match(name)
            if match and not _alive(int(match.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(folder / name)
                    removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else (or not knowable here): leave its files alone
    return True


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(path: str | Path | None, data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if path is not None:
        with atomic_writer(path) as handle:
            handle.write(text + "\n")
    return text


def csv_safe(value: Any) -> Any:
    """CSV cells that a spreadsheet would run as a formula get a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(path: str | Path | None, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str | None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    if path is None:
        return buffer.getvalue()
    with atomic_writer(path) as handle:
        handle.write("\ufeff" + buffer.getvalue())  # BOM: Excel opens UTF-8 CSV correctly
    return None


def display_width(text: str) -> int:
    """Column width in Excel units: CJK characters count double.

    UTF-8 spends 1 byte on ASCII and 3 on CJK, so (bytes + characters) / 2 gives 1 and 2 without
    a per-character lookup (this runs for every cell of a large report)."""
    return (len(text.encode("utf-8", "surrogatepass")) + len(text)) // 2
