"""A linear text model stored as plain JSON and applied without scikit-learn.

The JSON holds what a fitted TfidfVectorizer(analyzer=str.split-equivalent, l2 norm) and
LogisticRegression need to predict: the vocabulary, the idf weights, the coefficients, the
intercepts, the class labels and the decision threshold chosen in training.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def within(probabilities: dict[str, float], allowed: tuple[str, ...]) -> dict[str, float]:
    """The probabilities of the allowed classes, scaled to sum to one (the classes' odds among themselves
    are the model's; all of them when none is allowed)."""
    chosen = {c: p for c, p in probabilities.items() if c in allowed}
    total = sum(chosen.values())
    return {c: p / total for c, p in chosen.items()} if total > 0 else dict(probabilities)


class ModelError(Exception):
    """A model file that is missing, unreadable or not a model of this tool (names the file)."""


@dataclass(frozen=True)
class LinearTextModel:
    name: str
    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]  # one row per class (one row in total for two classes)
    intercept: tuple[float, ...]
    threshold: float
    sublinear_tf: bool = False
    # per predicted class, where calibration on real rows asked for more than `threshold`
    thresholds: dict[str, float] = field(default_factory=dict)

    def threshold_for(self, predicted: str) -> float:
        return max(self.threshold, self.thresholds.get(predicted, self.threshold))

    def _vector(self, text: str) -> dict[int, float]:
        counts: dict[int, float] = {}
        for token in text.split():
            index = self.vocabulary.get(token)
            if index is not None:
                counts[index] = counts.get(index, 0.0) + 1.0
        if self.sublinear_tf:
            counts = {i: 1.0 + math.log(c) for i, c in counts.items()}
        weighted = {i: c * self.idf[i] for i, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in weighted.values()))
        return {i: v / norm for i, v in weighted.items()} if norm else weighted

    def predict_proba(self, texts: list[str]) -> list[dict[str, float]]:
        """Class probabilities for each text, as sklearn's predict_proba computes them."""
        out = []
        for text in texts:
            x = self._vector(text)
            scores = [sum(row[i] * v for i, v in x.items()) + b for row, b in zip(self.coef, self.intercept,
                                                                                     strict=True)]
            if len(self.classes) == 2:
                p = 1.0 / (1.0 + math.exp(-scores[0]))
                out.append({self.classes[0]: 1.0 - p, self.classes[1]: p})
            else:
                top = max(scores)
                exps = [math.exp(s - top) for s in scores]
                total = sum(exps)
                out.append({c: e / total for c, e in zip(self.classes, exps, strict=True)})
        return out

    def to_json(self) -> dict[str, Any]:
        return {"format": "auditor-linear-text-model", "version": 1, "name": self.name, "classes": list(self.classes),
                "threshold": self.threshold, "thresholds": dict(self.thresholds), "sublinear_tf": self.sublinear_tf,
                "vocabulary": self.vocabulary,
                "idf": list(self.idf), "coef": [list(r) for r in self.coef], "intercept": list(self.intercept)}

    @classmethod
    def load(cls, path: Path) -> LinearTextModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError(f"{path}: 模型文件不存在（运行 auditor train 生成）") from None
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: 模型文件无法读取（{exc}）") from None
        try:
            if data.get("format") != "auditor-linear-text-model":
                raise ValueError("不是本工具的模型文件")
            model = cls(name=str(data["name"]), classes=tuple(map(str, data["classes"])),
                        vocabulary={str(k): int(v) for k, v in data["vocabulary"].items()},
                        idf=tuple(map(float, data["idf"])), coef=tuple(tuple(map(float, r)) for r in data["coef"]),
                        intercept=tuple(map(float, data["intercept"])), threshold=float(data["threshold"]),
                        sublinear_tf=bool(data.get("sublinear_tf", False)),
                        thresholds={str(k): float(v) for k, v in (data.get("thresholds") or {}).items()})
            width = len(model.idf)
            rows = 1 if len(model.classes) == 2 else len(model.classes)
            if len(model.coef) != rows or any(len(r) != width for r in model.coef) or len(model.intercept) != rows \
                    or max(model.vocabulary.values(), default=-1) >= width:
                raise ValueError("权重的维度不一致")
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"{path}: 模型文件已损坏（{exc}）") from None
        return model
