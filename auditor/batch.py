"""Audit many files: in parallel across the cores, each file's failure isolated, results in
input order, unchanged files served from the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .cache import ResultCache
from .errors import InputError
from .model import Document, Finding


@dataclass(frozen=True, slots=True)
class Settings:
    """What decides a file's findings besides its content (part of the cache key)."""

    profile: str = "national"
    select: str | None = None
    ignore: str | None = None
    max_size_mb: float = 50.0  # larger inputs are refused, not read
    timeout_s: float = 120.0  # a file taking longer is reported and skipped (0: no limit)

    def digest(self) -> str:
        from . import __version__
        from .resources import models_dir, rules_dir

        h = hashlib.sha256(f"{__version__}|{self.profile}|{self.select}|{self.ignore}|{self.max_size_mb}".encode())
        for base in (rules_dir(), models_dir()):
            if base.is_dir():
                for path in sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in (".yml", ".txt", ".json",
                                                                                              ".skops")):
                    h.update(path.relative_to(base).as_posix().encode())
                    h.update(path.read_bytes())
        profile = Path(self.profile)
        if profile.suffix in (".yml", ".yaml") and profile.exists():
            h.update(profile.read_bytes())
        return h.hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    document: Document | None = None
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    cached: bool = False


@lru_cache(maxsize=4)
def _engine(settings: Settings):
    from .check import load_profile, load_rules, select_rules

    return select_rules(load_rules(), settings.select, settings.ignore), load_profile(settings.profile)


class _Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def audit_file(path: str, settings: Settings) -> FileResult:
    """Extract and check one file; every failure becomes a FileResult with its reason."""
    import signal

    from .check import check_document
    from .extract import extract_path

    timed = settings.timeout_s > 0 and hasattr(signal, "setitimer")
    previous = None
    try:
        size = os.path.getsize(path)
        if size > settings.max_size_mb * 1024 * 1024:
            return FileResult(path, error=f"文件过大（{size / 1024 / 1024:.1f} MB，上限 {settings.max_size_mb:g} MB）")
        if timed:
            try:
                previous = signal.signal(signal.SIGALRM, _on_alarm)
                signal.setitimer(signal.ITIMER_REAL, settings.timeout_s)
            except ValueError:  # not the main thread: no timer here
                timed = False
        doc = extract_path(path)
        rules, profile = _engine(settings)
        return FileResult(path, doc, tuple(check_document(doc, rules, profile)))
    except _Timeout:
        return FileResult(path, error=f"处理超时（超过 {settings.timeout_s:g} 秒），已跳过")
    except FileNotFoundError:
        return FileResult(path, error="文件不存在")
    except InputError as exc:
        return FileResult(path, error=exc.problem)
    except RecursionError:
        return FileResult(path, error="文件结构过深，无法处理")
    except MemoryError:
        return FileResult(path, error="文件过大，内存不足")
    except Exception as exc:
        return FileResult(path, error=f"内部错误（{type(exc).__name__}: {exc}），请把此文件报告给开发者")
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if previous is not None:
                signal.signal(signal.SIGALRM, previous)


def _encode(result: FileResult) -> str:
    from .codec import to_data

    return json.dumps({"document": to_data(result.document), "findings": to_data(result.findings)},
                      ensure_ascii=False, separators=(",", ":"))


def _decode(path: str, text: str) -> FileResult | None:
    from .codec import from_data

    try:
        data = json.loads(text)
        doc = from_data(Document, data["document"])
        findings = tuple(from_data(Finding, f) for f in data["findings"])
    except (ValueError, KeyError, TypeError):
        return None  # an unreadable cache entry is recomputed, never trusted
    return FileResult(path, doc, findings, cached=True)


def file_key(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _worker(args: tuple[str, Settings, bool]) -> tuple[FileResult, str | None]:
    """Audit one file in a worker; encode it for the cache there too, so the main process only stores it."""
    path, settings, encode = args
    result = audit_file(path, settings)
    return result, (_encode(result) if encode and result.error is None else None)


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run_batch(paths: Sequence[str], settings: Settings, jobs: int | None = None, cache: ResultCache | None = None,
              on_done: Callable[[FileResult], None] | None = None,
              keys: Sequence[str | None] | None = None) -> Iterator[FileResult]:
    """Yield one FileResult per path, in the order given (`keys`: content hashes, if known)."""
    jobs = jobs or default_jobs()
    digest = settings.digest() if cache else ""
    if keys is None:
        keys = [file_key(p) if cache else None for p in paths]
    results: list[FileResult | None] = [None] * len(paths)
    todo: list[int] = []
    for i, (path, key) in enumerate(zip(paths, keys, strict=True)):
        hit = cache.get(f"{key}:{digest}") if cache and key else None
        decoded = _decode(path, hit) if hit else None
        if decoded is not None:
            results[i] = decoded
        else:
            todo.append(i)
    computed = _compute([paths[i] for i in todo], settings, jobs, encode=cache is not None)
    next_todo = 0
    for i in range(len(paths)):
        if results[i] is None:
            result, encoded = next(computed)
            assert result.path == paths[todo[next_todo]]
            next_todo += 1
            if cache and keys[i] and encoded is not None:
                cache.put(f"{keys[i]}:{digest}", encoded)
            results[i] = result
        final = results[i]
        assert final is not None
        if on_done:
            on_done(final)
        yield final
        results[i] = None  # let finished results go: the report writer holds what it needs
    if cache:
        cache.commit()


def _compute(paths: list[str], settings: Settings, jobs: int, encode: bool) -> Iterator[tuple[FileResult, str | None]]:
    if jobs <= 1 or len(paths) < 4:
        for p in paths:
            yield _worker((p, settings, encode))
        return
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for item in pool.map(_worker, [(p, settings, encode) for p in paths], chunksize=4):
                done += 1
                yield item
    except BrokenProcessPool:
        # a worker died (killed, out of memory): finish the rest here, one by one, each isolated
        for p in paths[done:]:
            yield _worker((p, settings, encode))
