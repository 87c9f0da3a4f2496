"""The classifier: plain-JSON artifacts, predictions equal to scikit-learn's, the card's figures,
and its findings on the samples."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import BUDGET_SAMPLES, vague_scores

from auditor.check import check_document, load_rules
from auditor.classify.apply import load_model
from auditor.classify.model import LinearTextModel, ModelError
from auditor.resources import models_dir

CARD = json.loads((models_dir() / "card.json").read_text(encoding="utf-8"))


def _n(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def test_artifacts_are_plain_json_without_pickle():
    for name in ("vague", "category"):
        raw = (models_dir() / f"{name}.json").read_bytes()
        assert not raw.startswith((b"\x80", b"PK"))  # not a pickle, not a zip (joblib/skops)
        data = json.loads(raw)
        assert data["format"] == "auditor-linear-text-model" and set(data) >= {"vocabulary", "idf", "coef"}
    assert not list(models_dir().glob("*.pkl")) and not list(models_dir().glob("*.joblib"))


def test_card_figures_meet_the_bars():
    vague, category = CARD["models"]["vague"], CARD["models"]["category"]
    assert vague["grouped_cv"]["f1"] >= 0.92
    assert category["grouped_cv"]["accuracy"] >= 0.85
    assert CARD["data"]["heldout.csv"]["rows"] >= 150 and vague["heldout"]["f1"] >= 0.9
    for name in ("gold.csv", "authored.csv", "templated.csv", "heldout.csv"):
        assert len(CARD["data"][name]["sha256"]) == 64
    assert "scikit-learn" in CARD["versions"]


def test_json_model_predicts_like_scikit_learn(tmp_path):
    from auditor.classify.train import _fit, to_model

    texts = ["w:及时 NODIGIT", "w:≥95% DIGIT", "w:提高 NODIGIT", "w:2026年 DIGIT", "w:良好 NODIGIT c:良"]
    labels = ["1", "0", "1", "0", "1"]
    pipeline = _fit(texts, labels)
    model = to_model(pipeline, "t", 0.5)
    path = tmp_path / "t.json"
    path.write_text(json.dumps(model.to_json()), encoding="utf-8")
    loaded = LinearTextModel.load(path)
    probe = ["w:及时 NODIGIT c:及", "w:≥90% DIGIT", "unknown tokens only"]
    for mine, theirs in zip(loaded.predict_proba(probe), pipeline.predict_proba(probe), strict=True):
        assert mine["1"] == pytest.approx(theirs[list(pipeline.classes_).index("1")], abs=1e-9)


def test_training_is_deterministic_on_one_machine(tmp_path):
    """Same data, same seed → identical files, twice on this machine (bytes across machines may differ:
    floating-point results depend on the numerical libraries' build)."""
    from auditor.classify.train import train

    first = train(models_dir() / "data", tmp_path / "a")
    second = train(models_dir() / "data", tmp_path / "b")
    for name in ("vague", "category", "card"):
        assert (tmp_path / "a" / f"{name}.json").read_bytes() == (tmp_path / "b" / f"{name}.json").read_bytes()
    assert first == second


def _heldout_predictions(models: Path) -> dict[str, list[dict[str, float]]]:
    from auditor.classify.features import vague_features
    from auditor.classify.train import category_text, read_rows

    rows = read_rows(models_dir() / "data" / "heldout.csv")
    vague = LinearTextModel.load(models / "vague.json")
    category = LinearTextModel.load(models / "category.json")
    return {"vague": vague.predict_proba([vague_features(r.level2, r.level3, r.value) for r in rows]),
            "category": category.predict_proba([category_text(r) for r in rows])}


def test_committed_models_behave_as_retrained_and_as_the_card_says(tmp_path):
    """The committed models are checked by what they predict on held-back rows, not by their bytes."""
    from auditor.classify.train import train

    card = train(models_dir() / "data", tmp_path)
    committed, retrained = _heldout_predictions(models_dir()), _heldout_predictions(tmp_path)
    for name in ("vague", "category"):
        for mine, fresh in zip(committed[name], retrained[name], strict=True):
            assert mine.keys() == fresh.keys()
            for label, probability in mine.items():
                assert probability == pytest.approx(fresh[label], abs=1e-4)
        for figures in ("grouped_cv", "heldout"):
            for key, value in CARD["models"][name][figures].items():
                if isinstance(value, float):
                    assert card["models"][name][figures][key] == pytest.approx(value, abs=0.01), (name, key)
        assert card["models"][name]["threshold"] == CARD["models"][name]["threshold"]
        real, committed_real = card["models"][name]["real_rows_cv"], CARD["models"][name]["real_rows_cv"]
        assert real["accuracy"]["value"] == pytest.approx(committed_real["accuracy"]["value"], abs=0.01)
        assert real["per_class"].keys() == committed_real["per_class"].keys()
    assert card["data"] == CARD["data"]
    # issue 19's bar, on real rows with each document left out: the retrained model must still reach it
    assert card["models"]["category"]["real_rows_cv"]["accuracy"]["value"] >= 0.85


def test_categories_within_a_block():
    from auditor.classify.model import within
    from auditor.vocabulary import CATEGORIES, categories_under

    assert categories_under("成本指标") == ("成本指标",)
    assert categories_under("效益指标") == ("经济效益", "社会效益", "生态效益", "可持续影响")
    assert "成本指标" in categories_under("产出指标") and categories_under(None) == CATEGORIES
    assert within({"A": 0.2, "B": 0.2, "C": 0.6}, ("A", "B")) == pytest.approx({"A": 0.5, "B": 0.5})
    assert within({"A": 0.4, "C": 0.6}, ("B",)) == {"A": 0.4, "C": 0.6}  # nothing allowed: left as it was


def test_category_features_read_worded_values_and_the_block():
    from auditor.classify.features import category_features

    worded = category_features("资金拨付合规性", "合规合规", "产出指标").split()
    assert "v:合规" in worded and "L1=产出指标" in worded
    numeric = category_features("资金拨付合规性", "100%").split()
    assert not [t for t in numeric if t.startswith(("v:", "vc:", "L1="))]
    assert numeric.count("KIND=percent") == 3  # the value's kind weighs as much as three words of the name


def test_misfiling_across_blocks_needs_the_model_sure_without_the_block():
    """Within its block a row is judged among that block's classes; a class of another block is reported
    only when the model, not told the block, is as sure of it (a satisfaction survey under 社会效益)."""
    from auditor.check.examples import run_example
    from auditor.check.profile import load_profile

    (ml02,) = [r for r in load_rules() if r.code == "ML02"]
    profile = load_profile()
    (across,) = run_example(ml02, {"level2": "社会效益", "level3": "受益群众满意度", "value": "≥90%"}, profile)
    assert "服务对象满意度" in across.message
    (inside,) = run_example(ml02, {"level2": "质量指标", "level3": "系统故障修复时间", "value": "≤4小时"}, profile)
    assert "时效指标" in inside.message
    assert not run_example(ml02, {"level2": "社会效益", "level3": "受益群众人数", "value": "≥1200人"}, profile)


def test_wilson_interval():
    from auditor.classify.train import wilson

    assert wilson(5, 10) == pytest.approx([0.2366, 0.7634], abs=1e-4)
    assert wilson(0, 0) is None and wilson(10, 10)[1] == 1.0 and wilson(0, 10)[0] == 0.0


def test_card_reports_real_rows_alone_per_class_with_intervals():
    """Figures on real rows are reported apart from the written and templated ones, never lifted by them."""
    for name in ("vague", "category"):
        real = CARD["models"][name]["real_rows_cv"]
        gold_rows = CARD["data"]["gold.csv"]["rows"]
        assert 0 < real["rows"] <= gold_rows
        assert sum(c["recall"]["rows"] for c in real["per_class"].values()) == real["rows"]
        for figures in real["per_class"].values():
            for rate in (figures["precision"], figures["recall"]):
                if rate["rows"]:
                    low, high = rate["ci95"]
                    assert low <= rate["value"] <= high
        assert 0 <= real["share_reaching_threshold"] <= 1


@pytest.mark.parametrize("content,problem", [(None, "不存在"), ("{not json", "无法读取"),
                                             ('{"format": "other"}', "已损坏"),
                                             ('{"format": "auditor-linear-text-model", "name": "x"}', "已损坏")])
def test_missing_or_corrupt_model_is_a_clear_error(tmp_path, content, problem):
    path = tmp_path / "vague.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match=problem):
        LinearTextModel.load(path)


def test_rules_still_run_without_models(documents, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from auditor.cli import main

    monkeypatch.setenv("AUDITOR_MODELS_DIR", str(tmp_path))
    load_model.cache_clear()
    try:
        warnings: list[str] = []
        findings = check_document(documents["002_4d30544783f67109"], warnings=warnings)
        assert findings and warnings and "模型文件不存在" in warnings[0]
        result = CliRunner().invoke(main, ["check", "samples/002_4d30544783f67109.txt"])
        assert result.exit_code == 1 and "ML01" in result.stderr and "其余规则照常审核" in result.stderr
    finally:
        load_model.cache_clear()


def test_rules_and_model_on_the_gold_vague_labels(documents, gold):
    """Rules and model together: recall ≥ 0.97 at precision ≥ 0.95."""
    precision, recall, *counts = vague_scores(documents, gold)
    assert recall >= 0.97 and precision >= 0.95, (precision, recall, counts)


KNOWN_MISFILINGS = {("协同办公平台运维费", "办公系统维护故障处理"), ("政务网运行安全维护", "系统故障修复处理时间"),
                    ("2026年中小企业发展专项资金—“专精特新”奖励资金(朔财建[2025]100号)", "促进中小企业合规运营"),
                    ("长治市屯留区锦麟国有资本投资运营有限公司2026年初始运营资金", "防止国有资产流失"),
                    ("长治市屯留区锦麟国有资本投资运营有限公司2026年运营资金", "防止国有资产流失")}


def test_misplaced_indicator_on_the_samples(documents):
    """Fires on the known misfilings; on fewer than 3% of the correctly filed rows."""
    flagged, correct_rows, false_alarms = set(), 0, 0
    for stem in BUDGET_SAMPLES:
        doc = documents[stem]
        hits = {(f.project, f.level3) for f in check_document(doc) if f.kind == "misplaced_indicator"
                and f.period == "实施期"}
        flagged |= hits
        for p in doc.projects:
            for r in p.indicators:
                if (p.name, r.level3) not in KNOWN_MISFILINGS and r.level3:
                    correct_rows += 1
                    false_alarms += (p.name, r.level3) in hits
    assert flagged >= KNOWN_MISFILINGS
    assert false_alarms / correct_rows < 0.03, (false_alarms, correct_rows)


def test_model_findings_carry_source_and_confidence():
    from auditor.check.examples import run_example
    from auditor.check.profile import load_profile

    (ml02,) = [r for r in load_rules() if r.code == "ML02"]
    (finding,) = run_example(ml02, {"level2": "质量指标", "level3": "设备故障响应时间", "value": "≤2小时"},
                             load_profile())
    assert finding.source == "model" and 0.8 <= finding.confidence <= 1 and "时效指标" in finding.message


def test_class_thresholds_rise_until_real_predictions_are_precise():
    from auditor.classify.train import class_thresholds

    labels = ["A", "B", "A", "B"]
    oof = [{"A": 0.9, "B": 0.1}, {"A": 0.85, "B": 0.15}, {"A": 0.95, "B": 0.05}, {"A": 0.1, "B": 0.9}]
    assert class_thresholds(labels, oof, 0.8) == {"A": 0.86}  # B's one confident prediction is right


def test_corrections_name_real_rows_and_the_model_uses_them():
    import csv

    from auditor.classify.train import CORRECTIONS_FILE, read_corrections
    from auditor.vocabulary import CATEGORIES

    data = models_dir() / "data"
    with (data / "gold.csv").open(encoding="utf-8", newline="") as handle:
        gold = {(r["group"], r["level3"]): r["level2"] for r in csv.DictReader(handle)}
    corrections = read_corrections(data / CORRECTIONS_FILE)
    with (data / CORRECTIONS_FILE).open(encoding="utf-8", newline="") as handle:
        printed = {(r["group"], r["level3"]): r["printed"] for r in csv.DictReader(handle)}
    assert corrections
    for key, level2 in corrections.items():
        assert gold[key] == printed[key] != level2 and level2 in CATEGORIES, key
    assert CARD["data"][CORRECTIONS_FILE]["rows"] == len(corrections)


def test_a_moderately_sure_model_opinion_is_a_hint(documents):
    from auditor.check import check_document

    for doc in documents.values():
        for f in check_document(doc):
            if f.rule == "ML02":
                assert (f.severity == "警告") == (f.confidence >= 0.9), (f.level3, f.confidence, f.severity)
