"""Compare the Tesseract bindings on scanned sample pages: seconds per page and word boxes against the text layer.

Run: .venv/bin/python bench/ocr_engines.py [--dpi 300] (pytesseract is measured only if it is installed).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "data" / "samples" / "pdf" / "002_517cf2e6927b2c1f.pdf"
PAGES = [3, 4, 5, 6]


def true_words(data: bytes) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [[(w["text"], (w["x0"], w["top"], w["x1"], w["bottom"])) for w in p.extract_words()] for p in pdf.pages]


def iou(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (pytesseract's tesseract processes)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def tesserocr_words(image):
    from extractors.ocr import read_words

    return [(w.text, w.box) for w in read_words(image)]


def pytesseract_words(image):
    import pytesseract

    d = pytesseract.image_to_data(image, lang="eng", config="--psm 3", output_type=pytesseract.Output.DICT)
    return [
        (t.strip(), (d["left"][i], d["top"][i], d["left"][i] + d["width"][i], d["top"][i] + d["height"][i]))
        for i, t in enumerate(d["text"])
        if t.strip()
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dpi", type=int, default=300)
    args = parser.parse_args()
    import pypdfium2 as pdfium

    from tests.scans import pdf_pages, scan_pdf

    text_pdf = pdf_pages(SAMPLE.read_bytes(), PAGES)
    truth = true_words(text_pdf)
    scanned = pdfium.PdfDocument(scan_pdf(text_pdf, dpi=200, angle=0.5, noise=15))
    images = [scanned[i].render(scale=args.dpi / 72, grayscale=True).to_pil() for i in range(len(scanned))]
    engines = {"tesserocr": tesserocr_words}
    try:
        import pytesseract  # noqa: F401

        engines["pytesseract"] = pytesseract_words
    except ImportError:
        print("pytesseract is not installed: measuring tesserocr only", file=sys.stderr)
    engines["tesserocr"](images[0])  # load the model once, outside the timing
    scale = 72 / args.dpi
    for name, read in engines.items():
        started, cpu = time.perf_counter(), _cpu()
        found = [read(image) for image in images]
        seconds = (time.perf_counter() - started) / len(images)
        cpu_seconds = (_cpu() - cpu) / len(images)
        matched = total = 0
        ious: list[float] = []
        for words, ocr in zip(truth, found, strict=True):
            boxes = [(t, tuple(v * scale for v in b)) for t, b in ocr]
            for text, box in words:
                total += 1
                best = max((iou(box, b) for t, b in boxes if t == text), default=0.0)
                if best > 0:
                    matched += 1
                    ious.append(best)
        mean_iou = sum(ious) / len(ious) if ious else 0.0
        print(
            f"{name:12} {seconds:5.2f} s/page ({cpu_seconds:.2f} s CPU)  words read right and overlapping: {matched}/{total} "
            f"({matched / total:.1%})  mean IoU of those: {mean_iou:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
