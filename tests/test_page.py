"""The web page's view of a checked document: every finding on an indicator lands on its row of the
table (a 年度 name cut short in print included), projects worst first, counts that add up."""

from __future__ import annotations

import pytest
from conftest import SAMPLES

from auditor import api
from auditor.report.page import page_document, page_summary


@pytest.fixture(scope="module")
def pages():
    report = api.audit(sorted(SAMPLES.glob("*.txt")), api.Options(jobs=1))
    return [page_document(c, c.document.name) for c in report.documents]


def test_every_indicator_finding_is_on_a_row_of_its_table(pages):
    placed = missed = 0
    for page in pages:
        for project in page["projects"]:
            on_rows = {fp for row in project["rows"] for fp in row["fingerprints"]}
            for f in project["findings"]:
                if f["level3"] is None:
                    continue
                if f["fingerprint"] in on_rows:
                    placed += 1
                else:
                    missed += 1
    assert placed > 100 and missed == 0


def test_projects_worst_first_and_counts_add_up(pages):
    for index, page in enumerate(pages):
        scores = [p["score"] for p in page["projects"] if p["score"] is not None]
        assert scores == sorted(scores)
        summary = page_summary(page, index)
        assert sum(n for *_, n in summary["tally"]) == sum(page["counts"].values())
        flagged = [r for p in page["projects"] for r in p["rows"] if r["severity"]]
        assert all(r["severity"] in ("错误", "警告", "提示") and r["rules"] for r in flagged)
