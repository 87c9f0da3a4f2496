"""Every input that once broke the fuzzing campaign (fuzz/crashes/) stays fixed, and a short
campaign runs in the normal test run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
spec = importlib.util.spec_from_file_location("campaign", FUZZ / "campaign.py")
campaign = importlib.util.module_from_spec(spec)
spec.loader.exec_module(campaign)
CRASHES = sorted((FUZZ / "crashes").glob("*.bin")) if (FUZZ / "crashes").exists() else []
OFFICE_CRASHES = sorted((FUZZ / "crashes").glob("*.name")) if (FUZZ / "crashes").exists() else []


if CRASHES:
    @pytest.mark.parametrize("path", CRASHES, ids=lambda p: p.stem)
    def test_former_crash_stays_fixed(path):
        assert campaign.run_one(path.read_bytes()) is None


if OFFICE_CRASHES:
    @pytest.mark.parametrize("name", OFFICE_CRASHES, ids=lambda p: p.stem)
    def test_former_office_crash_stays_fixed(name):
        assert campaign.run_office(name.read_bytes(), name.with_suffix(".office").read_bytes()) is None


def test_short_office_campaign():
    """Office files with mutated declared sizes under mutated names, through the batch's audit_file."""
    from auditor.pool import KillingPool

    pool = KillingPool(work=campaign.office_task, on_timeout=lambda seed: (seed, "timeout"),
                       on_crash=lambda seed: (seed, "worker died"), jobs=2, timeout_s=120,
                       memory_mb=campaign.OFFICE_MEMORY_MB)
    problems = list(pool.map(range(16)))
    assert [p for p in problems if p[1]] == []


def test_short_campaign():
    problems = [campaign.run_one(campaign.make_input(seed)) for seed in range(500)]
    assert [p for p in problems if p] == []
