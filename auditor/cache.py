"""The incremental cache: one SQLite file, results keyed by file content and settings digest.

A file whose content hash and rule/model versions are unchanged is not processed again. The
values are JSON written by this tool (never pickle); an entry that cannot be decoded is simply
recomputed.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def default_cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "auditor" / "cache.sqlite"


class ResultCache:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit is an append, not an fsync
        self.db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, data TEXT NOT NULL)")

    def has(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM results WHERE key = ?", (key,)).fetchone() is not None

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT data FROM results WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, data: str) -> None:
        """Store one result and commit it at once: a batch killed midway keeps what it finished."""
        self.db.execute("INSERT OR REPLACE INTO results (key, data) VALUES (?, ?)", (key, data))
        self.db.commit()

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.commit()
        self.db.close()
