"""The audit's reports, written as documents arrive: 审核汇总.xlsx, 审核结果.json and, on request, one
workbook per unit. Each file is written to a temporary name and renamed when complete.

Writing one document's reports is part of that document's isolation: anything that fails for it
(an odd unit name, a cell the workbook refuses) makes it a failure, listed with its reason, and
leaves nothing of it half written in the summary or the JSON.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..model import Comparison, Review, SimilarGroup
from ..output import atomic_writer, temporary_path
from .across import comparison_dict, similar_dict
from .excel import RenderedRows, RowRenderer, SummaryWorkbook, safe_file_name
from .letter import Letter, write_unit_workbook
from .records import CheckedDocument, checked_dict

SUMMARY = "审核汇总.xlsx"
JSON_REPORT = "审核结果.json"
JSON_LINES = "审核结果.jsonl"  # one line per document or failure: for machines and for corpora too big to parse at once
UNITS_FOLDER = "各单位审核意见"


@lru_cache(maxsize=1)
def layout_digest() -> str:
    """The code that lays out and scores the reports and indexes similar projects: a new version writes
    every report afresh."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for module in [*sorted(here.glob("*.py")), here.parent / "check" / "score.py", here.parent / "check" / "across.py"]:
        digest.update(module.read_bytes())
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class UnitSpec:
    """What writing a unit's workbook needs besides its document and the reviews carried over: where,
    the profile's scoring note and the letter (so a worker can write it, and the writer keep or place it)."""

    folder: str
    scoring: str
    letter: Letter


def unit_base(checked: CheckedDocument) -> str:
    """A unit workbook's file name before it is made unique in the batch."""
    doc = checked.document
    return safe_file_name(f"{doc.unit or '未识别单位'}_{doc.year or ''}审核意见")


def unit_key(checked: CheckedDocument, reviews: dict[str, Review], scoring: str, letter: Letter) -> str:
    """What a unit's workbook shows, as one digest: an unchanged one is kept, not written again."""
    fingerprints = sorted(f.fingerprint() for f in (*checked.findings, *checked.suppressed))
    carried = [[fp, *dataclasses.astuple(reviews[fp])] for fp in fingerprints if fp in reviews]
    content = [checked_dict(checked), sorted(fingerprints), carried, scoring,
               [letter.office, letter.dated(), letter.deadline], layout_digest()]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def write_unit(path: Path, checked: CheckedDocument, reviews: dict[str, Review], spec: UnitSpec) -> None:
    write_unit_workbook(path, checked.document, checked.findings, checked.score.score, checked.score.grade,
                        checked.table_scores, reviews, spec.scoring, spec.letter, checked.suppressed)


class UnitWorkbooks:
    """One workbook per unit, named after it; names made safe and unique. A workbook whose content would
    be the same as the one an earlier run left (same findings, scores, reviews, letter and layout; the
    file untouched since) is kept, not written again (`previous`: name → [content key, size, mtime])."""

    def __init__(self, folder: Path, reviews: dict[str, Review], scoring: str, letter: Letter,
                 previous: dict[str, list] | None = None) -> None:
        self.folder, self.reviews = folder, reviews
        self.spec = UnitSpec(str(folder), scoring, letter)
        self.previous = previous or {}
        self.names: set[str] = set()
        self.written: list[Path] = []
        self.keys: dict[str, str] = {}
        self.kept = 0

    def _name(self, base: str) -> str:
        """The workbook's file name: its unit's, made unique in this batch as documents come."""
        candidate, n = base, 2
        while candidate.casefold() in self.names:
            candidate, n = f"{base}_{n}", n + 1
        return candidate

    def _took(self, candidate: str, key: str) -> None:
        self.names.add(candidate.casefold())
        self.written.append(self.folder / f"{candidate}.xlsx")
        self.keys[f"{candidate}.xlsx"] = key

    def _unchanged(self, path: Path, key: str) -> bool:
        from ..manifest import file_stamp

        before = self.previous.get(path.name)
        return bool(before) and before[0] == key and file_stamp(path) == before[1:]

    def write(self, checked: CheckedDocument) -> tuple[str, str]:
        """Write (or keep) a document's workbook; its base name and content key (what `keep` needs)."""
        base = unit_base(checked)
        candidate = self._name(base)
        path = self.folder / f"{candidate}.xlsx"
        key = unit_key(checked, self.reviews, self.spec.scoring, self.spec.letter)
        if self._unchanged(path, key):
            self.kept += 1
        else:
            write_unit(path, checked, self.reviews, self.spec)
        self._took(candidate, key)
        return base, key

    def take(self, base: str, key: str, made: Path) -> None:
        """A workbook a worker wrote (under a temporary name in this folder): renamed to the name this
        batch gives it, or dropped when the one an earlier run left there is the same and untouched."""
        candidate = self._name(base)
        path = self.folder / f"{candidate}.xlsx"
        if self._unchanged(path, key):
            made.unlink(missing_ok=True)
            self.kept += 1
        else:
            os.replace(made, path)
        self._took(candidate, key)

    def keep(self, base: str, key: str) -> bool:
        """Keep the workbook an earlier run wrote for an unchanged document: only when it would get the
        same name and content again and the file is untouched (else the document must be written)."""
        candidate = self._name(base)
        if not self._unchanged(self.folder / f"{candidate}.xlsx", key):
            return False
        self.kept += 1
        self._took(candidate, key)
        return True


@dataclasses.dataclass(frozen=True, slots=True)
class Fragment:
    """All a document adds to the batch's reports, as written: its JSON entry, its rows on the summary's
    sheets and its unit workbook's name and content key. Stored, so a later run over the unchanged
    document and the same reviews and settings replays it without reading or scoring the document."""

    entry: bytes  # the document's entry in 审核结果.json, UTF-8
    rows: RenderedRows
    unit_workbook: tuple[str, str] | None = None  # (base name, content key)

    def as_bytes(self) -> bytes:
        """Stored form (UTF-8): the unit workbook's name and key, the JSON entry and the rows, between
        separators neither JSON (it escapes control characters) nor a cell (clean() removes them) can hold."""
        unit = json.dumps(list(self.unit_workbook) if self.unit_workbook else None, ensure_ascii=False)
        return _SEPARATOR.join([unit.encode("utf-8"), self.entry, self.rows.as_bytes()])

    @classmethod
    def from_bytes(cls, data: bytes) -> Fragment:
        """What `as_bytes` stored; ValueError when the data is not that."""
        try:
            unit_text, entry, rows = data.split(_SEPARATOR, 2)
            unit = json.loads(unit_text)
            return cls(entry, RenderedRows.from_bytes(rows), (unit[0], unit[1]) if unit else None)
        except (TypeError, IndexError, ValueError) as exc:
            raise ValueError(f"not a stored fragment: {exc}") from exc


_SEPARATOR = b"\x1d"


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


class FragmentRenderer:
    """What a document adds to the batch's reports (its JSON entry and summary rows, and with `units`
    its unit's workbook), made where it was audited, so the batch's one writer only places it, as it
    places a stored one."""

    def __init__(self, reviews: dict[str, Review], units: UnitSpec | None = None) -> None:
        self.rows = RowRenderer(reviews)
        self.reviews, self.units = reviews, units

    def render(self, checked: CheckedDocument) -> tuple[Fragment, str | None] | None:
        """The fragment, and the unit workbook written under a temporary name in the units' folder (for
        `ReportWriters.place` to name); None when the rows cannot be rendered here."""
        rows = self.rows.render(checked.document, checked.findings, checked.score.score, checked.score.grade,
                                checked.suppressed)
        if rows is None:
            return None
        entry = _json_bytes(checked_dict(checked))
        if self.units is None:
            return Fragment(entry, rows), None
        folder = Path(self.units.folder)
        folder.mkdir(parents=True, exist_ok=True)
        made = temporary_path(folder / "unit.xlsx")  # renamed by the writer, removed by a later run if left
        try:
            write_unit(made, checked, self.reviews, self.units)
        except BaseException:
            made.unlink(missing_ok=True)
            raise
        key = unit_key(checked, self.reviews, self.units.scoring, self.units.letter)
        return Fragment(entry, rows, (unit_base(checked), key)), str(made)


class ReportWriters:
    def __init__(self, outdir: Path, profile: str | None, per_unit: bool, reviews: dict[str, Review] | None,
                 scoring: str, letter: Letter | None = None, previous_units: dict[str, list] | None = None) -> None:
        """`scoring`: how scores are made under the profile in force, as the workbooks explain it;
        `reviews`: what an earlier review wrote beside each finding, carried into the new workbooks."""
        self.outdir = outdir
        reviews = reviews or {}
        letter = letter or Letter()
        self.summary = SummaryWorkbook(outdir / SUMMARY, reviews, scoring, letter.office)
        self.units = (UnitWorkbooks(outdir / UNITS_FOLDER, reviews, scoring, letter, previous_units)
                      if per_unit else None)
        self.failures: list[dict[str, str]] = []
        self._json = atomic_writer(outdir / JSON_REPORT, binary=True)  # documents' entries arrive as UTF-8
        self._handle = self._json.__enter__()
        self._handle.write(b'{"profile": ' + _json_bytes(profile) + b', "documents": [')
        self._first = True
        self.documents = 0
        self._lines_file = atomic_writer(outdir / JSON_LINES, binary=True)
        self._lines = self._lines_file.__enter__()
        self.fragment: Fragment | None = None  # what the last document added (add), for the results store

    def add(self, checked: CheckedDocument) -> str | None:
        """Write one document's reports; the reason when that failed (it is then listed as a failure).
        `fragment` is then what it added (None when some of it cannot be replayed)."""
        self.fragment = None
        try:
            entry = _json_bytes(checked_dict(checked))
            unit_workbook = self.units.write(checked) if self.units is not None else None
            rows = self.summary.add(checked.document, checked.findings, checked.score.score, checked.score.grade,
                                    checked.suppressed)
        except Exception as exc:
            reason = f"生成报告时出错（{type(exc).__name__}: {exc}），请把此文件报告给开发者"
            self.fail(checked.document.path, reason)
            return reason
        self._entry(entry)
        if rows is not None:
            self.fragment = Fragment(entry, rows, unit_workbook)
        return None

    def place(self, fragment: Fragment, unit_workbook: str | None) -> None:
        """Add a document its worker rendered (`unit_workbook`: the unit's workbook it wrote, when the
        batch writes them)."""
        if self.units is not None:
            if fragment.unit_workbook is None or unit_workbook is None:
                raise ValueError("a unit workbook was expected from the worker")
            self.units.take(*fragment.unit_workbook, Path(unit_workbook))
        self.summary.replay(fragment.rows)
        self._entry(fragment.entry)

    def replay(self, fragment: Fragment) -> bool:
        """Add an unchanged document's reports as an earlier run wrote them; False (nothing written)
        when its unit's workbook must be written again, which needs the document itself."""
        if self.units is not None and (fragment.unit_workbook is None or not self.units.keep(*fragment.unit_workbook)):
            return False
        self.summary.replay(fragment.rows)
        self._entry(fragment.entry)
        return True

    def _entry(self, entry: bytes) -> None:
        self._handle.write(entry if self._first else b",\n" + entry)
        self._lines.write(b'{"type": "document", ' + entry[1:] + b"\n")
        self._first = False
        self.documents += 1

    def fail(self, path: str, error: str) -> None:
        self.failures.append({"path": path, "error": error})
        self._lines.write(_json_bytes({"type": "failure", "path": path, "error": error}) + b"\n")
        self.summary.fail(path, error)

    def close(self, suppressed: int = 0, comparisons: Iterable[Comparison] | None = None,
              groups: Sequence[SimilarGroup] | None = None) -> list[Path]:
        """Finish every report; the paths written. `comparisons` (a unit against its earlier year; read
        once, as they come: each goes to the 年度对比 sheet, the JSON and the JSON lines together, none
        held) and `groups` (similar projects of different units) add their sheets and keys when given."""
        self._handle.write(b'],\n"failures": ' + _json_bytes(self.failures) + b', "suppressed": %d' % suppressed)
        streamed = None if comparisons is None else self._streamed(comparisons)
        summaries = self.summary.close(suppressed, streamed, groups)
        for _ in streamed or ():  # whatever the sheet left unread still reaches the JSON
            pass
        if groups is not None:  # one group at a time: a group may name thousands of projects
            self._handle.write(b', "similar": [')
            for n, g in enumerate(groups):
                entry = similar_dict(g)
                self._handle.write((b", " if n else b"") + _json_bytes(entry))
                self._lines.write(_json_bytes({"type": "similar", **entry}) + b"\n")
            self._handle.write(b"]")
        self._handle.write(b"}\n")
        self._json.__exit__(None, None, None)
        self._lines.write(_json_bytes({"type": "summary", "documents": self.documents, "failures": len(self.failures),
                                       "suppressed": suppressed}) + b"\n")
        self._lines_file.__exit__(None, None, None)
        return [summaries[0], self.outdir / JSON_REPORT, self.outdir / JSON_LINES, *summaries[1:],
                *(self.units.written if self.units else [])]

    def _streamed(self, comparisons: Iterable[Comparison]) -> Iterator[Comparison]:
        """The comparisons as they pass on to the sheet, each written to the JSON (the same text as one
        json.dumps of the list) and the JSON lines on the way."""
        self._handle.write(b', "comparisons": [')
        for n, c in enumerate(comparisons):
            entry = comparison_dict(c)
            self._handle.write((b", " if n else b"") + _json_bytes(entry))
            self._lines.write(_json_bytes({"type": "comparison", **entry}) + b"\n")
            yield c
        self._handle.write(b"]")

    def abort(self, error: BaseException) -> None:
        """Leave no partial report behind (the temporary files are removed)."""
        self._json.__exit__(type(error), error, error.__traceback__)
        self._lines_file.__exit__(type(error), error, error.__traceback__)
        self.summary.abort()
