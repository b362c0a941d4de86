"""Numbers written as words ("Ten", "twenty-four", "one hundred") and their values."""

from __future__ import annotations

_UNITS_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS_WORDS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}


def words_to_number(text: str) -> float | None:
    """'twenty-four' -> 24, 'Ten' -> 10, 'one hundred' -> 100; None if not a number word."""
    """'twenty-four' -> 24, 'Ten' -> 10, 'one hundred' -> 100; None if not a number word."""
    t = text.lower().replace("-", " ").strip()
    if t in ("one hundred", "a hundred", "hundred"):
        return 100.0
    parts = t.split()
    total = 0
    for p in parts:
        if p in _TENS_WORDS:
            total += _TENS_WORDS[p]
        elif p in _UNITS_WORDS:
            total += _UNITS_WORDS[p]
        else:
            return None
    return float(total)
