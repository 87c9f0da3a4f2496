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


def sample_regions(root: Path, rename: dict[str, str] | None = None) -> Path:
    """The samples filed by two regions' folders (eight documents); `rename`: text replaced in the second
    region's copies (their units then differ from the first's)."""
    for region in ("东城区", "西城区"):
        (root / region).mkdir(parents=True)
        for sample in sorted(SAMPLES.glob("*.txt")):
            text = sample.read_text(encoding="utf-8")
            for old, new in (rename or {}).items() if region == "西城区" else ():
                text = text.replace(old, new)
            (root / region / sample.name).write_text(text, encoding="utf-8")
    return root


def project_named(doc, name):
    matches = [p for p in doc.projects if p.name == name]
    assert matches, f"no project named {name!r} in {doc.path}"
    return matches[0]


def rows(project, period="实施期"):
    source = project.indicators if period == "实施期" else project.annual_indicators
    return [(r.level1, r.level2, r.level3, r.value.raw) for r in source]


VAGUE_KINDS = {"vague_value", "yes_no_value", "timeliness_no_deadline", "satisfaction_not_numeric", "cost_qualitative"}


def _n(text):
    import re
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def vague_scores(documents, gold, rules=None):
    """Rows flagged by a vague-type finding vs the gold `vague` labels of the budget samples:
    (precision, recall, tp, fp, fn). A row counts as flagged by any finding of those kinds."""
    from auditor.check import check_document

    tp = fp = fn = 0
    for stem in BUDGET_SAMPLES:
        flagged = {(_n(f.project), _n(f.level3), _n(f.value)) for f in check_document(documents[stem], rules)
                   if f.kind in VAGUE_KINDS and f.period in ("实施期", None)}
        g = gold[stem]
        tables = [(p["name"], p) for p in g["projects"]] + [("（整体支出绩效目标表）", o) for o in g["overall"]]
        for name, table in tables:
            for row in table["indicators"]:
                hit = (_n(name), _n(row["level3"]), _n(row["value"])) in flagged
                tp += row["vague"] and hit
                fn += row["vague"] and not hit
                fp += hit and not row["vague"]
    return tp / (tp + fp), tp / (tp + fn), tp, fp, fn
