"""Scanned copies of text PDFs for the OCR tests and bench: pages rendered to images, rotated, noised, re-wrapped."""

from __future__ import annotations

import io
import math

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from models.records import BBox


def pdf_pages(data: bytes, pages: list[int]) -> bytes:
    """A new PDF of the given pages (0-based) of a PDF."""
    src = pdfium.PdfDocument(data)
    dst = pdfium.PdfDocument.new()
    dst.import_pages(src, pages)
    out = io.BytesIO()
    dst.save(out)
    return out.getvalue()


def scan_pdf(data: bytes, dpi: int = 200, angle: float = 0.0, noise: float = 0.0, seed: int = 0) -> bytes:
    """An image-only PDF of the same page size: each page rendered in grey at ``dpi``, turned ``angle`` degrees
    anticlockwise about its centre, with Gaussian noise of ``noise`` grey levels and black specks when noise > 0."""
    pdf = pdfium.PdfDocument(data)
    rng = np.random.default_rng(seed)
    images = []
    for index in range(len(pdf)):
        image = pdf[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        if angle:
            image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
        if noise:
            pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, noise, (image.height, image.width))
            pixels[rng.random(pixels.shape) < 0.001] = 0
            image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def rotated_box(box: BBox, angle: float, width: float, height: float) -> BBox:
    """Where a box of an upright page lies once the page is turned ``angle`` degrees as ``scan_pdf`` turns it
    (the box around the turned corners; y grows downwards, so anticlockwise on screen)."""
    cx, cy = width / 2, height / 2
    a = math.radians(angle)
    xs, ys = [], []
    for x, y in ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])):
        dx, dy = x - cx, y - cy
        xs.append(cx + dx * math.cos(a) + dy * math.sin(a))
        ys.append(cy - dx * math.sin(a) + dy * math.cos(a))
    return (min(xs), min(ys), max(xs), max(ys))
