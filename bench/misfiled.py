"""Misfiled-indicator detection on documents the model has not seen: each budget sample's rows moved
to another 二级 (planted), the rules and the category model (trained without that document:
leave-one-document-out) asked to find them; false flags counted on the rows as published.

    python bench/misfiled.py

A planted row counts as found when a misfiling finding (misplaced_indicator, quantity_in_money,
quantity_as_rate, not_a_cost) points at it; rows the samples themselves misfiled (KNOWN_MISFILED) and rows
with no name are not planted; vague rows (a vague value says little about its category) are counted
apart. False flags: misfiling findings on the published rows that are correctly filed (all rows less
KNOWN_MISFILED), out of those rows.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.check import check_document, load_rules  # noqa: E402
from auditor.classify import apply  # noqa: E402
from auditor.classify.train import (  # noqa: E402
    CATEGORY_THRESHOLD,
    CORRECTIONS_FILE,
    TRAIN_FILES,
    category_rows,
    fit_category,
    read_corrections,
    read_rows,
    to_model,
)
from auditor.extract import extract_path  # noqa: E402
from auditor.vocabulary import LEVEL2_PARENT, MISFILING_KINDS  # noqa: E402

SAMPLES = ("000_6173ad3f6f2e28ea", "002_4d30544783f67109", "003_42fbab3105c3da5b")
# where a row is planted: the neighbouring category a careless filer would choose
MOVE = {"数量指标": "质量指标", "质量指标": "时效指标", "时效指标": "质量指标", "成本指标": "数量指标",
        "经济效益": "社会效益", "社会效益": "经济效益", "生态效益": "社会效益", "可持续影响": "社会效益",
        "服务对象满意度": "社会效益"}
MISFILED = MISFILING_KINDS
# the samples' own misfiled rows (实施期), labelled by hand against the national 二级 definitions; "reviewer"
# marks the ones docs/reviewer_findings.md lists too
KNOWN_MISFILED = {
    ("000", "年度律师事务所提供法律咨"): "money (30000万/年) under 时效",
    ("000", "国有企业已退休人员管理服务"): "a rate (100%) under 数量",
    ("000", "防止国有资产流失"): "a count (36家) under 经济效益 (reviewer)",
    ("000", "工资发放正确率"): "an accuracy rate under 数量",
    ("000", "资金足额及时拨付"): "timeliness under 质量",
    ("002", "办公系统维护故障处理"): "a time limit under 质量 (reviewer)",
    ("002", "系统故障修复处理时间"): "a time limit under 质量 (reviewer)",
    ("002", "维护费用"): "money under 数量 (reviewer)",
    ("002", "政务机房托管费用"): "money under 数量 (reviewer)",
    ("003", "总体、重点工作完成率"): "a rate under 数量",
    ("003", "预算执行率"): "an execution rate under 成本 (reviewer)",
    ("003", "促进中小企业合规运营"): "not ecological, under 生态效益 (reviewer)",
    ("003", "残保金计提率"): "a rate under 数量 (reviewer)",
    ("003", "金额数量"): "money under 数量 (reviewer)",
    ("003", "全区规上工业企业数量情况"): "a count of enterprises under 经济效益",
}


def fold_model(held_out: str):
    data = ROOT / "models" / "data"
    _, rows = category_rows([r for name in TRAIN_FILES for r in read_rows(data / name)],
                            read_corrections(data / CORRECTIONS_FILE))
    rows = [r for r in rows if r.group != f"gold:{held_out[:3]}"]
    return to_model(fit_category(rows), "category", CATEGORY_THRESHOLD)


def _flags(findings, project: str, name: str) -> bool:
    return any(f.project == project and f.level3 == name and f.kind in MISFILED and f.period == "实施期"
               for f in findings)


def measure() -> dict:
    """Planted rows found (per 二级), vague plants apart, false flags on correctly filed rows."""
    gold = {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in (ROOT / "tests" / "fixtures" / "gold").glob("*.json")}
    found, planted = Counter(), Counter()
    vague_found = vague_planted = false_flags = correct_rows = known_found = 0
    for stem in SAMPLES:
        model = fold_model(stem)
        original = apply.load_model
        apply.load_model = lambda name, directory=None, _m=model, _o=original: _m if name == "category" else _o(name)
        try:
            rules = load_rules()
            doc = extract_path(ROOT / "samples" / f"{stem}.txt")
            vague = {(p["name"], r["level3"]) for p in gold[stem]["projects"] for r in p["indicators"] if r["vague"]}
            published = check_document(doc, rules)
            for pi, p in enumerate(doc.projects):
                for ri, r in enumerate(p.indicators):
                    name = r.full_name or r.level3
                    flagged = _flags(published, p.name, name)
                    if (stem[:3], name) in KNOWN_MISFILED:
                        known_found += flagged
                        continue
                    correct_rows += 1
                    false_flags += flagged
                    if r.level2 not in MOVE or not name.strip():
                        continue
                    target = MOVE[r.level2]
                    moved = dataclasses.replace(r, level2=target, level1=LEVEL2_PARENT.get(target, r.level1),
                                                level2_printed=target, level1_printed=None)
                    rows = list(p.indicators)
                    rows[ri] = moved
                    edited = dataclasses.replace(p, indicators=tuple(rows))
                    planted_doc = dataclasses.replace(doc, projects=tuple(
                        edited if qi == pi else q for qi, q in enumerate(doc.projects)))
                    hit = _flags(check_document(planted_doc, rules), p.name, name)
                    if (p.name, r.level3) in vague:
                        vague_planted += 1
                        vague_found += hit
                    else:
                        planted[r.level2] += 1
                        found[r.level2] += hit
        finally:
            apply.load_model = original
    return {"found": found, "planted": planted, "vague_found": vague_found, "vague_planted": vague_planted,
            "false_flags": false_flags, "correct_rows": correct_rows, "known_found": known_found}


def main() -> int:
    m = measure()
    found, planted, correct_rows, false_flags = m["found"], m["planted"], m["correct_rows"], m["false_flags"]
    vague_found, vague_planted, known_found = m["vague_found"], m["vague_planted"], m["known_found"]
    total, hits = sum(planted.values()), sum(found.values())
    print(f"planted misfiled rows found: {hits}/{total} = {hits / total:.3f} (rules + category model, "
          f"leave-one-document-out; vague rows apart: {vague_found}/{vague_planted})")
    for level2 in MOVE:
        if planted[level2]:
            print(f"  {level2} → {MOVE[level2]}: {found[level2]}/{planted[level2]}")
    print(f"false flags on correctly filed rows: {false_flags}/{correct_rows} = {false_flags / correct_rows:.3f}; "
          f"the samples' own misfilings found: {known_found}/{len(KNOWN_MISFILED)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
