"""The results store (审核结果.sqlite): records kept compressed, older stores' plain records still read,
and an entry that is torn or would inflate past its cap treated as missing (the file is read again)."""

from __future__ import annotations

import json
import sqlite3
import zlib

from auditor import store as store_module
from auditor.store import ResultStore

RECORD = json.dumps({"document": {"path": "a.txt"}, "findings": ["同一段文字" * 2000]}, ensure_ascii=False)


def _raw(path, key):
    with sqlite3.connect(path) as db:
        return db.execute("SELECT data FROM results WHERE key = ?", (key,)).fetchone()[0]


def test_records_are_stored_compressed_and_read_back_as_written(tmp_path):
    store = ResultStore(tmp_path / "s.sqlite")
    store.put("k", RECORD)
    store.commit()
    assert store.get("k") == RECORD
    store.close()
    raw = _raw(tmp_path / "s.sqlite", "k")
    assert isinstance(raw, bytes) and len(raw) * 10 < len(RECORD.encode())
    assert ResultStore(tmp_path / "s.sqlite").get("k") == RECORD


def test_a_store_of_plain_records_is_still_read(tmp_path):
    with sqlite3.connect(tmp_path / "old.sqlite") as db:
        db.execute("CREATE TABLE results (key TEXT PRIMARY KEY, data TEXT NOT NULL)")
        db.execute("INSERT INTO results VALUES ('k', ?)", (RECORD,))
    assert ResultStore(tmp_path / "old.sqlite").get("k") == RECORD


def test_a_torn_or_oversized_entry_counts_as_missing(tmp_path, monkeypatch):
    store = ResultStore(tmp_path / "s.sqlite")
    store.db.execute("INSERT INTO results VALUES ('torn', ?)", (zlib.compress(RECORD.encode())[:-20],))
    store.db.execute("INSERT INTO results VALUES ('big', ?)", (zlib.compress(b"0" * 100_000),))
    store.db.execute("INSERT INTO results VALUES ('fine', ?)", (zlib.compress(b"0" * 1_000),))
    monkeypatch.setattr(store_module, "MAX_RECORD", 10_000)
    assert store.get("torn") is None
    assert store.get("big") is None  # never inflated past the cap
    assert store.get("fine") == "0" * 1_000
