"""The web page in a real browser: `auditor serve` started as its own process on a free loopback port,
Debian's Chromium driven by Playwright through its executable path (no browser is downloaded; .ci/run
installs the system package). Used by the browser tests, bench/serve.py and docs/screenshots.py.
A machine without Chromium or Playwright skips those tests; CI fails them."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

TOKEN = "browser-test-token-0123456789"
# the flags a headless Chromium needs on a closed network (no background connections, no sandbox as root)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    return os.environ.get("AUDITOR_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def need_browser() -> str:
    """Chromium's path, or skip (fail under CI) when the browser or Playwright is missing."""
    import pytest

    path = chromium_path()
    problem = None
    if path is None:
        problem = "Chromium is missing: .ci/run installs Debian's chromium"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "Playwright is missing: pip install -e '.[dev,web]'"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    return path  # type: ignore[return-value]


@contextlib.contextmanager
def served(work: Path, *extra: str) -> Iterator[str]:
    """`auditor serve` on a free port; yields the address it printed (with the token)."""
    work.mkdir(parents=True, exist_ok=True)
    log = (work / "serve.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "auditor", "serve", "--port", "0", "--no-open", "--token", TOKEN,
         "--store", str(work / "reviews.sqlite"), "--work", str(work / "jobs"), *extra],
        stdout=log, stderr=log, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 60
        while True:
            log.seek(0)
            found = re.search(r"http://\S+/\?token=\S+", log.read())
            if found:
                yield found.group(0)
                break
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"auditor serve did not start: {log.read()}")
            time.sleep(0.1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def browser_page(executable: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900},
                                          locale="zh-CN")
            yield context.new_page()
        finally:
            browser.close()


def audit_in_page(page, files: Sequence[Path], timeout_s: float = 300) -> float:
    """Choose `files` in the page, start the audit, wait for the result; the seconds it took."""
    page.set_input_files("#file-input", [str(f) for f in files])
    started = time.monotonic()
    page.click("#start")
    page.wait_for_selector("#result-panel:not([hidden]) .document", timeout=timeout_s * 1000)
    return time.monotonic() - started
