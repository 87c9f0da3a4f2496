"""Every named check a rule may call, by scope, in one explicit table.

A rule pack names its check (`check: cost_exceeds_budget`); a pack is validated against this
table when it loads, so a misspelt name is an error naming the file and line before any document
is read, never a KeyError in the middle of a batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# the modules that define named checks: each registers its functions with @project_check or
# @document_check as it is imported here, and nowhere else
from . import document_checks, pair_checks, project_checks, selfeval_checks  # noqa: F401

ROW_CHECKS = ("match", "model")  # conditions over one row (conditions.py); the classifier (classify/)

PROJECT_CHECKS: Mapping[str, Any] = dict(project_checks.PROJECT_CHECKS)  # selfeval_checks' included
DOCUMENT_CHECKS: Mapping[str, Any] = dict(document_checks.DOCUMENT_CHECKS)
PAIR_CHECKS: Mapping[str, Any] = dict(pair_checks.PAIR_CHECKS)  # a project and its earlier year (across.py)
BATCH_CHECKS = ("similar_projects",)  # across the units of a batch (across.similar_groups)


def checks_for(scope: str) -> set[str]:
    return {"row": set(ROW_CHECKS), "project": set(PROJECT_CHECKS), "document": set(DOCUMENT_CHECKS),
            "pair": set(PAIR_CHECKS), "batch": set(BATCH_CHECKS)}[scope]
