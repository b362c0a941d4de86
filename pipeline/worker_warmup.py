"""Imported by the worker fork server: builds the spaCy pipeline once, so every worker forked from it has it."""

from extractors.nlp import build_nlp

build_nlp()
