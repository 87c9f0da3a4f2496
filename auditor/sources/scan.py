"""Scanned pages (image-only PDF pages, photos and scans as .png/.jpg/.tif) read into the same lines the
other sources give: text outside tables as lines, each table row as its cells joined by tabs, a merged
cell's text in its first cell (as pdfplumber gives a ruled table).

Text outside ruled tables is read line by line, and a line's stretches that stand far apart are its
cells (a table printed without rules, aligned by position).

A page is turned upright (quarter turns by the direction of its text lines, then a skew of up to 4°
by the angle that makes its rows sharpest), its ruled lines found with OpenCV morphology, the table
grid rebuilt from them (a cell spans the grid cells no ruled line separates), and every cell's text
lines recognised by the OCR engine (ocr.py) in one batch. Lines holding a cell the engine was not sure
of are marked, so findings on them say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .ocr import recognise

MAX_PIXELS = 40_000_000  # a page or a photo larger than this (about A3 at 400 dpi) is refused before decoding
PAD = (0.25, 0.25)  # white kept around a text line, above/below and beside it, as shares of its height
LOW_CONFIDENCE = 0.8  # a cell whose weakest text line scores below this is marked


@dataclass(frozen=True, slots=True)
class PageLine:
    text: str
    top: int
    low_confidence: bool = False


def _cv2():
    import cv2

    return cv2


def _binary(gray: Any) -> Any:
    """Ink as 255 on 0, tolerant of uneven light and scanner noise."""
    cv2 = _cv2()
    blurred = cv2.medianBlur(gray, 3)
    return cv2.adaptiveThreshold(blurred, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)


def _rules(bw: Any) -> tuple[Any, Any]:
    """The horizontal and the vertical ruled lines (long thin runs of ink). A stroke of a large glyph can
    be as long as a short rule: a vertical run counts only where it meets a horizontal rule (a cell's
    border does, a glyph padded inside its cell never does), a horizontal one where it meets a vertical
    rule or runs an eighth of the page."""
    cv2 = _cv2()
    h, w = bw.shape
    horizontal = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, w // 35), 1)))
    # a table's last row at the foot of a page may stand alone: a kernel a little taller than a line of
    # text (the page's height / 60 is about 1.2 em at 150–200 dpi) finds its borders
    vertical = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(18, h // 60))))
    vertical = _touching(vertical, horizontal, 0)
    horizontal = _touching(horizontal, vertical, w // 8)
    return horizontal, vertical


def _touching(lines: Any, others: Any, long_enough: int) -> Any:
    """The runs of `lines` that meet a run of `others` (or are at least `long_enough` long)."""
    import numpy as np

    cv2 = _cv2()
    near = cv2.dilate(others, np.ones((9, 9), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    if count <= 1:
        return lines
    meets = np.zeros(count, bool)
    meets[np.unique(labels[(labels > 0) & (near > 0)])] = True
    if long_enough:
        meets |= np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= long_enough
    meets[0] = False
    return np.where(meets[labels], 255, 0).astype(np.uint8)


def _rotate(gray: Any, degrees: float) -> Any:
    cv2 = _cv2()
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _sharpness(bw_small: Any, degrees: float) -> float:
    import numpy as np

    rotated = _rotate(255 - bw_small, degrees)
    profile = (255 - rotated).sum(axis=1).astype(np.float64)
    return float(np.var(profile))


def skew_angle(gray: Any, limit: float = 4.0, bw: Any = None) -> float:
    """The rotation (degrees) that makes the page's rows sharpest: coarse steps, then fine ones
    (`bw`: the page's ink, when the caller has it already)."""
    cv2 = _cv2()
    bw = _binary(gray) if bw is None else bw
    scale = 800 / max(bw.shape)
    small = cv2.resize(bw, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else bw
    best = max((a / 2 for a in range(int(-limit * 2), int(limit * 2) + 1)), key=lambda a: _sharpness(small, a))
    return max((best + a / 10 for a in range(-5, 6)), key=lambda a: _sharpness(small, a))


def upright(gray: Any) -> Any:
    """The page turned so its text runs left to right in rows (a quarter turn when it runs in columns),
    its skew straightened. Upside down is settled later, by the engine's confidence."""
    import numpy as np

    cv2 = _cv2()
    bw = _binary(gray)
    horizontal, vertical = _rules(bw)
    text = cv2.bitwise_and(bw, cv2.bitwise_not(cv2.bitwise_or(horizontal, vertical)))
    rows, cols = np.var(text.sum(axis=1, dtype=np.float64)), np.var(text.sum(axis=0, dtype=np.float64))
    if cols > rows * 1.5:
        gray, bw = cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE), cv2.rotate(bw, cv2.ROTATE_90_CLOCKWISE)
    angle = skew_angle(gray, bw=bw)
    return _rotate(gray, angle) if abs(angle) >= 0.05 else gray


def _positions(profile: Any, minimum: float) -> list[int]:
    """Centres of the runs where a projection reaches `minimum` (one ruled line may be a few pixels thick)."""
    out: list[int] = []
    start = None
    for i, value in enumerate([*profile.tolist(), 0]):
        if value >= minimum and start is None:
            start = i
        elif value < minimum and start is not None:
            out.append((start + i - 1) // 2)
            start = None
    merged: list[int] = []
    for p in out:
        if merged and p - merged[-1] <= 6:
            merged[-1] = (merged[-1] + p) // 2
        else:
            merged.append(p)
    return merged


@dataclass
class Grid:
    x0: int
    y0: int
    x1: int
    y1: int
    xs: list[int]
    ys: list[int]
    anchor: dict[tuple[int, int], tuple[int, int]]  # grid cell → the first grid cell of its merged cell
    extent: dict[tuple[int, int], tuple[int, int]]  # first grid cell → (last row, last column) it spans


def _covered(mask: Any, horizontal: bool, at: int, start: int, end: int) -> bool:
    """Whether a ruled line runs along `at` between `start` and `end` (most of the way)."""
    if end - start < 4:
        return True
    band = mask[at - 3:at + 4, start:end] if horizontal else mask[start:end, at - 3:at + 4]
    hits = band.max(axis=0 if horizontal else 1)
    return float((hits > 0).mean()) >= 0.6


def tables(horizontal: Any, vertical: Any) -> list[Grid]:
    """Every ruled table on the page, as a grid of merged cells."""
    import numpy as np

    cv2 = _cv2()
    frame = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(frame)
    page_w = horizontal.shape[1]
    grids = []
    for x, y, w, h, _ in stats[1:count]:
        if w < page_w * 0.2 or h < 18:
            continue
        hsub, vsub = horizontal[y:y + h, x:x + w], vertical[y:y + h, x:x + w]
        ys = _positions((hsub > 0).sum(axis=1), max(20, w * 0.04))
        xs = _positions((vsub > 0).sum(axis=0), max(12, h * 0.02) if h < 200 else 20)
        if len(ys) < 2 or len(xs) < 2:
            continue
        anchor: dict[tuple[int, int], tuple[int, int]] = {}
        for i in range(len(ys) - 1):
            for j in range(len(xs) - 1):
                left = j > 0 and not _covered(vsub, False, xs[j], ys[i] + 3, ys[i + 1] - 3)
                up = i > 0 and not _covered(hsub, True, ys[i], xs[j] + 3, xs[j + 1] - 3)
                if left:
                    anchor[(i, j)] = anchor[(i, j - 1)]
                elif up:
                    anchor[(i, j)] = anchor[(i - 1, j)]
                else:
                    anchor[(i, j)] = (i, j)
        extent: dict[tuple[int, int], tuple[int, int]] = {}
        for (i, j), first in anchor.items():
            last = extent.get(first, first)
            extent[first] = (max(last[0], i), max(last[1], j))
        grids.append(Grid(int(x), int(y), int(x + w), int(y + h), [int(v) + int(x) for v in xs],
                          [int(v) + int(y) for v in ys], anchor, extent))
    return sorted(grids, key=lambda g: g.y0)


def _bands(ink: Any, min_height: int = 6) -> list[tuple[int, int]]:
    """The text lines in a block of ink: runs of rows with ink, separated by blank rows."""
    rows = (ink > 0).sum(axis=1)
    out, start = [], None
    for i, value in enumerate([*rows.tolist(), 0]):
        if value > 0 and start is None:
            start = i
        elif value == 0 and start is not None:
            if i - start >= min_height:
                out.append((start, i))
            start = None
    return out


def _segments(ink: Any, gap: int) -> list[tuple[int, int]]:
    """Horizontal stretches of one text line, split where the gap is wider than `gap` pixels."""
    cols = (ink > 0).sum(axis=0)
    out, start, blank = [], None, 0
    for i, value in enumerate([*cols.tolist(), *([0] * (gap + 1))]):
        if value > 0:
            if start is None:
                start = i
            blank = 0
        elif start is not None:
            blank += 1
            if blank > gap:
                out.append((start, i - blank + 1))
                start, blank = None, 0
    return out


@dataclass
class _Crop:
    key: tuple[Any, ...]  # ("cell", table, row, col) or ("text", top)
    order: int
    top: int
    left: int
    image: Any


def _without_specks(ink: Any, area: int = 3) -> Any:
    """Ink less the specks a scanner leaves (components of a few pixels); thin strokes such as ≥ stay."""
    import numpy as np

    cv2 = _cv2()
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(count, np.uint8)
    keep[1:] = (stats[1:, cv2.CC_STAT_AREA] > area).astype(np.uint8) * 255
    return keep[labels]


def _line_crops(gray: Any, ink: Any, x0: int, y0: int, x1: int, y1: int, key: tuple, split_gap: int | None) -> list:
    """One crop per text line (and per far-apart stretch of it, outside tables) of a region."""
    crops = []
    region = ink[y0:y1, x0:x1]
    if region.size == 0 or not region.any():
        return crops
    for n, (top, bottom) in enumerate(_bands(region)):
        line = region[top:bottom]
        height = bottom - top
        stretches = _segments(line, split_gap or max(2 * height, 20))
        # a stretch of a few dark pixels far from the text is scanner dust: a crop with it beside the
        # text makes the recogniser invent characters for the blank between
        kept = [(a, b) for a, b in stretches if int((line[:, a:b] > 0).sum()) > max(12, height // 2)]
        if not split_gap and kept:
            kept = [(kept[0][0], kept[-1][1])]  # one cell's line is one crop
        for left, right in kept:
            cols = (line[:, left:right] > 0).any(axis=0).nonzero()[0]
            if cols.size == 0:
                continue
            a, b = left + int(cols[0]), left + int(cols[-1]) + 1
            pad, side = max(4, int((bottom - top) * PAD[0])), max(4, int((bottom - top) * PAD[1]))
            ya, yb = max(y0, y0 + top - pad), min(y1, y0 + bottom + pad)
            xa, xb = max(x0, x0 + a - side), min(x1, x0 + b + side)
            crops.append(_Crop(key, n, y0 + top, x0 + a, gray[ya:yb, xa:xb]))
    return crops


def _cell_inset(grid: Grid, first: tuple[int, int]) -> tuple[int, int, int, int]:
    last = grid.extent[first]
    return (grid.xs[first[1]] + 4, grid.ys[first[0]] + 4, grid.xs[last[1] + 1] - 4, grid.ys[last[0] + 1] - 4)


def read_page(gray: Any, engine: Any = None) -> list[PageLine]:
    """The lines of one page image (grayscale, uint8), top to bottom."""
    import numpy as np

    cv2 = _cv2()
    gray = upright(gray)
    for turn in (False, True):
        bw = _binary(gray)
        horizontal, vertical = _rules(bw)
        rules = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
        ink = _without_specks(cv2.bitwise_and(bw, cv2.bitwise_not(rules)))
        clean = np.where(rules > 0, 255, gray).astype(np.uint8)  # the ruled lines erased: none of them in a crop
        grids = tables(horizontal, vertical)
        crops: list[_Crop] = []
        outside = ink.copy()
        for t, grid in enumerate(grids):
            outside[grid.y0:grid.y1, grid.x0:grid.x1] = 0
            for first in grid.extent:
                x0, y0, x1, y1 = _cell_inset(grid, first)
                crops.extend(_line_crops(clean, ink, x0, y0, x1, y1, ("cell", t, *first), None))
        char = int(np.median([c.image.shape[0] for c in crops])) if crops else 30
        crops.extend(_line_crops(clean, outside, 0, 0, gray.shape[1], gray.shape[0], ("text",), char * 3))
        if turn or not crops:
            break
        sample = sorted(crops, key=lambda c: -c.image.shape[1])[:8]
        straight = recognise([c.image for c in sample], engine)
        flipped = recognise([cv2.rotate(c.image, cv2.ROTATE_180) for c in sample], engine)
        if sum(s for _, s in flipped) <= sum(s for _, s in straight) + 0.5:
            break
        gray = cv2.rotate(gray, cv2.ROTATE_180)  # upside down: read again the right way up
    results = recognise([c.image for c in crops], engine)
    return _assemble(grids, crops, results)


def _assemble(grids: list[Grid], crops: list[_Crop], results: list[tuple[str, float]]) -> list[PageLine]:
    cells: dict[tuple, list[tuple[int, int, str, float]]] = {}
    lines: list[tuple[int, int, str, float]] = []
    for crop, (text, score) in zip(crops, results, strict=True):
        if crop.key[0] == "cell":
            cells.setdefault(crop.key, []).append((crop.top, crop.left, text, score))
        else:
            lines.append((crop.top, crop.left, text, score))
    out: list[PageLine] = []
    for t, grid in enumerate(grids):
        for i in range(len(grid.ys) - 1):
            row, low = [], False
            for j in range(len(grid.xs) - 1):
                if grid.anchor[(i, j)] != (i, j):
                    row.append("")
                    continue
                parts = sorted(cells.get(("cell", t, i, j), []))
                row.append("".join(p[2] for p in parts).strip())
                low = low or any(p[3] < LOW_CONFIDENCE for p in parts if p[2].strip())
            if any(row):
                out.append(PageLine("\t".join(row), grid.ys[i], low))
    grouped: dict[int, list[tuple[int, int, str, float]]] = {}
    for top, left, text, score in sorted(lines):
        key = next((k for k in grouped if abs(k - top) <= 8), top)
        grouped.setdefault(key, []).append((top, left, text, score))
    for top, parts in grouped.items():
        parts.sort(key=lambda p: p[1])
        # stretches of a line far apart (more than three characters of blank) are the cells of a table
        # printed without rules: tab-separated, as the extractor reads any other table
        text = "\t".join(p[2].strip() for p in parts if p[2].strip())
        if text:
            out.append(PageLine(text, top, any(p[3] < LOW_CONFIDENCE for p in parts)))
    return sorted(out, key=lambda line: line.top)


DPI = 200  # scans are read at 200 dpi (150–200 is what counties publish; more costs time, not accuracy)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})


def read_cached(gray: Any, engine: Any = None) -> list[PageLine]:
    """read_page, through the page cache (the same scan in another batch is not read again)."""
    from .ocr import cached, page_key, store

    key = page_key(gray)
    hit = cached(key)
    if hit is not None:
        return [PageLine(d["text"], d["top"], d["low"]) for d in hit]
    lines = read_page(gray, engine)
    store(key, [{"text": x.text, "top": x.top, "low": x.low_confidence} for x in lines])
    return lines


def render(page: Any) -> Any:
    """A PDF page (pypdfium2) as a grayscale image at DPI, smaller if that would pass MAX_PIXELS."""
    import numpy as np

    width, height = page.get_size()  # points
    scale = DPI / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / (width * height)) ** 0.5
    image = page.render(scale=scale, grayscale=True).to_numpy()
    return np.ascontiguousarray(image[:, :, 0] if image.ndim == 3 else image)


def image_file(path: Any) -> Any:
    """A photo or scan as a grayscale image; its declared size is checked before it is decoded."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    from ..errors import InputError

    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InputError(str(path), f"图片过大（{width}×{height} 像素，"
                                            f"上限 {MAX_PIXELS // 1_000_000} 百万像素）")
            image.draft("L", (width, height))
            return np.asarray(image.convert("L"))
    except Image.DecompressionBombError:
        raise InputError(str(path), f"图片过大（上限 {MAX_PIXELS // 1_000_000} 百万像素）") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(str(path), f"图片无法读取（{type(exc).__name__}）") from None


def place(page: int, line: PageLine) -> str:
    """Where a recognised line is, as findings print it: the page, and that its text came from OCR."""
    return f"第{page}页（文字识别，置信度低）" if line.low_confidence else f"第{page}页（文字识别）"


def read_image(path: Any) -> Any:
    """A photo or a scan of printed tables (.png, .jpg, .tif…), read by OCR as one page."""
    from ..errors import InputError
    from .base import Line, Source
    from .ocr import INSTALL_HINT, available
    from .text import clean_lines

    if not available():
        raise InputError(str(path), f"图片需要文字识别，{INSTALL_HINT}")
    page = read_cached(image_file(path))
    if not page:
        raise InputError(str(path), "图片中没有识别出文字（空白或太模糊），请提供更清晰的扫描件")
    where = [place(1, line) for line in page]
    lines = [Line(ln.number, ln.text, where[ln.number - 1] if ln.number <= len(where) else "第1页")
             for ln in clean_lines("\n".join(line.text for line in page))]
    return Source(str(path), "scan", tuple(lines))
