"""The batch's results of record: one SQLite file in the output folder (审核结果.sqlite).

Every document's extracted record and findings, and every failure, go into it as they arrive, each
committed at once (WAL: an append, not an fsync), so a batch killed midway keeps what it finished
and the next run over the same inputs and settings resumes there: a file whose content and settings
are unchanged is served from the store, not read again. The comparisons across years and units
read their documents back from it unit by unit, so the driver never holds the whole corpus.

The values are JSON written by this tool (never pickle), zlib-compressed (level 3: a sample's record
188 KB → 20 KB for 0.7 ms; older stores' plain text is read as it is); an entry that cannot be
decoded, or would inflate past MAX_RECORD, is recomputed. SQLite rather than DuckDB or Parquet: the
batch writes one row at a time as documents arrive, reads by key, and lives beside the reports as
one file a user can copy (bench/store.py --engines measures the three on the same records).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .cache import ResultCache
from .model import Document

NAME = "审核结果.sqlite"
MAX_RECORD = 1 << 30  # bytes a stored record may inflate to (no real document comes near)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, data BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS documents (path TEXT PRIMARY KEY, key TEXT NOT NULL, unit TEXT, year INTEGER)",
    "CREATE TABLE IF NOT EXISTS failures (path TEXT PRIMARY KEY, error TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS documents_unit ON documents (unit)",
    # what a document added to the reports, for a later run to replay (key: its result's key and a digest of
    # everything else the reports depend on: reviews, letter, options, the reports' code)
    "CREATE TABLE IF NOT EXISTS rendered (path TEXT PRIMARY KEY, key TEXT NOT NULL, reports BLOB NOT NULL, "
    "similar BLOB)",
)


class ResultStore:
    """审核结果.sqlite: results keyed like the cache (file content + settings digest), the documents
    of this batch (path → key, unit, year) and its failures. `cache`: the user's cache behind it (a
    result missing here is looked up there, and what is computed goes to both)."""

    def __init__(self, path: str | Path, cache: ResultCache | None = None) -> None:
        self.path = Path(path)
        self.cache = cache
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                db.execute(statement)
            return db
        except sqlite3.DatabaseError:  # not a store (a file of that name, a torn copy): start afresh
            with contextlib.suppress(NameError):
                db.close()
            for leftover in (self.path, self.path.with_name(self.path.name + "-wal"),
                             self.path.with_name(self.path.name + "-shm")):
                leftover.unlink(missing_ok=True)
            return self._open()

    # the cache interface run_batch uses
    def has(self, key: str) -> bool:
        """Whether a result is stored here or in the cache behind (without reading or inflating it)."""
        if self.db.execute("SELECT 1 FROM results WHERE key = ?", (key,)).fetchone():
            return True
        return self.cache is not None and self.cache.has(key)

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT data FROM results WHERE key = ?", (key,)).fetchone()
        if row:
            text = _inflated(row[0])
            if text is not None:
                return text
        found = self.cache.get(key) if self.cache is not None else None
        if found is not None:
            self.db.execute("INSERT OR REPLACE INTO results (key, data) VALUES (?, ?)", (key, _deflated(found)))
        return found

    def put(self, key: str, data: str) -> None:
        """Stored with the document's entry (document_done/failed commit both at once)."""
        self.db.execute("INSERT OR REPLACE INTO results (key, data) VALUES (?, ?)", (key, _deflated(data)))
        if self.cache is not None:
            self.cache.put(key, data)

    def commit(self) -> None:
        self.db.commit()
        if self.cache is not None:
            self.cache.commit()

    # this batch
    def begin(self, digest: str, paths: Iterable[str], fresh: bool = False) -> None:
        """A batch under settings `digest` over `paths`: results of other settings and rows of files no
        longer in the batch are dropped (the store describes this batch only); `fresh`: all of them."""
        before = self.db.execute("SELECT value FROM meta WHERE name = 'settings'").fetchone()
        if fresh or before is None or before[0] != digest:
            self.db.execute("DELETE FROM results")
            self.db.execute("DELETE FROM documents")
            self.db.execute("DELETE FROM rendered")
            self.db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('settings', ?)", (digest,))
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS batch (path TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM batch")
        self.db.executemany("INSERT OR IGNORE INTO batch (path) VALUES (?)", ((p,) for p in paths))
        self.db.execute("DELETE FROM documents WHERE path NOT IN (SELECT path FROM batch)")
        self.db.execute("DELETE FROM rendered WHERE path NOT IN (SELECT path FROM documents)")
        self.db.execute("DELETE FROM failures")
        self.db.execute("DELETE FROM results WHERE key NOT IN (SELECT key || ':' || ? FROM documents)", (digest,))
        self.db.commit()
        self.digest = digest

    def finished(self) -> int:
        """Documents of this batch already in the store (what a resumed run does not read again)."""
        return self.db.execute("SELECT COUNT(*) FROM documents d JOIN results r ON r.key = d.key || ':' || ?",
                               (self.digest,)).fetchone()[0]

    def document_done(self, path: str, key: str | None, unit: str | None, year: int | None,
                      rendered: tuple[str, bytes, str | None] | None = None) -> None:
        """A document of this batch finished; `rendered`: (key, reports as `deflated` made them, similar)
        what it added to the reports, for a later run to replay (None: nothing to replay)."""
        self.db.execute("DELETE FROM failures WHERE path = ?", (path,))
        self.db.execute("INSERT OR REPLACE INTO documents (path, key, unit, year) VALUES (?, ?, ?, ?)",
                        (path, key or "", unit, year))
        if rendered is None:
            self.db.execute("DELETE FROM rendered WHERE path = ?", (path,))
        else:
            reports, similar = rendered[1], rendered[2]
            self.db.execute("INSERT OR REPLACE INTO rendered (path, key, reports, similar) VALUES (?, ?, ?, ?)",
                            (path, rendered[0], reports, None if similar is None else _deflated(similar)))
        self.db.commit()

    def failed(self, path: str, error: str) -> None:
        self.db.execute("DELETE FROM documents WHERE path = ?", (path,))
        self.db.execute("DELETE FROM rendered WHERE path = ?", (path,))
        self.db.execute("INSERT OR REPLACE INTO failures (path, error) VALUES (?, ?)", (path, error))
        self.db.commit()

    def replayable(self, wanted: dict[str, str]) -> set[str]:
        """The paths whose stored reports were made under the key `wanted` gives each."""
        return {path for path, key in self.db.execute("SELECT path, key FROM rendered") if wanted.get(path) == key}

    def rendered_in_turn(self, wanted: Sequence[tuple[str, str]]) -> Iterator[tuple[bytes, str | None] | None]:
        """For each (path, key) in turn, what that document added to the reports when they were made
        under `key`: (reports, similar), or None (not stored, made otherwise, or unreadable). Over a
        connection of its own, so another thread can read and inflate the stored reports (zlib lets go
        of the GIL) while this one places them."""
        db = sqlite3.connect(self.path, timeout=30)
        try:
            for path, key in wanted:
                yield _rendered(db, path, key)
        finally:
            db.close()

    def records(self) -> Iterator[tuple[str, str | None]]:
        """Each document of the batch last written here (path order) with its stored record (the
        document and its findings, JSON), None when the record is missing or cannot be read."""
        found = self.db.execute("SELECT value FROM meta WHERE name = 'settings'").fetchone()
        digest = found[0] if found else ""
        for path, data in self.db.execute("SELECT d.path, r.data FROM documents d LEFT JOIN results r "
                                          "ON r.key = d.key || ':' || ? ORDER BY d.path", (digest,)):
            yield path, None if data is None else _inflated(data)

    def units_with_years(self) -> list[str]:
        """Units with documents of more than one year in this batch (the ones compared across years), in
        the order of their first file."""
        return [u for (u,) in self.db.execute("SELECT unit FROM documents WHERE unit IS NOT NULL AND year IS NOT NULL "
                                              "GROUP BY unit HAVING COUNT(DISTINCT year) > 1 ORDER BY MIN(path), unit")]

    def documents(self, unit: str) -> Iterator[Document]:
        """A unit's documents in this batch, decoded one at a time, in path order."""
        for path, data in self.db.execute("SELECT d.path, r.data FROM documents d JOIN results r "
                                          "ON r.key = d.key || ':' || ? WHERE d.unit = ? ORDER BY d.path",
                                          (self.digest, unit)):
            doc = _decoded(path, data)
            if doc is not None:
                yield doc

    def close(self) -> None:
        self.commit()
        self.db.close()


def _rendered(db: sqlite3.Connection, path: str, key: str) -> tuple[bytes, str | None] | None:
    row = db.execute("SELECT reports, similar FROM rendered WHERE path = ? AND key = ?", (path, key)).fetchone()
    if row is None or not isinstance(row[0], bytes):
        return None
    reports = _inflated_bytes(row[0])
    similar = None if row[1] is None else _inflated(row[1])
    if reports is None or (row[1] is not None and similar is None):
        return None
    return reports, similar


def deflated(data: bytes) -> bytes:
    """How the store keeps a document's reports (done where it was audited: a worker, not the writer)."""
    return zlib.compress(data, 3)


def _deflated(text: str) -> bytes:
    return deflated(text.encode("utf-8"))


def _inflated_bytes(data: bytes) -> bytes | None:
    """A stored value as it was deflated; None when it is torn or would inflate past MAX_RECORD."""
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(data, MAX_RECORD)
    except zlib.error:
        return None
    return None if inflater.unconsumed_tail or not inflater.eof else raw


def _inflated(data: bytes | str) -> str | None:
    """A stored value's text; None when it is torn or would inflate past MAX_RECORD."""
    if isinstance(data, str):  # a store written before records were compressed
        return data
    raw = _inflated_bytes(data)
    try:
        return None if raw is None else raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decoded(path: str, data: bytes | str) -> Document | None:
    """A stored document under the name this batch gives its file (the same content may have been
    stored from another path); None when the entry cannot be read."""
    import dataclasses

    from .codec import from_data

    text = _inflated(data)
    if text is None:
        return None
    doc = from_data(Document, json.loads(text)["document"])
    return doc if doc.path == path else dataclasses.replace(doc, path=path)
