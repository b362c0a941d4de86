"""Render the region of a PDF page around a figure, with the figure's box outlined (pdfplumber + pypdfium2)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pdfplumber

from models.records import BBox

logging.getLogger("pdfminer").setLevel(logging.ERROR)

CONTEXT_PT = 60.0
"""Points of page shown above and below the figure's box."""
WINDOW_PT = 420.0
"""Width of the region shown, centred on the box and moved to stay on the page (every crop has the same scale)."""
OUTLINE = (220, 20, 60)


def crop_region(
    bbox: BBox, width: float, height: float, context: float = CONTEXT_PT, window: float = WINDOW_PT
) -> BBox:
    """The page region to show: ``window`` points wide around the box, ``context`` points above and below it."""
    x0, top, x1, bottom = bbox
    span = min(float(width), max(window, x1 - x0 + 20))
    left = min(max(0.0, (x0 + x1) / 2 - span / 2), float(width) - span)
    return (left, max(0.0, top - context), left + span, min(float(height), bottom + context))


def render_page_crop(page: pdfplumber.page.Page, bbox: BBox, resolution: int = 110) -> bytes:
    """PNG bytes of the region around ``bbox`` on an open pdfplumber page, the box outlined in red."""
    region = crop_region(bbox, page.width, page.height)
    image = page.crop(region, strict=False).to_image(resolution=resolution)
    pad = 2.0
    box = (bbox[0] - pad, bbox[1] - pad, bbox[2] + pad, bbox[3] + pad)
    image.draw_rect(box, fill=(255, 230, 0, 50), stroke=OUTLINE, stroke_width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def render_figure(pdf_path: Path, page_number: int, bbox: BBox, resolution: int = 110) -> bytes:
    """PNG bytes of the region around a figure's box on page ``page_number`` (1-based) of a PDF file."""
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[page_number - 1]
        try:
            return render_page_crop(page, bbox, resolution)
        finally:
            page.close()
