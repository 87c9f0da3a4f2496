"""Checks across documents: a unit's tables against its earlier years (rules of scope `pair`), and
projects of different units that say the same thing (scope `batch`).

Both run after every document of a batch has been read, over the documents themselves; neither
changes a document's score (whether a unit published last year, or shares a neighbour's template,
is not the same for every unit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..model import Comparison, Document, Finding, Indicator, Project, SimilarGroup
from .findings import finding_of, row_fields
from .matching import match_by_name, name_key, year_free
from .pair_checks import PAIR_CHECKS, Pair
from .profile import Profile
from .project_checks import is_unfilled
from .rules import Rule


def compared_rows(p: Project) -> tuple[Indicator, ...]:
    """The rows a year is judged by: the 年度 column set where the table prints one, else its only set."""
    rows = p.annual_indicators if p.has_annual_columns and p.annual_indicators else p.indicators
    return tuple(r for r in rows if (r.level3.strip() or r.value.text) and not is_unfilled(r.value.text))


def _row_key(row: Indicator) -> str:
    return name_key(row.full_name or row.level3)


def pair_projects(old_doc: Document, new_doc: Document, profile: Profile) -> list[Pair]:
    """The projects both documents hold (names matched without their years), with their rows matched."""
    threshold = profile.compare_name_similarity
    pairs = []
    for old, new in match_by_name(old_doc.projects, new_doc.projects, lambda p: name_key(p.name), threshold):
        if old is None or new is None:
            continue
        rows = match_by_name(compared_rows(old), compared_rows(new), _row_key, threshold)
        pairs.append(Pair(old_doc, new_doc, old, new, tuple(rows)))
    return pairs


def year_pairs(documents: Sequence[Document]) -> list[tuple[Document, Document]]:
    """(earlier, later) documents of the same unit: each document with every document of the unit's
    latest earlier year (its budget tables and its self-evaluation alike)."""
    by_unit: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        if doc.unit and doc.year:
            by_unit[name_key(doc.unit)].append(doc)
    pairs = []
    for docs in by_unit.values():
        for new in docs:
            earlier = [d for d in docs if d.year is not None and new.year is not None and d.year < new.year]
            if earlier:
                latest = max(d.year or 0 for d in earlier)
                pairs.extend((old, new) for old in earlier if old.year == latest)
    return pairs


def side_pairs(old_docs: Sequence[Document], new_docs: Sequence[Document]) -> list[tuple[Document, Document]]:
    """(old, new) for two sides a user named (`auditor compare OLD NEW`): each new document with the old
    documents of its unit, of the latest year among them; one document on each side is a pair whatever
    the units are called."""
    if len(old_docs) == 1 and len(new_docs) == 1:
        return [(old_docs[0], new_docs[0])]
    pairs = []
    for new in new_docs:
        same = [d for d in old_docs if d.unit and new.unit and name_key(d.unit) == name_key(new.unit)]
        if same:
            latest = max((d.year or 0) for d in same)
            pairs.extend((old, new) for old in same if (old.year or 0) == latest)
    return pairs


def compare_documents(old_doc: Document, new_doc: Document, rules: Sequence[Rule],
                      profile: Profile) -> list[Comparison]:
    """What the pair rules find on the projects two documents share."""
    pair_rules = [r for r in rules if r.scope == "pair"]
    out: list[Comparison] = []
    if not pair_rules:
        return out
    for pair in pair_projects(old_doc, new_doc, profile):
        for rule in pair_rules:
            for hit in PAIR_CHECKS[rule.check](pair, rule.params, profile):
                out.append(_comparison(rule, pair, hit))
    return out


def _comparison(rule: Rule, pair: Pair, hit: dict) -> Comparison:
    row, old_row = hit.get("row"), hit.get("old_row")
    fields = {**(row_fields(old_row, pair.new.name) if old_row is not None else {}),
              **(row_fields(row, pair.new.name) if row is not None else {}), **hit}
    number = None
    if row is not None:
        rows = pair.new.indicators if row.period == "实施期" else pair.new.annual_indicators
        number = next((i for i, r in enumerate(rows, start=1) if r is row), None)
    finding = finding_of(rule, pair.new_doc, fields, row, pair.new.name, number, line=pair.new.line_start)
    if row is None and old_row is not None:  # an indicator no longer there: name it as it was
        finding = replace(finding, period=old_row.period, level1=old_row.level1, level2=old_row.level2,
                          level3=old_row.full_name or old_row.level3, value=old_row.value.raw)
    return Comparison(finding, pair.new_doc.unit, pair.old_doc.path, pair.old_doc.year, pair.new_doc.year,
                      pair.old.name, old_row.value.raw if old_row is not None else None,
                      row.value.raw if row is not None else None)


def compare_years(documents: Sequence[Document], rules: Sequence[Rule], profile: Profile,
                  pairs: Sequence[tuple[Document, Document]] | None = None) -> list[Comparison]:
    """Every unit's documents against its latest earlier year's (or the pairs given), each finding once."""
    seen: set[str] = set()
    out = []
    for old, new in year_pairs(documents) if pairs is None else pairs:
        for c in compare_documents(old, new, rules, profile):
            key = c.finding.fingerprint()
            if key not in seen:
                seen.add(key)
                out.append(c)
    return sorted(out, key=comparison_order)


def comparison_order(c: Comparison) -> tuple[str, int, int]:
    """Comparisons by file, most serious first, then by line (how every report lists them)."""
    return c.finding.location.file, {"错误": 0, "警告": 1, "提示": 2}[c.finding.severity], c.finding.location.line or 0


# --- across units ------------------------------------------------------------------------------

def _shingles(p: Project) -> set[str]:
    """What makes two projects' targets the same: each row (二级, name, value; years aside) and the goal."""
    rows = {f"{r.level2}|{_row_key(r)}|{year_free(r.value.text)}" for r in compared_rows(p)}
    goal = year_free(p.goal_annual or p.goal_period)
    return rows | ({f"目标|{goal}"} if goal else set())


@dataclass(frozen=True, slots=True)
class _Member:
    """What a group needs of one project, so documents need not be held (or read back) to list it or
    to place its finding."""

    unit_key: str
    unit: str
    path: str
    name: str
    rows: int
    line: int | None  # where the project's table starts, and the page or sheet that is on
    place: str | None
    shingles: frozenset[str]

    def where(self, line: int | None) -> str | None:
        return self.place


class SimilarIndex:
    """The projects of a batch as small records (unit, name, rows and their shingles: one copy of each
    distinct set), added one document at a time as results arrive, so finding similar projects at the
    end needs no document held or read back (each member keeps where its project starts)."""

    def __init__(self, profile: Profile) -> None:
        self.min_rows = profile.unit_similarity_min_rows
        self.threshold = profile.unit_similarity
        self.items: list[_Member] = []
        self.units: set[str] = set()
        self._alike: dict[frozenset[str], frozenset[str]] = {}

    def add(self, doc: Document, path: str | None = None) -> None:
        """A document's projects (`path`: the name the batch gives its file, when not doc.path)."""
        entry = self.entry(doc)
        if entry is not None:
            self.add_entry(entry, path or doc.path)

    def entry(self, doc: Document) -> list[Any] | None:
        """What the index takes of a document, as plain data (kept in the results store, so a later run
        adds an unchanged document without reading it): [unit key, unit, [[name, rows, first line, page,
        shingles]…]]; None without a unit."""
        if not doc.unit:
            return None
        projects = []
        for p in doc.projects:
            rows = len(compared_rows(p))
            if rows >= self.min_rows:
                projects.append([p.name, rows, p.line_start, doc.where(p.line_start), sorted(_shingles(p))])
        return [name_key(doc.unit), doc.unit, projects]

    def add_entry(self, entry: Sequence[Any], path: str) -> None:
        unit_key, unit, projects = entry
        self.units.add(unit_key)
        for name, rows, line, place, shingles in projects:
            distinct = frozenset(shingles)
            self.items.append(_Member(unit_key, unit, path, name, rows, line, place,
                                      self._alike.setdefault(distinct, distinct)))

    def groups(self, rules: Sequence[Rule]) -> list[SimilarGroup]:
        """Groups of projects from different units whose rows and goals are (nearly) the same: candidates
        from MinHash LSH (datasketch), each kept only when its exact Jaccard similarity reaches the
        profile's threshold; reported once per group, placed at its first member's project."""
        batch_rules = [r for r in rules if r.scope == "batch" and r.check == "similar_projects"]
        if not batch_rules or len(self.units) < 2:
            return []  # one unit (a self-check): nothing to compare, and no MinHash to load
        items = self.items
        # projects with exactly the same rows (a template copied by many units) are compared once
        classes: dict[frozenset[str], list[int]] = {}
        for i, m in enumerate(items):
            classes.setdefault(m.shingles, []).append(i)
        distinct = list(classes)
        class_units = [{items[i].unit_key for i in classes[s]} for s in distinct]
        parent = list(range(len(distinct)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for a, b in _similar_pairs(distinct, self.threshold):
            if len(class_units[a] | class_units[b]) > 1:  # projects of one unit alike are no finding
                parent[root(a)] = root(b)
        groups: dict[int, list[int]] = defaultdict(list)
        for c, shingles in enumerate(distinct):
            groups[root(c)].extend(classes[shingles])
        out = []
        for members in groups.values():
            if len({items[i].unit_key for i in members}) < 2:
                continue
            chosen = sorted((items[i] for i in members), key=lambda m: (m.unit, m.name, m.path))
            out.extend(_group(rule, chosen) for rule in batch_rules)
        return sorted(out, key=lambda g: (-len(g.members), g.members))


def similar_groups(documents: Iterable[Document], rules: Sequence[Rule], profile: Profile) -> list[SimilarGroup]:
    """SimilarIndex over documents in memory."""
    index = SimilarIndex(profile)
    for doc in documents:
        index.add(doc)
    return index.groups(rules)


def _similar_pairs(sets: Sequence[frozenset[str]], threshold: float) -> Iterable[tuple[int, int]]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=max(0.1, threshold - 0.1), num_perm=128)  # below the bar: candidates are verified
    first = MinHash(num_perm=128, seed=1)  # its permutations drawn once (each MinHash would draw them again)
    for i, shingles in enumerate(sets):
        signature = MinHash(num_perm=128, seed=1, permutations=first.permutations, scheme=first.scheme)
        signature.update_batch([s.encode("utf-8") for s in sorted(shingles)])
        for j in lsh.query(signature):
            if _jaccard(sets[i], sets[j]) >= threshold:
                yield j, i
        lsh.insert(i, signature)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _group(rule: Rule, members: list[_Member]) -> SimilarGroup:
    """The group's finding, placed at its first member's project."""
    first = members[0]
    similarity = min(_jaccard(members[0].shingles, m.shingles) for m in members[1:])
    units = sorted({m.unit for m in members})
    listed = "；".join(f"{m.unit}《{m.name}》" for m in members)
    fields = {"project": first.name, "count": len(units), "units": "、".join(units), "members": listed,
              "similarity": f"{similarity:.0%}", "rows": members[0].rows}
    finding: Finding = finding_of(rule, first, fields, None, first.name, line=first.line)
    return SimilarGroup(finding, tuple((m.unit, m.name, m.path) for m in members), similarity)
