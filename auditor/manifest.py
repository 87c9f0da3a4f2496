"""Reports that are already up to date are not written again.

After an audit the output folder holds a manifest: the content hash of every input, the rules,
models and profile (settings digest), the baseline, the options, and the size and time of every
report written. A re-run whose inputs and settings are all the same, with the reports untouched,
reuses them; any change, and everything is written again (unchanged inputs still come from the
cache).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

NAME = ".auditor-manifest.json"


def file_stamp(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def baseline_digest(paths: list[str]) -> str | None:
    """One digest over every baseline workbook (their names and contents), None without any."""
    if not paths:
        return None
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.encode("utf-8", "surrogatepass") + b"\0" + Path(path).read_bytes())
    return digest.hexdigest()


def load(outdir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((outdir / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def up_to_date(outdir: Path, state: dict[str, Any]) -> dict[str, Any] | None:
    """The previous run's manifest when its state equals `state` and its reports are untouched."""
    previous = load(outdir)
    if not previous or previous.get("state") != state:
        return None
    for name, stamp in (previous.get("outputs") or {}).items():
        if file_stamp(outdir / name) != stamp:
            return None
    return previous


def previous_units(outdir: Path, folder: str) -> dict[str, list]:
    """The units' workbooks an earlier run wrote: name → [content key, size, mtime] (see UnitWorkbooks)."""
    previous = load(outdir) or {}
    stamps = previous.get("outputs") or {}
    return {name: [key, *(stamps.get(f"{folder}/{name}") or [None, None])]
            for name, key in (previous.get("units") or {}).items()}


def save(outdir: Path, state: dict[str, Any], outputs: list[Path], summary: dict[str, Any],
         units: dict[str, str] | None = None) -> None:
    from .output import atomic_writer

    data = {"state": state, "summary": summary, "units": units or {},
            "outputs": {p.relative_to(outdir).as_posix(): file_stamp(p) for p in outputs}}
    with atomic_writer(outdir / NAME) as handle:
        json.dump(data, handle, ensure_ascii=False)
