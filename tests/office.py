"""LibreOffice for the tests that print or re-save workbooks (.ci/run installs it; a machine
without it skips those tests, CI fails them)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def need_libreoffice() -> str:
    if SOFFICE is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing: .ci/run installs it")
        pytest.skip("LibreOffice not installed here (.ci/run installs it)")
    return SOFFICE


def convert(source: Path, outdir: Path, export: str = "pdf") -> Path:
    """`source` converted by LibreOffice into `outdir` (`export`: a filter such as "pdf" or
    "xlsx:Calc MS Excel 2007 XML"); the path of the result."""
    soffice = need_libreoffice()
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{outdir}/lo", "--convert-to", export,
                    "--outdir", str(outdir), str(source)], check=True, capture_output=True, timeout=300)
    return outdir / f"{source.stem}.{export.split(':')[0]}"
