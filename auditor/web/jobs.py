"""Jobs of the web page: one upload (a file, several, or a zip) audited by the same batch as `auditor
audit` — the same per-file isolation, size, time and memory limits — into the job's own folder.

Jobs run one at a time on a single runner thread (a batch already uses every core); the page polls a
job's progress. A job's folder holds its uploads and reports and is removed when the job expires or
the server stops.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import api
from ..errors import InputError
from ..report.letter import Letter
from ..report.page import kinds_present, page_document, page_summary
from .store import ReviewStore
from .uploads import JobFolder, Limits

_cwd_lock = threading.Lock()


@dataclass
class RunSettings:
    """What the page lets a user choose for a run (the rest is the server's)."""

    profile: str = "national"
    office: str = ""
    deadline: str = ""


@dataclass
class Job:
    id: str
    folder: JobFolder
    state: str = "uploading"  # uploading → queued → running → done | failed
    settings: RunSettings = field(default_factory=RunSettings)
    total: int = 0
    done: int = 0
    started: float = 0.0
    finished: float = 0.0
    runs: int = 0
    documents: list[dict[str, Any]] = field(default_factory=list)  # one summary each; the pages are on disk
    failures: list[dict[str, str]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # reports, relative to the job's out folder
    error: str | None = None
    touched: float = field(default_factory=time.monotonic)

    def progress(self) -> dict[str, Any]:
        elapsed = (self.finished or time.monotonic()) - self.started if self.started else 0.0
        rate = self.done / elapsed if elapsed > 0 and self.done else None
        left = (self.total - self.done) / rate if rate and self.state == "running" else None
        return {"state": self.state, "total": self.total, "done": self.done, "files": len(self.folder.files),
                "elapsed": round(elapsed, 2), "rate": round(rate, 2) if rate else None,
                "left": round(left, 1) if left is not None else None, "runs": self.runs, "error": self.error}


class JobManager:
    def __init__(self, work: Path, limits: Limits, options: api.Options, store: ReviewStore,
                 keep_minutes: float = 120.0, max_jobs: int = 50) -> None:
        self.work = work.resolve()
        self.jobs_root = self.work / "jobs"
        self.jobs_root.mkdir(parents=True, exist_ok=True)
        self.limits, self.options, self.store = limits, options, store
        self.keep_s, self.max_jobs = keep_minutes * 60, max_jobs
        self.jobs: dict[str, Job] = {}
        self._runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="auditor-job")
        self._lock = threading.Lock()

    def create(self) -> Job:
        self.expire()
        with self._lock:
            if len(self.jobs) >= self.max_jobs:
                raise OverflowError(f"同时保留的任务已达上限（{self.max_jobs} 个），请稍后再试")
            job_id = secrets.token_hex(8)
            job = Job(job_id, JobFolder(self.jobs_root / job_id, self.limits))
            self.jobs[job_id] = job
        return job

    def get(self, job_id: str) -> Job | None:
        job = self.jobs.get(job_id)
        if job is not None:
            job.touched = time.monotonic()
        return job

    def start(self, job: Job, settings: RunSettings) -> None:
        """Queue a run (the first, or a re-run with the verdicts saved since)."""
        if job.state in ("queued", "running"):
            return
        job.settings, job.state, job.error = settings, "queued", None
        self._runner.submit(self._run, job)

    def _run(self, job: Job) -> None:
        job.state, job.started, job.finished, job.done, job.total = "running", time.monotonic(), 0.0, 0, 0
        documents: list[dict[str, Any]] = []
        failures: list[dict[str, str]] = []
        pages = job.folder.pages
        shutil.rmtree(pages, ignore_errors=True)
        pages.mkdir()

        def on_total(n: int) -> None:
            job.total = n

        def on_file() -> None:
            job.done += 1

        def on_failure(failure: api.Failure) -> None:
            failures.append({"file": failure.path, "error": failure.error})

        out = job.folder.out
        shutil.rmtree(out, ignore_errors=True)
        job.folder.units_zip.unlink(missing_ok=True)
        options = replace(self.options, profile=job.settings.profile)
        letter = Letter(office=job.settings.office, deadline=job.settings.deadline)
        try:
            # the audit names files by the paths it is given: relative to the job's inputs, so reports
            # say "单位.pdf", never the server's folders. Jobs run one at a time, and nothing else in the
            # server reads a relative path, so the working folder is the job's while it runs.
            with _cwd_lock, contextlib.chdir(job.folder.inputs):
                reviews = self.store.reviews()
                outcome = api.audit_to(["."], out, options, per_unit=True, letter=letter, reviews=reviews,
                                       on_total=on_total, on_file=on_file, on_failure=on_failure)
            # the page's view of each document, drawn from the batch's results store one at a time: the
            # batch ran as any other (its workers rendered the reports); a document the page cannot
            # show is listed (its workbooks are written) and the others go on
            for name, checked in api.stored_documents(out, options, reviews):
                try:
                    if checked is None:
                        raise ValueError("结果库中没有它可读的记录")
                    page = page_document(checked, name)
                    index = len(documents)
                    (pages / f"{index}.json").write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
                    documents.append(page_summary(page, index))
                except Exception as exc:
                    failures.append({"file": name, "error": "已审核（见下载的工作簿），但无法在页面上显示"
                                                            f"（{type(exc).__name__}: {exc}）"})
            job.written = sorted(p.relative_to(out).as_posix() for p in outcome.written)
            job.documents, job.failures, job.state = documents, failures, "done"
        except (api.ConfigError, InputError, OSError) as exc:
            job.error, job.state = f"审核未能完成：{exc}", "failed"
        except Exception as exc:  # the page must learn that the run stopped, whatever stopped it
            job.error, job.state = f"审核出错（{type(exc).__name__}: {exc}），请把文件报告给开发者", "failed"
        finally:
            job.finished = time.monotonic()
            job.runs += 1

    def result(self, job: Job) -> dict[str, Any]:
        """What the page lists of a finished run: one line per document, the failures, the downloads."""
        return {"documents": job.documents, "failures": job.failures, "downloads": job.written,
                "kinds": kinds_present(job.documents)}

    def document(self, job: Job, index: int) -> dict[str, Any] | None:
        """One document of a finished run as the page draws it, with the verdicts saved so far."""
        if job.state != "done" or not 0 <= index < len(job.documents):
            return None
        page = json.loads((job.folder.pages / f"{index}.json").read_text(encoding="utf-8"))
        reviews = self.store.reviews()
        marks = {}
        for f in _every_finding(page):
            review = reviews.get(f["fingerprint"])
            if review is not None:
                marks[f["fingerprint"]] = {"verdict": review.verdict, "remark": review.remark}
        return {"document": page, "reviews": marks}

    def units_zip(self, job: Job) -> Path | None:
        """Every unit's workbook of a finished run in one zip, to send out (made once per run)."""
        from ..output import atomic_writer
        from ..report.writers import UNITS_FOLDER

        books = [p for p in job.written if p.startswith(f"{UNITS_FOLDER}/")]
        if job.state != "done" or not books:
            return None
        target = job.folder.units_zip
        if not target.exists():
            import zipfile

            with atomic_writer(target, binary=True) as handle, \
                    zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as zipped:
                for book in books:
                    zipped.write(job.folder.out / book, book.split("/", 1)[1])
        return target

    def remove(self, job_id: str) -> bool:
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.state in ("queued", "running"):
                return False
            del self.jobs[job_id]
        job.folder.remove()
        return True

    def expire(self) -> None:
        now = time.monotonic()
        for job_id, job in list(self.jobs.items()):
            if now - job.touched > self.keep_s:
                self.remove(job_id)

    def close(self) -> None:
        self._runner.shutdown(wait=True, cancel_futures=True)
        for job_id in list(self.jobs):
            self.remove(job_id)
        shutil.rmtree(self.jobs_root, ignore_errors=True)


def _every_finding(doc: dict[str, Any]) -> list[dict[str, Any]]:
    found = [*doc["document_findings"], *doc["suppressed"]]
    for project in doc["projects"]:
        for f in project["findings"]:
            found.append(f)
            found.extend(f["echoes"])
    return found


def default_work_folder() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="auditor-serve-"))


def own_path(path: str) -> bool:
    """A relative report path that stays inside its folder (a download request names one)."""
    return bool(path) and not os.path.isabs(path) and ".." not in Path(path).parts
