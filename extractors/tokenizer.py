"""A lean spaCy tokenizer for page text: words, single punctuation marks and runs of white space.

The figure rules read characters, not tokens; tokens only carry sentence starts and KPI phrase matches, so
spaCy's full prefix/suffix/infix machinery (a quarter of the time spent on a page) is not needed.
``doc.text`` is always exactly the input text.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc
from spacy.vocab import Vocab

_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


class PageTokenizer:
    """Split text into word runs, single symbols and white space (one trailing space joins the token before)."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for match in _TOKEN.finditer(text):
            piece = match.group()
            if piece[0].isspace():
                if words and not spaces[-1] and piece[0] == " ":
                    spaces[-1] = True
                    piece = piece[1:]
                if not piece:
                    continue
            words.append(piece)
            spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)

    # spaCy serialises tokenizers with the pipeline; this one has no state to save
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> PageTokenizer:
        return self
