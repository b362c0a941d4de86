"""Load the versioned KPI taxonomy (models/kpi_taxonomy.toml): KPI ids, labels and synonyms."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TAXONOMY_PATH = Path(__file__).with_name("kpi_taxonomy.toml")


@dataclass(frozen=True)
class Kpi:
    """One canonical KPI and the phrases that name it."""

    id: str
    label: str
    synonyms: tuple[str, ...]
    unit: str | None = None
    qualifier: bool = False
    """A population that qualifies other KPIs; chosen only when nothing more specific is named."""


@dataclass(frozen=True)
class Taxonomy:
    version: str
    kpis: tuple[Kpi, ...]

    def get(self, kpi_id: str) -> Kpi | None:
        return next((k for k in self.kpis if k.id == kpi_id), None)


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = TAXONOMY_PATH) -> Taxonomy:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    kpis = tuple(
        Kpi(
            id=entry["id"],
            label=entry.get("label", entry["id"]),
            synonyms=tuple(entry.get("synonyms", ())),
            unit=entry.get("unit"),
            qualifier=bool(entry.get("qualifier", False)),
        )
        for entry in data.get("kpi", [])
    )
    return Taxonomy(version=str(data.get("version", "0")), kpis=kpis)
