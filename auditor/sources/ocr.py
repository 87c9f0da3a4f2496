"""The OCR engine: RapidOCR's PP-OCRv4 text-line recogniser on ONNX Runtime. Its models ship inside
the package (the `ocr` extra), so it works offline and installs from the package registry alone.

Only recognition runs: scan.py finds the text lines itself (inside each table cell, between the
ruled lines), which is faster than the engine's detector on a whole page and never joins the text of
two neighbouring cells. A page's result is cached by the hash of its pixels.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

ENGINE = "rapidocr-onnxruntime PP-OCRv4 rec"
CACHE_VERSION = "1"
INSTALL_HINT = '安装文字识别组件后可以读取：pip install "auditor[ocr]"'


class OcrUnavailable(RuntimeError):
    """The OCR extra is not installed."""


def budget() -> int:
    """Cores this process may use for OCR: the batch shares the machine's among its workers
    (AUDITOR_OCR_THREADS, set by batch.py); a file read alone has them all."""
    try:
        return max(1, int(os.environ["AUDITOR_OCR_THREADS"]))
    except (KeyError, ValueError):
        return max(1, os.cpu_count() or 1)


def split(pages: int) -> tuple[int, int]:
    """(pages read at once, threads of each engine) within the budget: pages in parallel first (the
    engine releases the GIL), the rest of the cores inside each engine."""
    cores = budget()
    at_once = max(1, min(pages, cores))
    return at_once, max(1, cores // at_once)


@lru_cache(maxsize=4)
def engine(threads: int = 0) -> Any:
    """The engine with `threads` intra-op threads (0: the whole budget). One per thread count, shared
    by the page threads (ONNX Runtime sessions may run from several threads at once)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        raise OcrUnavailable(INSTALL_HINT) from None
    count = threads or budget()
    ocr = RapidOCR(intra_op_num_threads=count, inter_op_num_threads=1)
    # one line at a time: a batch pads every line to the widest one's shape, and the recogniser then
    # drops or invents characters at the ends (a closing ” lost); measured faster too (1.2 s vs 2.2 s a page)
    ocr.text_rec.rec_batch_num = 1
    return ocr


def available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def recognise(images: list[Any], ocr: Any = None) -> list[tuple[str, float]]:
    """Text and confidence of each image of one text line (grayscale uint8), in one batch."""
    if not images:
        return []
    import cv2

    ocr = ocr or engine()
    bgr = [cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) for image in images]
    results, _ = ocr.text_rec(bgr)
    return [(str(text), float(score)) for text, score in results]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "auditor" / "ocr"


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """The reading code itself: a cached page is never served to a newer way of reading it."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in ("ocr.py", "scan.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def page_key(gray: Any) -> str:
    digest = hashlib.sha256(f"{CACHE_VERSION}|{ENGINE}|{_code_digest()}|{gray.shape}".encode())
    digest.update(gray.tobytes())
    return digest.hexdigest()


def cached(key: str) -> list[dict[str, Any]] | None:
    path = cache_dir() / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, list) else None


def store(key: str, lines: list[dict[str, Any]]) -> None:
    """Best effort: a cache that cannot be written only costs time."""
    from ..output import atomic_writer

    try:
        cache_dir().mkdir(parents=True, exist_ok=True)
        with atomic_writer(cache_dir() / f"{key}.json") as handle:
            json.dump(lines, handle, ensure_ascii=False)
    except OSError:
        pass
