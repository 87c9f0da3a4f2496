"""The narrative layer: spaCy pipeline over an isolated jieba tokenizer, goal promises."""

from __future__ import annotations

from auditor.check.narrative import pipeline, promises
from auditor.nlp import CORE_DICTIONARY, build_core_dictionary
from auditor.resources import rules_dir


def test_pipeline_marks_quantities_money_dates_and_document_numbers():
    doc = pipeline()("2026年6月30日前新增企业技术中心1家，奖励资金52万元，依据朔财建〔2025〕100号，增长5%")
    labels = {(e.label_, e.text) for e in doc.ents}
    assert ("MONEY", "52万元") in labels and ("PERCENT", "5%") in labels
    assert any(label == "COUNT" and "1家" in text for label, text in labels)
    assert any(label == "DATE" for label, _ in labels) and any(label == "DOCNO" for label, _ in labels)


def test_promises_skip_past_facts_ordinals_and_citations():
    goal = ("我区从2019年开始实施改造工作，三年共完成28个村9291户居民的改造任务。"
            "根据第24期常委会议纪要，2026年新增省级企业技术中心1家、高新技术企业2家，规上工业增加值增长5%左右。")
    found = {(p.number, p.unit) for p in promises(goal)}
    assert found == {(1, "家"), (2, "家"), (5, "%")}


def test_tokenizer_is_isolated_from_global_jieba():
    import jieba

    pipeline()("新增专精特新企业3家")
    assert not jieba.dt.initialized  # the global tokenizer was never built or changed


def test_core_dictionary_is_reproducible(tmp_path):
    rebuilt = tmp_path / "core.txt"
    build_core_dictionary(rebuilt)
    assert rebuilt.read_bytes() == (rules_dir() / "lexicon" / CORE_DICTIONARY).read_bytes()
