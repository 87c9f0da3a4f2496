"""Re-runs that replay what an unchanged document added to the reports (its rows, JSON entry, unit
workbook, projects for the similar index) from the results store, without reading or scoring it again:
the reports equal a fresh run's in every value, comment and byte of JSON, across part workbooks too."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest
from conftest import sample_regions

from auditor import api
from auditor.report import sheets


@pytest.fixture
def regions(tmp_path):
    """The samples filed by two regions' folders, the second region's units renamed (eight documents)."""
    return sample_regions(tmp_path / "in", {"局": "西城局"})


INLINE = api.Options(jobs=1, timeout_s=0, memory_mb=0)  # files read in this process, where scoring is counted


def _scored(monkeypatch) -> list[str]:
    """The documents scored in this process from now on, by the batch's writer or in a worker run
    inline (INLINE); a replayed one never is."""
    from auditor import batch

    scored: list[str] = []
    score = batch.score

    def counting(doc, *args, **kwargs):
        scored.append(doc.path)
        return score(doc, *args, **kwargs)

    monkeypatch.setattr(api, "score", counting)
    monkeypatch.setattr(batch, "score", counting)
    return scored


def _content(out) -> dict:
    """Every workbook's every sheet: values and cell comments, in order."""
    books = {}
    for path in sorted(out.glob("审核汇总*.xlsx")):
        book = openpyxl.load_workbook(path)
        books[path.name] = {ws.title: [[(c.value, c.comment.text if c.comment else None) for c in row]
                                       for row in ws.iter_rows()] for ws in book.worksheets}
    return books


def _edit(path, old, new):
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_unchanged_documents_are_replayed_and_the_reports_equal_a_fresh_run(regions, tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "EXCEL_ROWS", 300)  # rows in several part workbooks: 序号 and parts replayed too
    monkeypatch.chdir(tmp_path)
    first = api.audit_to(["in"], "out", api.Options(jobs=1))
    assert first.done == 8 and first.parts > 2
    _edit(regions / "西城区" / "002_4d30544783f67109.txt", "≥95%", "≥90%")
    scored = _scored(monkeypatch)
    again = api.audit_to(["in"], "out", INLINE)
    assert scored == ["in/西城区/002_4d30544783f67109.txt"]  # only the edited file was scored (and read)
    assert (again.done, again.cached, again.parts) == (8, 7, first.parts)
    assert again.groups == first.groups > 0  # the similar projects found from replayed entries too
    fresh = api.audit_to(["in"], "fresh", INLINE, resume=False)
    assert len(scored) == 9
    for name in ("审核结果.json", "审核结果.jsonl"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()
    assert _content(tmp_path / "out") == _content(tmp_path / "fresh")
    assert (again.comparisons, again.groups, again.suppressed) == (fresh.comparisons, fresh.groups, fresh.suppressed)


def test_new_reviews_rebuild_the_reports_from_stored_results(regions, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    api.audit_to(["in"], "out", api.Options(jobs=1))

    report = json.loads((tmp_path / "out" / "审核结果.json").read_text(encoding="utf-8"))
    fingerprint = report["documents"][0]["findings"][0]["fingerprint"]
    marked = sum(f["fingerprint"] == fingerprint for d in report["documents"] for f in d["findings"])
    scored = _scored(monkeypatch)
    again = api.audit_to(["in"], "out", INLINE, reviews={fingerprint: "误报"})
    assert len(scored) == 8 and again.cached == 8  # every document scored again, none read again
    assert again.suppressed == marked >= 1
    book = openpyxl.load_workbook(tmp_path / "out" / "审核汇总.xlsx", read_only=True)
    excluded = list(book["已排除"].iter_rows(min_row=2, values_only=True))
    assert [row[-1] for row in excluded] == [fingerprint] * marked


def test_a_unit_workbook_gone_since_is_written_again(regions, tmp_path, monkeypatch):
    from auditor.cache import ResultCache

    monkeypatch.chdir(tmp_path)
    cache = ResultCache(tmp_path / "cache.sqlite")  # the CLI's default: the manifest keeps the units' workbooks
    first = api.audit_to(["in"], "out", api.Options(jobs=1), per_unit=True, cache=cache)
    units = sorted((tmp_path / "out" / "各单位审核意见").glob("*.xlsx"))
    assert len(units) == 8 and first.units_kept == 0
    units[0].unlink()
    scored = _scored(monkeypatch)
    again = api.audit_to(["in"], "out", INLINE, per_unit=True, cache=cache)
    cache.close()
    assert units[0].exists() and again.units_kept == 7 and len(scored) == 1
    shutil.rmtree(tmp_path / "fresh", ignore_errors=True)
    api.audit_to(["in"], "fresh", INLINE, per_unit=True, resume=False)
    assert (tmp_path / "out" / "审核结果.json").read_bytes() == (tmp_path / "fresh" / "审核结果.json").read_bytes()
    assert _content(tmp_path / "out") == _content(tmp_path / "fresh")


def test_a_stored_fragment_that_is_not_one_is_scored_again(regions, tmp_path, monkeypatch):
    import sqlite3

    monkeypatch.chdir(tmp_path)
    api.audit_to(["in"], "out", api.Options(jobs=1))
    db = sqlite3.connect(tmp_path / "out" / "审核结果.sqlite")
    (path,) = db.execute("SELECT path FROM rendered ORDER BY path LIMIT 1").fetchone()
    db.execute("UPDATE rendered SET reports = ? WHERE path = ?", (b"not a fragment", path))
    db.commit()
    db.close()
    scored = _scored(monkeypatch)
    again = api.audit_to(["in"], "out", INLINE)
    assert scored == [path] and again.done == 8  # read from its stored result, the rest replayed
    api.audit_to(["in"], "fresh", INLINE, resume=False)
    assert (tmp_path / "out" / "审核结果.json").read_bytes() == (tmp_path / "fresh" / "审核结果.json").read_bytes()
    assert _content(tmp_path / "out") == _content(tmp_path / "fresh")


def test_stored_rows_read_back_as_placed():
    from auditor.report.excel import RenderedRows, UnitSummary
    from auditor.report.writers import Fragment

    summary = UnitSummary("某局", 2026, "a.txt", 2, 9, {"错误": 1}, 81.5, "良")
    rows = RenderedRows("in/a.txt", "某局", summary, ("项目",),
                        (("<row r=\"\x00\">一</row>".encode(), {3: "说明\n第二行"}),),
                        ((b"<row>a</row>", None), ("<row>𠀀</row>".encode(), {6: "x"})), ())
    fragment = Fragment(b'{"path": "in/a.txt", "note": "\\u001e"}', rows, ("某局_2026审核意见", "k"))
    assert Fragment.from_bytes(fragment.as_bytes()) == fragment
    bare = Fragment(b"{}", RenderedRows("b.txt", None, summary, (), (), (), ()))
    assert Fragment.from_bytes(bare.as_bytes()) == bare
    for broken in (b"", b"{}", fragment.as_bytes()[:40], b"null\x1d{}\x1d[]", b"null\x1d{}\x1d\xff\xfe"):
        with pytest.raises(ValueError):
            Fragment.from_bytes(broken)


def test_reports_rendered_in_workers_equal_those_the_writer_renders(regions, tmp_path, monkeypatch):
    """Workers score and render each document's rows and entry; the batch's writer only places them.
    Byte for byte the same sheets (values, styles, comments) and JSON as when the writer renders."""
    import zipfile

    monkeypatch.setattr(sheets, "EXCEL_ROWS", 300)  # parts and continued sheets placed from workers' rows too
    monkeypatch.chdir(tmp_path)
    seen: list[str] = []
    api.audit_to(["in"], "writer", api.Options(jobs=2), resume=False,
                 on_document=lambda checked: seen.append(checked.document.path))
    placed: list[str] = []
    place = api._place
    monkeypatch.setattr(api, "_place", lambda *args: placed.append(args[4]) or place(*args))
    workers = api.audit_to(["in"], "workers", api.Options(jobs=2), resume=False)
    assert len(seen) == 8 and workers.done == 8 and workers.cached == 0
    assert sorted(placed) == sorted(seen)  # each document's rows came rendered from its worker
    for name in ("审核结果.json", "审核结果.jsonl"):
        assert (tmp_path / "workers" / name).read_bytes() == (tmp_path / "writer" / name).read_bytes()
    books = sorted(p.name for p in (tmp_path / "writer").glob("审核汇总*.xlsx"))
    assert len(books) > 2 and books == sorted(p.name for p in (tmp_path / "workers").glob("审核汇总*.xlsx"))
    for name in books:
        with zipfile.ZipFile(tmp_path / "writer" / name) as a, zipfile.ZipFile(tmp_path / "workers" / name) as b:
            assert sorted(a.namelist()) == sorted(b.namelist())
            for part in a.namelist():
                if part != "docProps/core.xml":  # the time it was written
                    assert a.read(part) == b.read(part), f"{name}: {part}"


def _parts(path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as book:
        return {part: book.read(part) for part in book.namelist() if part != "docProps/core.xml"}


def test_unit_workbooks_written_in_workers_equal_those_the_writer_writes(regions, tmp_path, monkeypatch):
    """With --per-unit each worker writes its document's unit workbook under a temporary name and the
    writer only names it: the same files, byte for byte, as the writer's own; nothing temporary left;
    a re-run keeps the unchanged units' workbooks and replaces the edited one's."""
    from auditor.cache import ResultCache
    from auditor.report import writers

    monkeypatch.chdir(tmp_path)
    api.audit_to(["in"], "writer", api.Options(jobs=2), per_unit=True, resume=False,
                 on_document=lambda checked: None)  # the document comes whole to the writer
    written: list[str] = []
    write = writers.UnitWorkbooks.write
    monkeypatch.setattr(writers.UnitWorkbooks, "write",
                        lambda self, checked: written.append(checked.document.path) or write(self, checked))
    cache = ResultCache(tmp_path / "cache.sqlite")
    first = api.audit_to(["in"], "workers", api.Options(jobs=2), per_unit=True, cache=cache)
    assert first.done == 8 and written == []  # no unit workbook written by the writer
    folder, theirs = tmp_path / "workers" / "各单位审核意见", tmp_path / "writer" / "各单位审核意见"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(p.name for p in theirs.iterdir()) and len(names) == 8  # no temporaries among them
    for name in names:
        assert _parts(folder / name) == _parts(theirs / name), name

    edited = regions / "西城区" / "002_4d30544783f67109.txt"
    _edit(edited, "≥95%", "≥90%")
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = api.audit_to(["in"], "workers", api.Options(jobs=2), per_unit=True, cache=cache)
    cache.close()
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert again.units_kept == 7 and written == [] and after.keys() == before.keys()
    assert sum(after[n] != before[n] for n in after) == 1


def test_documents_read_back_from_the_store_as_the_reports_scored_them(regions, tmp_path, monkeypatch):
    """What the web page draws: each document of the batch read back from 审核结果.sqlite, scored as
    the reports scored it (a 误报 set aside), a record that cannot be read named, not skipped."""
    import sqlite3

    from auditor.model import Review

    monkeypatch.chdir(tmp_path)
    outcome = api.audit_to(["in"], "out", INLINE)
    written = json.loads((tmp_path / "out" / "审核结果.json").read_text(encoding="utf-8"))["documents"]
    reported = {d["path"]: d for d in written}
    read = list(api.stored_documents("out"))
    assert [name for name, _ in read] == sorted(reported) and len(read) == outcome.done == 8
    for name, checked in read:
        assert checked.document.path == name
        assert len(checked.findings) == len(reported[name]["findings"])
        assert checked.score.score == reported[name]["score"]
    name, checked = read[0]
    finding = checked.findings[0]
    marked = {finding.fingerprint(): Review("误报")}
    (_, again), *_ = api.stored_documents("out", reviews=marked)
    assert finding not in again.findings and finding in again.suppressed
    db = sqlite3.connect(tmp_path / "out" / "审核结果.sqlite")
    db.execute("UPDATE results SET data = ? WHERE key = (SELECT key FROM documents WHERE path = ?) || "
               "':' || (SELECT value FROM meta WHERE name = 'settings')", (b"torn", name))
    db.commit()
    db.close()
    assert [(n, c is None) for n, c in api.stored_documents("out")][:2] == [(name, True), (read[1][0], False)]
    assert list(api.stored_documents(tmp_path / "nowhere")) == []
