"""auditor: audit the quality of Chinese budget performance targets (预算绩效目标)."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["__version__", "extract"]

if TYPE_CHECKING:
    from pathlib import Path

    from .model import Document


def extract(path: str | Path) -> Document:
    """Extract every performance-target table of one document into typed, immutable records."""
    from .extract import extract_path

    return extract_path(path)
