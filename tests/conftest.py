"""Shared fixtures: the bundled samples, their hand-checked gold, and the scorer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLD = Path(__file__).resolve().parent / "fixtures" / "gold"
BUDGET_SAMPLES = ["000_6173ad3f6f2e28ea", "002_4d30544783f67109", "003_42fbab3105c3da5b"]


@pytest.fixture(scope="session")
def scorer():
    spec = importlib.util.spec_from_file_location("score_extraction", GOLD.parent / "score_extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def documents():
    """Every sample extracted once for the whole session."""
    from auditor.extract import extract_path

    return {p.stem: extract_path(p) for p in sorted(SAMPLES.glob("*.txt"))}


@pytest.fixture(scope="session")
def gold():
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.json"))}


def project_named(doc, name):
    matches = [p for p in doc.projects if p.name == name]
    assert matches, f"no project named {name!r} in {doc.path}"
    return matches[0]


def rows(project, period="实施期"):
    source = project.indicators if period == "实施期" else project.annual_indicators
    return [(r.level1, r.level2, r.level3, r.value.raw) for r in source]
