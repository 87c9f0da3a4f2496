"""The platform's entry checks (P01–P05) and the timeliness rate rule (T04) on real tables: quiet on
the samples as published, firing when a sample is edited the way real tables go wrong; each explained."""

from __future__ import annotations

import dataclasses

import click
import pytest
from click.testing import CliRunner

from auditor.check import check_document, load_profile
from auditor.check.profile import Profile, ProfileError
from auditor.cli import main
from auditor.values import parse_value

NEW_RULES = ("P01", "P02", "P03", "P04", "P05", "T04")


def _codes(doc, profile: Profile | None = None) -> list[str]:
    return [f.rule for f in check_document(doc, profile=profile) if f.rule in NEW_RULES]


def _with_rows(doc, project_index: int, change):
    projects = list(doc.projects)
    p = projects[project_index]
    projects[project_index] = dataclasses.replace(p, indicators=tuple(change(list(p.indicators))),
                                                  annual_indicators=tuple(change(list(p.annual_indicators))))
    return dataclasses.replace(doc, projects=tuple(projects))


@pytest.mark.parametrize("code", NEW_RULES)
def test_each_rule_is_explained(code):
    out = click.unstyle(CliRunner().invoke(main, ["explain", code]).output)
    assert out.startswith(code) and "不合格示例" in out and "合格示例" in out and "依据" in out


def test_quiet_on_the_samples_platform_checks(documents):
    for stem, doc in documents.items():
        assert not [c for c in _codes(doc) if c.startswith("P")], stem


def test_self_evaluation_weights_checked_against_the_default_and_the_total(documents):
    doc = documents["001_9ab8174854570465"]
    index = next(i for i, p in enumerate(doc.projects) if p.self_evaluation)

    def shift(rows):  # ten points moved from 质量 to 数量: still 100 in all, but not the default split
        out = []
        for r in rows:
            if r.level2 == "数量指标":
                r = dataclasses.replace(r, weight=(r.weight or 0) + 10 / sum(x.level2 == "数量指标" for x in rows))
            elif r.level2 == "质量指标":
                r = dataclasses.replace(r, weight=(r.weight or 0) - 10 / sum(x.level2 == "质量指标" for x in rows))
            out.append(r)
        return out

    moved = _with_rows(doc, index, shift)
    findings = [f for f in check_document(moved) if f.rule in ("P04", "P05") and f.project == doc.projects[index].name]
    assert [f.rule for f in findings] == ["P05"]
    assert "数量指标30分（默认20分）" in findings[0].message and "质量指标0分（默认10分）" in findings[0].message

    dropped = _with_rows(doc, index, lambda rows: [r for r in rows if r.level2 != "时效指标"])
    rules = {f.rule for f in check_document(dropped) if f.project == doc.projects[index].name}
    assert {"P04", "P05"} <= rules

    # a profile can change the defaults or switch either check off
    lenient = dataclasses.replace(load_profile(), selfeval_weights={}, selfeval_weight_total=0)
    assert not {"P04", "P05"} & {f.rule for f in check_document(dropped, profile=lenient)}


def test_values_the_platform_refuses_are_reported_on_a_real_table(documents):
    doc = documents["000_6173ad3f6f2e28ea"]

    def spoil(rows):
        out = list(rows)
        for i, r in enumerate(out):
            if r.value.kind == "percent":
                out[i] = dataclasses.replace(r, value=parse_value("90%-95%", r.level3))
                break
        for i, r in enumerate(out):
            if r.level2 == "数量指标":
                out[i] = dataclasses.replace(r, value=parse_value(r.value.raw + "*", r.level3))
                break
        return out

    codes = _codes(_with_rows(doc, 0, spoil))
    assert "P02" in codes and "P01" in codes


def test_a_rate_is_accepted_when_its_name_fixes_the_time(documents):
    doc = documents["000_6173ad3f6f2e28ea"]
    index = next(i for i, p in enumerate(doc.projects) if any(f.rule == "T04" and f.project == p.name
                                                              for f in check_document(doc)))

    def name_the_deadline(rows):
        return [dataclasses.replace(r, level3="每月10日前拨付到位率", full_name=None) if r.level2 == "时效指标" else r
                for r in rows]

    fixed = _with_rows(doc, index, name_the_deadline)
    assert not [f for f in check_document(fixed) if f.rule == "T04" and f.project == doc.projects[index].name]


def test_a_profile_with_bad_weights_is_refused(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("extends: national\nselfeval_weights: {数量: 20}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="selfeval_weights"):
        load_profile(str(bad))
