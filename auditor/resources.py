"""Locate the data directories (rules/, models/) that sit beside the package.

Installed from a wheel they are packaged as auditor/_data/…; in a checkout or an editable
install they are the top-level folders of the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    override = os.environ.get(f"AUDITOR_{name.upper()}_DIR")
    if override:
        return Path(override)
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def rules_dir() -> Path:
    return _data_dir("rules")


def models_dir() -> Path:
    return _data_dir("models")
