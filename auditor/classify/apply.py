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
from ..vocabulary import MISFILING_KINDS, categories_under
from .model import LinearTextModel, ModelError, within

VAGUE_KINDS = frozenset({"vague_value", "yes_no_value", "timeliness_no_deadline", "satisfaction_not_numeric",
                         "cost_qualitative"})


@lru_cache(maxsize=4)
def load_model(name: str, directory: str | None = None) -> LinearTextModel:
    return LinearTextModel.load(Path(directory or models_dir()) / f"{name}.json")


Candidate = tuple[Indicator, str, int | None]  # row, table name, row number


def _category_opinion(model: LinearTextModel, rows: Sequence[Indicator]) -> list[tuple[str, float]]:
    """Where the model would file each row: the likeliest class of the row's 一级 block, with its odds
    within the block (the model told the block); a class outside the block only when the model, not told
    the block, is that sure of it outright."""
    from .features import category_features

    texts = [(r.full_name or r.level3, r.value.raw) for r in rows]
    told = model.predict_proba([category_features(name, value, r.level1) for (name, value), r in
                                zip(texts, rows, strict=True)])
    untold = model.predict_proba([category_features(name, value) for name, value in texts])
    out = []
    for row, p, free in zip(rows, told, untold, strict=True):
        block = categories_under(row.level1)
        anywhere = max(free, key=free.get)
        if anywhere not in block:
            out.append((anywhere, free[anywhere]))
            continue
        inside = within(p, block)
        best = max(inside, key=inside.get)
        out.append((best, inside[best]))
    return out


def model_hits(rule: Any, candidates: Sequence[Candidate], findings: Sequence[Finding],
               make: Callable[[Any, Indicator, str, int | None, dict[str, Any]], Finding]) -> list[Finding]:
    """Findings of one model rule over a document's rows (raises ModelError when the model is unusable)."""
    from .features import vague_features

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
        opinions = _category_opinion(model, [r for r, _, _ in rows])
        for (row, table, number), (predicted, confidence) in zip(rows, opinions, strict=True):
            if predicted != row.level2 and confidence >= max(threshold, model.threshold_for(predicted)):
                # a moderately sure opinion is a hint for the reviewer to look, not a warning
                said = rule if confidence >= hint_below else dataclasses.replace(rule, severity="提示")
                out.append(make(said, row, table, number, {"confidence": round(confidence, 3),
                                                          "predicted": predicted}))
    else:
        raise ModelError(f"规则 {rule.code} 指定了未知的模型 {kind}")
    return out
