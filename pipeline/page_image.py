"""Render the region of a PDF page around a figure, with the figure's box outlined (pdfplumber + pypdfium2)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pdfplumber
from PIL import Image

from models.records import BBox

logging.getLogger("pdfminer").setLevel(logging.ERROR)

CONTEXT_PT = 60.0
"""Points of page shown above and below the figure's box (the report's table and `trace --png`)."""
PAGE_CONTEXT_PT = 240.0
"""Points above and below the box on a figure's own report page: a larger region, not the same crop scaled up."""
MIN_WIDTH_PT = 420.0
"""The narrowest region shown (centred on the box), so short lines still show their neighbourhood."""
MARGIN_PT = 6.0
OUTLINE = (220, 20, 60)


def crop_region(
    bbox: BBox,
    width: float,
    height: float,
    chars: list[dict] | None = None,
    context: float = CONTEXT_PT,
    min_width: float = MIN_WIDTH_PT,
) -> BBox:
    """The page region to show: ``context`` points above and below the box, widened to whole lines.

    Every character (pdfplumber's page.chars) that reaches into the band is shown in full, so no line of text
    is cut at the sides, top or bottom; the region is at least ``min_width`` points wide and on the page.
    """
    x0, top, x1, bottom = bbox
    lo, hi = top - context, bottom + context
    left, right = x0, x1
    chars = list(chars or ())
    for c in chars:
        if c["bottom"] > lo and c["top"] < hi:
            lo, hi = min(lo, c["top"]), max(hi, c["bottom"])
            left, right = min(left, c["x0"]), max(right, c["x1"])
    # the margin stops where the next line out begins, so no line shows cut in half
    top_edge = max([lo - MARGIN_PT] + [c["bottom"] for c in chars if c["bottom"] <= lo])
    bottom_edge = min([hi + MARGIN_PT] + [c["top"] for c in chars if c["top"] >= hi])
    left, right = left - MARGIN_PT, right + MARGIN_PT
    if right - left < min_width:
        middle = (x0 + x1) / 2
        left, right = middle - min_width / 2, middle + min_width / 2
    w, h = float(width), float(height)
    if left < 0:
        left, right = 0.0, min(w, right - left)
    if right > w:
        left, right = max(0.0, left - (right - w)), w
    return (left, max(0.0, top_edge), right, min(h, bottom_edge))


SNAP_PT = 8.0
"""How far an edge of the region may move to a blank row of pixels, so glyphs drawn outside their boxes
(descenders, fonts whose boxes sit high) are not cut in half."""


def _snap_edge(gray: Image.Image, y: int, reach: int, step: int) -> int:
    """The blank pixel row nearest ``y`` (searching ``reach`` rows, outwards first), else ``y``."""
    width = gray.width
    for d in range(reach + 1):
        for row in (y + step * d, y - step * d) if d else (y,):
            if 0 <= row < gray.height and gray.crop((0, row, width, row + 1)).getextrema()[0] >= 245:
                return row
    return y


def render_page_crop(
    page: pdfplumber.page.Page, bbox: BBox, resolution: int = 110, context: float = CONTEXT_PT
) -> bytes:
    """PNG bytes of the region around ``bbox`` (whole lines) on an open pdfplumber page, the box outlined in red."""
    x0, top, x1, bottom = crop_region(bbox, page.width, page.height, page.chars, context)
    outer = (x0, max(0.0, top - SNAP_PT), x1, min(float(page.height), bottom + SNAP_PT))
    image = page.crop(outer, strict=False).to_image(resolution=resolution)
    pad = 2.0
    box = (bbox[0] - pad, bbox[1] - pad, bbox[2] + pad, bbox[3] + pad)
    image.draw_rect(box, fill=(255, 230, 0, 50), stroke=OUTLINE, stroke_width=3)
    picture = image.annotated
    scale = picture.height / (outer[3] - outer[1])
    gray = picture.convert("L")
    reach = round(SNAP_PT * scale)
    y_top = _snap_edge(gray, round((top - outer[1]) * scale), reach, -1)
    y_bottom = _snap_edge(gray, round((bottom - outer[1]) * scale), reach, 1)
    out = io.BytesIO()
    picture.crop((0, y_top, picture.width, max(y_bottom, y_top + 1))).save(out, format="PNG")
    return out.getvalue()


def render_figure(
    pdf_path: Path, page_number: int, bbox: BBox, resolution: int = 110, context: float = CONTEXT_PT
) -> bytes:
    """PNG bytes of the region around a figure's box on page ``page_number`` (1-based) of a PDF file."""
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[page_number - 1]
        try:
            return render_page_crop(page, bbox, resolution, context)
        finally:
            page.close()
