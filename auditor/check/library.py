"""An indicator library built from any corpus of documents, and the concrete examples it offers.

A unit told "及时 is vague" still has to invent a value; the best source is what similar projects
elsewhere already use. `build` stores every indicator of every project (二级, name, value kind, unit,
value) with its project's name and goal in SQLite; `examples` finds the projects nearest to a given
one (jieba words of name and goal, TF-IDF cosine; offline) and returns the concrete values they use
for the same indicator — or, for an indicator a table lacks, the indicators they set under that 二级.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Document, Finding, Indicator, Project
from ..vocabulary import LEVEL2_PARENT, MISSING_KINDS, VALUE_FIX_KINDS
from .matching import name_key, similarity, year_free

SCHEMA_VERSION = "1"
CONCRETE_KINDS = ("quantity", "percent", "money", "deadline", "duration")
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE projects (id INTEGER PRIMARY KEY, unit TEXT, name TEXT NOT NULL, goal TEXT, file TEXT, year INTEGER,
                       words TEXT NOT NULL);
CREATE TABLE indicators (project INTEGER NOT NULL REFERENCES projects(id), level1 TEXT, level2 TEXT NOT NULL,
                         level3 TEXT NOT NULL, name_key TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT,
                         comparator TEXT, number REAL, value TEXT NOT NULL, pattern TEXT NOT NULL,
                         clean INTEGER NOT NULL);
CREATE INDEX indicators_by_project ON indicators (project);
"""


class LibraryError(Exception):
    """A file that is not an indicator library this version can read (the message says why)."""


def _words(text: str) -> str:
    from ..nlp import words

    return " ".join(w for w in words(year_free(text)) if len(w) > 1 or "\u4e00" <= w <= "\u9fff")


def pattern(row: Indicator) -> str:
    """A value as a pattern shared across projects and years: ≤30个工作日, 12月31日前, =100%, ≥90%."""
    v = row.value
    if v.kind == "deadline":
        return year_free(v.text).replace("Y", "")
    return v.text


def _rows(p: Project) -> tuple[Indicator, ...]:
    """The rows a year is judged by (as the comparisons read them), those with both a name and a value."""
    from .across import compared_rows

    return tuple(r for r in compared_rows(p) if r.level3.strip() and r.value.text)


def build(checked: Iterable[tuple[Document, Sequence[Finding]]], path: Path) -> dict[str, int]:
    """Write the library of these documents' project tables (self-evaluations included: their targets
    are the year's targets) to `path`, atomically; the counts stored. A row with an error or a warning
    among its findings is stored but never offered as an example."""
    from ..output import temporary_path

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    counts = {"documents": 0, "projects": 0, "indicators": 0}
    try:
        db = sqlite3.connect(tmp)
        db.executescript(_SCHEMA)
        for doc, findings in checked:
            counts["documents"] += 1
            flagged = {(f.project, f.period, f.location.line) for f in findings
                       if f.level3 is not None and f.severity != "提示"}
            for p in doc.projects:
                rows = _rows(p)
                if not rows:
                    continue
                goal = p.goal_annual or p.goal_period or ""
                cur = db.execute("INSERT INTO projects (unit, name, goal, file, year, words) VALUES (?, ?, ?, ?, ?, ?)",
                                 (doc.unit, p.name, goal, doc.name, doc.year, _words(f"{p.name} {goal}")))
                db.executemany(
                    "INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(cur.lastrowid, r.level1, r.level2, r.full_name or r.level3, name_key(r.full_name or r.level3),
                      r.value.kind, r.value.unit, r.value.comparator, r.value.number, r.value.text, pattern(r),
                      int((p.name, r.period, r.line) not in flagged and bool(pattern(r))))
                     for r in rows])
                counts["projects"] += 1
                counts["indicators"] += len(rows)
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("version", SCHEMA_VERSION), *((k, str(v)) for k, v in counts.items())])
        db.commit()
        db.close()
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return counts


@dataclass(frozen=True, slots=True)
class Example:
    """A value (or an indicator and its value) and how many of the nearest projects use it."""

    text: str
    projects: int
    level3: str = ""
    value: str = ""


class Library:
    """A built library, read-only. The nearest projects are found in memory (a TF-IDF matrix over every
    project's words, built on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise LibraryError(f"{self.path}：指标库文件不存在"
                               "（用 auditor library build 文件夹 -o 指标库.sqlite 生成）")
        try:
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error as exc:
            raise LibraryError(f"{self.path}：不是指标库（{exc}）") from None
        if meta.get("version") != SCHEMA_VERSION:
            raise LibraryError(f"{self.path}：指标库版本 {meta.get('version')} 与本程序（{SCHEMA_VERSION}）不符，"
                               "请重新生成")
        self.counts = {k: int(v) for k, v in meta.items() if k != "version"}
        self._index: Any = None
        self._near: dict[tuple[str, str, int], list[tuple[int, float]]] = {}  # a table's findings ask alike

    def close(self) -> None:
        self.db.close()

    def _nearest(self, name: str, goal: str, limit: int) -> list[tuple[int, float]]:
        """The projects most like this one (by the words of name and goal): (project id, cosine)."""
        key = (name, goal, limit)
        if key not in self._near:
            if len(self._near) >= 256:  # the findings of one document ask alike; a batch moves on
                self._near.clear()
            self._near[key] = self._rank(name, goal, limit)
        return self._near[key]

    def _rank(self, name: str, goal: str, limit: int) -> list[tuple[int, float]]:
        if self._index is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            stored = self.db.execute("SELECT id, words FROM projects ORDER BY id").fetchall()
            vectorizer = TfidfVectorizer(analyzer=str.split, sublinear_tf=True)
            matrix = vectorizer.fit_transform([w for _, w in stored]) if stored else None
            self._index = ([i for i, _ in stored], vectorizer, matrix)
        ids, vectorizer, matrix = self._index
        if matrix is None:
            return []
        query = vectorizer.transform([_words(f"{name} {goal}")])
        scores = (matrix @ query.T).toarray().ravel()
        order = scores.argsort()[::-1][:limit]
        return [(ids[i], float(scores[i])) for i in order if scores[i] > 0]

    def _near_ids(self, project: Project, limit: int = 200, file: str | None = None) -> list[int]:
        """The nearest projects, the project itself left out (a library may be built from its own batch)."""
        near = [i for i, _ in self._nearest(project.name, project.goal_annual or project.goal_period or "", limit + 1)]
        if file is not None and near:
            marks = ",".join("?" * len(near))
            own = {i for (i,) in self.db.execute(f"SELECT id FROM projects WHERE id IN ({marks}) AND name = ? "
                                                  "AND file = ?", (*near, project.name, file))}
            near = [i for i in near if i not in own]
        return near[:limit]

    def values_for(self, project: Project, row: Indicator, file: str | None = None, top: int = 3) -> list[Example]:
        """Concrete values the nearest projects give the same indicator (same 二级, similar name)."""
        key = name_key(row.full_name or row.level3)
        near = self._near_ids(project, 200, file)
        if not key or not near:
            return []
        rank = {pid: i for i, pid in enumerate(near)}
        found = self.db.execute(
            f"SELECT project, name_key, pattern FROM indicators WHERE project IN ({','.join('?' * len(near))}) "
            f"AND level2 = ? AND clean = 1 AND kind IN ({','.join('?' * len(CONCRETE_KINDS))})",
            (*near, row.level2, *CONCRETE_KINDS)).fetchall()
        users: dict[str, set[int]] = {}
        for pid, k, pat in found:
            if k == key or similarity(k, key) >= 0.6:
                users.setdefault(pat, set()).add(pid)
        ranked = sorted(users.items(), key=lambda kv: (-len(kv[1]), min(rank[p] for p in kv[1])))
        return [Example(pat, len(pids), value=pat) for pat, pids in ranked[:top]]

    def indicators_for(self, project: Project, level2s: Iterable[str], file: str | None = None,
                       top: int = 3) -> list[Example]:
        """Indicators (name and concrete value) the nearest projects set under these 二级."""
        wanted = list(level2s)
        near = self._near_ids(project, 50, file)
        if not wanted or not near:
            return []
        marks, kinds = ",".join("?" * len(near)), ",".join("?" * len(CONCRETE_KINDS))
        found = self.db.execute(
            f"SELECT project, level3, name_key, pattern FROM indicators WHERE project IN ({marks}) "
            f"AND level2 IN ({','.join('?' * len(wanted))}) AND clean = 1 AND kind IN ({kinds}) "
            "AND (level2 NOT LIKE '%成本%' OR kind = 'money')",
            (*near, *wanted, *CONCRETE_KINDS)).fetchall()
        by_name: dict[str, list[tuple[int, str, str]]] = {}
        for pid, level3, key, pat in found:
            by_name.setdefault(key, []).append((pid, level3, pat))
        rank = {pid: i for i, pid in enumerate(near)}
        ranked = sorted(by_name.values(), key=lambda uses: (-len({u[0] for u in uses}),
                                                             min(rank[u[0]] for u in uses)))
        out = []
        for uses in ranked[:top]:
            value = _shape(Counter(u[2] for u in uses).most_common(1)[0][0])
            out.append(Example(f"{uses[0][1]} {value}", len({u[0] for u in uses}), level3=uses[0][1], value=value))
        return out


def _shape(value: str) -> str:
    """A money value as the form to follow, not another project's sum: ≤576374.64元 → ≤X元."""
    from ..values import parse_value

    v = parse_value(value)
    if v.kind != "money":
        return value
    return f"{v.comparator or '≤'}X{v.unit or '元'}"


def missing_level2(project: Project, kind: str) -> list[str]:
    """The 二级 a table-level finding says are missing, as the table's own rows show."""
    present = {r.level2 for r in project.indicators} | {r.level2 for r in project.annual_indicators}
    if kind == "missing_cost":
        return ["成本指标", "经济成本指标"]
    if kind == "missing_output_dimension":
        return [c for c in ("数量指标", "质量指标", "时效指标") if c not in present]
    if kind == "missing_benefit":
        return ["社会效益", "经济效益", "可持续影响"]
    if kind == "missing_level1":
        levels = {LEVEL2_PARENT.get(c) for c in present}
        return [c for c, parent in (("服务对象满意度", "满意度指标"), ("数量指标", "产出指标")) if parent not in levels]
    return []


def cite(examples: list[Example]) -> str:
    """The examples as a reviewer writes them: 同类项目常用：≤30个工作日（12个项目）、…"""
    if not examples:
        return ""
    return "同类项目常用：" + "、".join(f"{e.text}（{e.projects}个项目）" for e in examples)


def with_examples(findings: list[Finding], doc: Document, library: Library) -> list[Finding]:
    """The findings, each vague or missing indicator's suggestion followed by what similar projects use."""
    from dataclasses import replace

    projects = {p.name: p for p in doc.projects}
    out = []
    for f in findings:
        project = projects.get(f.project or "")
        text = ""
        if project is not None and f.kind in VALUE_FIX_KINDS and f.level3:
            row = next((r for r in (*project.indicators, *project.annual_indicators)
                        if r.line == f.location.line and r.period == f.period), None)
            text = cite(library.values_for(project, row, doc.name)) if row is not None else ""
        elif project is not None and f.kind in MISSING_KINDS:
            text = cite(library.indicators_for(project, missing_level2(project, f.kind), doc.name))
        out.append(replace(f, suggestion=f"{f.suggestion.rstrip('。')}。{text}") if text else f)
    return out
