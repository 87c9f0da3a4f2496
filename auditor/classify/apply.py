"""Model findings: vague values the rules did not catch, and indicators filed under another 二级.

Rows are predicted in one batch per document; the models load on first use only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..model import Finding, Indicator
from ..resources import models_dir
from ..vocabulary import MISFILING_KINDS
from .model import LinearTextModel, ModelError

VAGUE_KINDS = frozenset({"vague_value", "yes_no_value", "timeliness_no_deadline", "satisfaction_not_numeric",
                         "cost_qualitative"})


@lru_cache(maxsize=4)
def load_model(name: str, directory: str | None = None) -> LinearTextModel:
    return LinearTextModel.load(Path(directory or models_dir()) / f"{name}.json")


Candidate = tuple[Indicator, str, int | None]  # row, table name, row number


def model_hits(rule: Any, candidates: Sequence[Candidate], findings: Sequence[Finding],
               make: Callable[[Any, Indicator, str, int | None, dict[str, Any]], Finding]) -> list[Finding]:
    """Findings of one model rule over a document's rows (raises ModelError when the model is unusable)."""
    from .features import category_features, vague_features

    kind = rule.params.get("model")
    flagged: dict[tuple[str | None, str | None, int | None], set[str]] = {}
    for f in findings:
        flagged.setdefault((f.project, f.period, f.location.line), set()).add(f.kind)
    model = load_model(kind)
    threshold = float(rule.params.get("threshold", model.threshold))
    hint_below = float(rule.params.get("hint_below", 0.0))
    out: list[Finding] = []
    if kind == "vague":
        rows = [c for c in candidates if c[0].value.text and not (
            flagged.get((c[1], c[0].period, c[0].line), set()) & VAGUE_KINDS)]
        probabilities = model.predict_proba([vague_features(r.level2, r.level3, r.value.raw) for r, _, _ in rows])
        for (row, table, number), p in zip(rows, probabilities, strict=True):
            if p.get("1", 0.0) >= threshold:
                out.append(make(rule, row, table, number, {"confidence": round(p["1"], 3)}))
    elif kind == "category":
        rows = [c for c in candidates if c[0].level3.strip() and c[0].level2 in model.classes
                and not flagged.get((c[1], c[0].period, c[0].line), set()) & MISFILING_KINDS]
        probabilities = model.predict_proba([category_features(r.full_name or r.level3, r.value.raw)
                                             for r, _, _ in rows])
        for (row, table, number), p in zip(rows, probabilities, strict=True):
            predicted = max(p, key=p.get)
            if predicted != row.level2 and p[predicted] >= max(threshold, model.threshold_for(predicted)):
                # a moderately sure opinion is a hint for the reviewer to look, not a warning
                said = rule if p[predicted] >= hint_below else dataclasses.replace(rule, severity="提示")
                out.append(make(said, row, table, number, {"confidence": round(p[predicted], 3),
                                                          "predicted": predicted}))
    else:
        raise ModelError(f"规则 {rule.code} 指定了未知的模型 {kind}")
    return out
