"""The Python API, called directly: extract, check, audit and the report writers."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import SAMPLES

from auditor import api
from auditor.errors import InputError

SAMPLE_002 = SAMPLES / "002_4d30544783f67109.txt"
SAMPLE_003 = SAMPLES / "003_42fbab3105c3da5b.txt"


def test_audit_and_check_agree_and_failures_are_listed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for sample in (SAMPLE_002, SAMPLE_003):
        shutil.copy(sample, folder / sample.name)
    (folder / "empty.txt").write_bytes(b"")
    report = api.audit([folder], api.Options(jobs=2))
    assert [c.document.name for c in report.documents] == [SAMPLE_002.name, SAMPLE_003.name]
    assert [(f.path.endswith("empty.txt"), f.error) for f in report.failures] == [(True, "文件为空")]
    assert report.profile.name == "national" and report.findings
    in_memory = api.check(api.extract([SAMPLE_002, SAMPLE_003]))
    def same(c):  # the copies sit in another folder: compare all but the path
        return [(f.fingerprint(), f.message, f.location.line, f.severity) for f in c.findings]

    assert [same(c) for c in in_memory.documents] == [same(c) for c in report.documents]
    assert [c.score for c in in_memory.documents] == [c.score for c in report.documents]


def test_options_select_profile_and_verdicts():
    doc = api.extract([SAMPLE_002])[0]
    only_v = api.check([doc], api.Options(select="V*"))
    assert only_v.findings and all(f.rule.startswith("V") for f in only_v.findings)
    shanxi = api.check([doc], api.Options(profile="shanxi"))
    assert shanxi.profile.name == "shanxi"
    first = only_v.findings[0]
    suppressed = api.check([doc], api.Options(select="V*"), reviews={first.fingerprint(): "误报"})
    assert suppressed.suppressed >= 1 and first not in suppressed.findings


def test_write_reports_from_a_report(tmp_path):
    report = api.audit([SAMPLE_002], api.Options(jobs=1))
    written = api.write_reports(report, tmp_path / "out", per_unit=True)
    assert [p.name for p in written[:3]] == ["审核汇总.xlsx", "审核结果.json", "审核结果.jsonl"] and len(written) == 4
    data = json.loads((tmp_path / "out" / "审核结果.json").read_text(encoding="utf-8"))
    assert len(data["documents"][0]["findings"]) == len(report.documents[0].findings)
    assert all(p.exists() for p in written)


def test_json_lines_hold_the_same_records_one_per_line(tmp_path):
    out = tmp_path / "out"
    bad = tmp_path / "in" / "坏.docx"
    bad.parent.mkdir()
    bad.write_bytes(b"not a zip")
    api.audit_to([SAMPLE_002, bad], out, api.Options(jobs=1))
    data = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
    lines = [json.loads(line) for line in (out / "审核结果.jsonl").read_text(encoding="utf-8").splitlines()]
    documents = [{k: v for k, v in line.items() if k != "type"} for line in lines if line["type"] == "document"]
    assert documents == data["documents"]
    assert [line["path"] for line in lines if line["type"] == "failure"] == [f["path"] for f in data["failures"]]
    assert lines[-1] == {"type": "summary", "documents": 1, "failures": 1, "suppressed": 0}


def test_extract_raises_or_collects(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00" * 100)
    with pytest.raises(InputError, match="文件为空"):
        api.extract([bad])
    failures: list[api.Failure] = []
    assert len(api.extract([bad, SAMPLE_002], failures=failures)) == 1
    assert failures == [api.Failure(str(bad), "文件为空")]


def test_unusable_configuration_is_a_config_error(tmp_path):
    with pytest.raises(api.ConfigError):
        api.load(api.Options(profile=str(tmp_path / "missing.yml")))
    with pytest.raises(api.ConfigError, match="没有剩下任何规则"):
        api.load(api.Options(select="NOPE*"))
    with pytest.raises(api.ConfigError, match="规则文件夹不存在"):
        api.load(api.Options(rules=str(tmp_path / "nowhere")))


def test_self_evaluation_tables_are_their_own_records_and_survive_the_cache(tmp_path):
    """自评表 rows carry completed values, weights and points; budget rows do not; the cache keeps the types."""
    from auditor.batch import Settings, run_batch
    from auditor.cache import ResultCache
    from auditor.model import EvaluatedIndicator, Indicator, SelfEvaluation

    final = SAMPLES / "001_9ab8174854570465.txt"
    (budget,), (evaluation,) = api.extract([SAMPLE_002]), api.extract([final])
    assert all(isinstance(p, SelfEvaluation) and p.self_evaluation for p in evaluation.projects)
    assert all(type(p).__name__ == "Project" and not p.self_evaluation for p in budget.projects)
    assert all(type(r) is Indicator and not hasattr(r, "actual") for r in budget.projects[0].indicators)
    row = evaluation.projects[0].indicators[0]
    assert isinstance(row, EvaluatedIndicator) and row.weight is not None and row.actual is not None
    cache = ResultCache(tmp_path / "c.sqlite")
    first = next(run_batch([str(final)], Settings(), jobs=1, cache=cache))
    again = next(run_batch([str(final)], Settings(), jobs=1, cache=cache))
    assert again.cached and again.document == first.document and again.findings == first.findings
    assert isinstance(again.document.projects[0], SelfEvaluation)
    assert isinstance(again.document.projects[0].indicators[0], EvaluatedIndicator)
