"""Audit many files: in parallel across the cores, each file's failure isolated, results in
input order, unchanged files served from the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import ResultCache
from .errors import InputError
from .model import Document, Finding, Review

if TYPE_CHECKING:  # loaded only where a document is scored
    from .check.profile import Profile
    from .report.records import CheckedDocument
    from .report.writers import UnitSpec


@dataclass(frozen=True, slots=True)
class Settings:
    """What decides a file's findings besides its content (part of the cache key)."""

    profile: str = "national"
    select: str | None = None
    ignore: str | None = None
    rules: str | None = None  # a folder of the user's own rule packs, beside the built-in ones
    max_size_mb: float = 50.0  # larger inputs are refused, not read
    timeout_s: float = 120.0  # a file taking longer has its worker killed, is reported and skipped (0: no limit)
    memory_mb: float = 2048.0  # address-space cap of each worker process (0: none)
    check: bool = True  # False: extract only

    def digest(self) -> str:
        from . import __version__
        from .resources import models_dir, rules_dir

        h = hashlib.sha256(f"{__version__}|{self.profile}|{self.select}|{self.ignore}|{self.max_size_mb}|{self.check}"
                           .encode())
        for base in (rules_dir(), models_dir(), *([Path(self.rules)] if self.rules else [])):
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
class Engine:
    """Where the files are audited: `local` worker processes (the default) or a `dask` cluster
    (`scheduler`: its address; None starts a LocalCluster of `jobs` workers on this machine)."""

    kind: str = "local"
    scheduler: str | None = None
    ocr_threads: int | None = 1  # OCR threads per cluster task (a cluster worker is one core)


@dataclass(frozen=True, slots=True)
class ReportSpec:
    """What a worker needs to score a document and render what it adds to the batch's reports, so the
    batch's one writer only places it: the reviews carried into the reports (`key`: a digest of them
    and of the reports' layout, telling a worker when its renderer is stale)."""

    key: str
    reviews: dict[str, Review]
    false_positives: frozenset[str]  # fingerprints a reviewer marked 误报: set aside, not scored
    units: UnitSpec | None = None  # the batch writes every unit's workbook: the worker writes its document's


@dataclass(frozen=True, slots=True)
class Rendered:
    """A document scored and its reports rendered in its worker: all the writer and the results store
    need of it (the document itself stays in the worker)."""

    unit: str | None
    year: int | None
    suppressed: int  # findings a reviewer's 误报 set aside
    fragment: bytes  # report.writers.Fragment, as_bytes
    stored: bytes  # the fragment as the results store keeps it (deflated here, not by the one writer)
    similar: str | None  # its projects for the similar-projects index (JSON), None without a unit
    unit_workbook: str | None = None  # the unit's workbook, written under a temporary name for the writer to name


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    document: Document | None = None
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    cached: bool = False
    rendered: Rendered | None = None  # scored and rendered in the worker (then no document comes back)


@lru_cache(maxsize=4)
def _engine(settings: Settings):
    from .check import load_profile, load_rules, select_rules

    return select_rules(load_rules(settings.rules), settings.select, settings.ignore), load_profile(settings.profile)


NO_TABLE = "未找到绩效目标表（文件中没有项目支出绩效目标表、整体支出绩效目标表或绩效自评表），未评分"


def audit_file(path: str, settings: Settings, shown: str | None = None) -> FileResult:
    """Extract and check one file; every failure becomes a FileResult with its reason.

    Runs inside a worker that the pool kills past the time limit; here only the size is checked.
    `shown`: the name reports give the file (a cluster worker reads it by its absolute path)."""
    import dataclasses

    from .extract import extract_path
    from .inputs import display_path

    shown = shown or display_path(path)
    try:
        size = os.path.getsize(path)
        if size > settings.max_size_mb * 1024 * 1024:
            return FileResult(shown, error=f"文件过大（{size / 1024 / 1024:.1f} MB，上限 {settings.max_size_mb:g} MB）")
        doc = extract_path(path)
        if shown != doc.path:
            doc = dataclasses.replace(doc, path=shown)
        if not settings.check:
            return FileResult(shown, doc)
        if not (doc.projects or doc.overall or doc.fragments):
            return FileResult(shown, error=NO_TABLE)  # nothing to audit is no "100 分（优）"
        from .check import check_document

        rules, profile = _engine(settings)
        return FileResult(shown, doc, tuple(check_document(doc, rules, profile)))
    except FileNotFoundError:
        return FileResult(shown, error="文件不存在")
    except InputError as exc:
        return FileResult(shown, error=exc.problem)
    except RecursionError:
        return FileResult(shown, error="文件结构过深，无法处理")
    except MemoryError:
        return FileResult(shown, error=f"文件过大，处理时超过内存上限（{settings.memory_mb:g} MB）")
    except Exception as exc:
        return FileResult(shown, error=f"内部错误（{type(exc).__name__}: {exc}），请把此文件报告给开发者")


def _encode(result: FileResult) -> str:
    from .codec import to_data

    return json.dumps({"document": to_data(result.document), "findings": to_data(result.findings)},
                      ensure_ascii=False, separators=(",", ":"))


def decode_record(path: str, text: str) -> FileResult | None:
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


# path, settings, encode for the cache, OCR threads (None: all), the name reports give it (None: the path),
# what rendering its reports needs (None: the writer renders them)
Task = tuple[str, Settings, bool, int | None, str | None, ReportSpec | None]


def _worker(args: Task) -> tuple[FileResult, str | None]:
    """Audit one file in a worker; encode it for the cache there too, and (`report`) score it and render
    its reports, so the main process only stores and places them. A worker's OCR engine uses its share
    of the cores (scanned pages), not all of them."""
    path, settings, encode, ocr_threads, shown, report = args
    if ocr_threads:
        os.environ["AUDITOR_OCR_THREADS"] = str(ocr_threads)
    result = audit_file(path, settings, shown)
    encoded = _encode(result) if encode and result.error is None else None
    if report is not None and result.document is not None:
        rendered = _rendered(result, settings, report)
        if rendered is not None:
            result = FileResult(result.path, rendered=rendered)
    return result, encoded


def score(doc: Document, findings: Sequence[Finding], profile: Profile,
          false_positives: frozenset[str] = frozenset(), cached: bool = False) -> tuple[CheckedDocument, int]:
    """A document's findings (less those a reviewer marked 误报, kept aside) with its scores, and how
    many were set aside."""
    from .check.score import score_document
    from .report.records import CheckedDocument

    kept, aside = list(findings), []
    if false_positives:
        kept = [f for f in findings if f.fingerprint() not in false_positives]
        aside = [f for f in findings if f.fingerprint() in false_positives]
    document_score, tables = score_document(doc, kept, profile)
    return CheckedDocument(doc, tuple(kept), document_score, tables, tuple(aside), cached), len(aside)


_renderer: list[Any] = []  # this worker's (report key, FragmentRenderer), made on its first document


def _rendered(result: FileResult, settings: Settings, report: ReportSpec) -> Rendered | None:
    """The document scored and its reports rendered; None when any of that fails (the writer then
    does it, and reports what failed)."""
    from .check.across import SimilarIndex
    from .check.matching import name_key
    from .report.writers import FragmentRenderer
    from .store import deflated

    doc = result.document
    assert doc is not None
    try:
        _, profile = _engine(settings)
        if not _renderer or _renderer[0] != report.key:
            _renderer[:] = [report.key, FragmentRenderer(report.reviews, report.units)]
        checked, aside = score(doc, result.findings, profile, report.false_positives)
        made = _renderer[1].render(checked)
        if made is None:
            return None
        fragment, unit_workbook = made
        entry = SimilarIndex(profile).entry(doc)
        data = fragment.as_bytes()
        return Rendered(name_key(doc.unit) if doc.unit else None, doc.year, aside, data, deflated(data),
                        None if entry is None else json.dumps(entry, ensure_ascii=False), unit_workbook)
    except Exception:
        return None


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run_batch(paths: Sequence[str], settings: Settings, jobs: int | None = None, cache: ResultCache | None = None,
              on_done: Callable[[FileResult], None] | None = None,
              keys: Sequence[str | None] | None = None, engine: Engine | None = None,
              report: ReportSpec | None = None) -> Iterator[FileResult]:
    """Yield one FileResult per path, in the order given (`keys`: content hashes, if known; `report`:
    files read now are scored and their reports rendered in their workers too)."""
    jobs = jobs or default_jobs()
    digest = settings.digest() if cache else ""
    if keys is None:
        keys = [file_key(p) if cache else None for p in paths]
    # which files the cache holds; each is read and decoded only when its turn comes (a resumed national
    # batch would otherwise hold every document at once)
    cached = [bool(cache and key and cache.has(f"{key}:{digest}")) for key in keys]
    todo = [i for i, hit in enumerate(cached) if not hit]
    computed = _compute([paths[i] for i in todo], settings, jobs, encode=cache is not None, engine=engine,
                        report=report)
    for i, path in enumerate(paths):
        final = None
        if cached[i] and cache is not None:
            hit = cache.get(f"{keys[i]}:{digest}")
            final = decode_record(path, hit) if hit else None
            if final is None:  # torn since it was looked up: read the file after all
                final, encoded = next(_compute([path], settings, 1, encode=True, engine=engine, report=report))
                if keys[i] and encoded is not None:
                    cache.put(f"{keys[i]}:{digest}", encoded)
        else:
            final, encoded = next(computed)
            if cache and keys[i] and encoded is not None:
                cache.put(f"{keys[i]}:{digest}", encoded)
        if on_done:
            on_done(final)
        yield final
    if cache:
        cache.commit()


def timed_out(item: Task) -> tuple[FileResult, str | None]:
    """The result of a file whose worker was killed past the time limit."""
    from .inputs import display_path

    reason = f"处理超时（超过 {item[1].timeout_s:g} 秒），已停止并跳过"
    return FileResult(item[4] or display_path(item[0]), error=reason), None


def crashed(item: Task) -> tuple[FileResult, str | None]:
    """The result of a file whose worker died under it (memory, a parser's crash, a lost cluster worker)."""
    from .inputs import display_path

    reason = "处理进程意外退出（可能内存不足或文件触发了解析库的缺陷），已跳过"
    return FileResult(item[4] or display_path(item[0]), error=reason), None


def _compute(paths: list[str], settings: Settings, jobs: int, encode: bool, engine: Engine | None = None,
             report: ReportSpec | None = None) -> Iterator[tuple[FileResult, str | None]]:
    """Each file in a killable worker (time and memory limits); in this process only when there are
    no limits to enforce and one job (debugging, profiling). `engine`: a dask.distributed cluster
    instead of the local processes (the same isolation inside each cluster worker)."""
    from .pool import KillingPool, read_ahead

    if engine is not None and engine.kind == "dask":
        from .cluster import run_on_dask
        from .inputs import display_path

        tasks: list[Task] = [(os.path.abspath(p), settings, encode, engine.ocr_threads, display_path(p), report)
                             for p in paths]
        yield from run_on_dask(tasks, _worker, timed_out, crashed, settings.timeout_s, settings.memory_mb,
                               engine.scheduler, jobs)
        return
    if jobs <= 1 and settings.timeout_s <= 0 and settings.memory_mb <= 0:
        for p in paths:
            yield _worker((p, settings, encode, None, None, report))
        return
    share = max(1, default_jobs() // max(1, jobs))
    pool: KillingPool[Task, tuple[FileResult, str | None]] = KillingPool(
        work=_worker, on_timeout=timed_out, on_crash=crashed,
        jobs=jobs, timeout_s=settings.timeout_s, memory_mb=settings.memory_mb)
    # a thread keeps the workers busy while this process places results or replays stored documents
    yield from read_ahead(pool.map([(p, settings, encode, share, None, report) for p in paths]), 4 * jobs + 4)
