"""Per-observation digest: a fingerprint of each stored field, made at load time and checked by `verify`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime

DIGEST_VERSION = "d1"
FIELDS = (
    "paper_id",
    "page",
    "value",
    "unit",
    "value_text",
    "period_start",
    "period_end",
    "period_kind",
    "role",
    "kpi",
    "page_start",
    "page_end",
    "sentence_start",
    "sentence_end",
)
"""The fields fingerprinted, in the order their fingerprints appear in the digest."""
PART_CHARS = 12


def _canonical(value: object) -> str:
    """One text form per stored value, the same whether it comes from the extractor or back from DuckDB."""
    if value is None:
        return "\x00null"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return repr(float(value))
    return str(value)


def _part(observation_id: str, field: str, value: object) -> str:
    text = f"{DIGEST_VERSION}\x1f{observation_id}\x1f{field}\x1f{_canonical(value)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:PART_CHARS]


def digest(observation_id: str, values: Mapping[str, object]) -> str:
    """``d1:`` and one 12-hex fingerprint per field of FIELDS, each keyed by the observation id and field name."""
    return f"{DIGEST_VERSION}:" + ".".join(_part(observation_id, f, values.get(f)) for f in FIELDS)


def mismatched_fields(observation_id: str, values: Mapping[str, object], stored: str | None) -> list[str]:
    """The fields whose stored value no longer matches the digest made at load time ([] when all match).

    A digest of another format or length gives ["digest"]: it cannot be read field by field.
    """
    if not stored or not stored.startswith(f"{DIGEST_VERSION}:"):
        return ["digest"]
    parts = stored[len(DIGEST_VERSION) + 1 :].split(".")
    if len(parts) != len(FIELDS):
        return ["digest"]
    return [f for f, part in zip(FIELDS, parts, strict=True) if _part(observation_id, f, values.get(f)) != part]
