"""The reviewer's verdicts (确认/误报/待定 and a remark), kept in SQLite across jobs and restarts, fed
to the next audit as its baseline: a finding marked 误报 is set aside there, exactly as when a
reviewed workbook is passed to `auditor audit --baseline`."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from datetime import datetime
from pathlib import Path

from ..model import VERDICTS, Review

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    fingerprint TEXT PRIMARY KEY,
    verdict TEXT NOT NULL,
    remark TEXT NOT NULL DEFAULT '',
    file TEXT NOT NULL DEFAULT '',
    rule TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL
)"""
_UPSERT = """
INSERT INTO reviews (fingerprint, verdict, remark, file, rule, updated) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(fingerprint) DO UPDATE SET verdict = excluded.verdict, remark = excluded.remark, file = excluded.file,
    rule = excluded.rule, updated = excluded.updated"""
MAX_REMARK = 2000


class ReviewStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def save(self, fingerprint: str, verdict: str, remark: str = "", file: str = "", rule: str = "") -> None:
        """Record a verdict ("" clears it). ValueError for a verdict or fingerprint that cannot be one."""
        if verdict and verdict not in VERDICTS:
            raise ValueError(f"审核意见只能是{'、'.join(VERDICTS)}")
        if not (0 < len(fingerprint) <= 64 and fingerprint.isalnum()):
            raise ValueError("问题编号无效")
        with self._lock, closing(self._connect()) as db, db:
            if not verdict and not remark:
                db.execute("DELETE FROM reviews WHERE fingerprint = ?", (fingerprint,))
                return
            db.execute(_UPSERT, (fingerprint, verdict, remark[:MAX_REMARK], file[:500], rule[:20],
                                 datetime.now().isoformat(timespec="seconds")))

    def reviews(self) -> dict[str, Review]:
        with closing(self._connect()) as db:
            return {fp: Review(verdict=verdict, remark=remark)
                    for fp, verdict, remark in db.execute("SELECT fingerprint, verdict, remark FROM reviews")}
