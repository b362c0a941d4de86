"""Private-use bullet glyphs of Symbol/Wingdings fonts (U+F0B7 ...) as "•", one character for one."""

from __future__ import annotations

# PDFs set in Symbol or Wingdings give their bullets and ticks code points in Unicode's private-use area, which
# show as boxes. Each maps to exactly one character, so every offset into the page text (and every character
# box) stays valid: page text cut at stored offsets is still the stored value_text.
BULLET = "•"
PRIVATE_USE = {
    "\uf0b7": BULLET,  # Symbol bullet
    "\uf0a7": BULLET,  # Wingdings small square
    "\uf06c": BULLET,  # Wingdings black circle
    "\uf06e": BULLET,  # Wingdings black square
    "\uf0a8": BULLET,  # Wingdings white square
    "\uf076": BULLET,  # Wingdings diamond of four
    "\uf0d8": BULLET,  # Wingdings arrowhead
    "\uf0e8": BULLET,  # Wingdings arrow
    "\uf0fc": "✓",  # Wingdings tick
    "\uf0fb": "✗",  # Wingdings cross
}
_TABLE = str.maketrans(PRIVATE_USE)


def map_private_use(text: str) -> str:
    """``text`` with known private-use bullets and ticks replaced; the same length, character for character."""
    return text.translate(_TABLE)
