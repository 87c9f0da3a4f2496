"""Scanned disclosures made by the tests themselves: a sample's tables printed to PDF by LibreOffice
(from the printed workbook layout), rasterised, optionally turned a little and speckled with noise,
and wrapped as a PDF that holds nothing but those images."""

from __future__ import annotations

import json
from pathlib import Path

from builders import printed_workbook
from conftest import GOLD
from office import convert


def printed_pdf(stem: str, folder: Path) -> Path:
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    printed_workbook(gold, folder / f"{stem}.xlsx")
    return convert(folder / f"{stem}.xlsx", folder)


def page_images(pdf: Path, dpi: int, angle: float = 0.0, noise: float = 0.0, seed: int = 7) -> list:
    """Every page as a grayscale PIL image: rendered, turned by `angle` degrees, with Gaussian noise of
    `noise` grey levels and a few specks, as a flatbed scanner leaves them."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = np.random.default_rng(seed)
    pages = []
    pdf_doc = pdfium.PdfDocument(str(pdf))
    for page in pdf_doc:
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        if angle:
            image = image.rotate(angle, resample=Image.BILINEAR, expand=True, fillcolor=255)
        if noise:
            pixels = np.asarray(image, dtype=np.float32)
            pixels = pixels + rng.normal(0, noise, pixels.shape)
            specks = rng.random(pixels.shape) < 0.0005
            pixels[specks] = 0
            image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        pages.append(image)
    pdf_doc.close()
    return pages


def image_pdf(images: list, path: Path, dpi: int) -> Path:
    """A PDF holding only these page images (no text layer), as a scanner writes it."""
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return path


def scanned_pdf(stem: str, folder: Path, dpi: int, angle: float = 0.0, noise: float = 0.0) -> Path:
    return image_pdf(page_images(printed_pdf(stem, folder), dpi, angle, noise), folder / f"{stem}_scan.pdf", dpi)
