"""Load the versioned KPI taxonomy (models/kpi_taxonomy.toml): KPIs by service, their units, codes and synonyms."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TAXONOMY_PATH = Path(__file__).with_name("kpi_taxonomy.toml")
POLARITIES = ("higher", "lower", "neutral")
UNITS = (
    "percent",
    "count",
    "rate_per_10000",
    "rate_per_100000",
    "rate_per_1000",
    "gbp",
    "fte",
    "days",
    "weeks",
    "months",
    "score",
)


class TaxonomyError(ValueError):
    """The taxonomy file is malformed (unknown service, unit, polarity or counted noun, or a duplicate id)."""


@dataclass(frozen=True)
class Kpi:
    """One canonical KPI: what it measures, in which units, and the phrases that name it."""

    id: str
    label: str
    synonyms: tuple[str, ...]
    units: tuple[str, ...] = ()
    qualifier: bool = False
    """A population that qualifies other KPIs; chosen only when nothing more specific is named."""
    service: str | None = None
    polarity: str = "neutral"
    code: str | None = None
    standard: str | None = None
    counts: tuple[str, ...] = ()
    """Keys of the taxonomy's counted nouns a figure of this KPI may count (empty: it counts no noun)."""
    context: tuple[str, ...] = ()
    """Phrases (lower case) one of which a figure's sentence or row must hold before the KPI is chosen: for a KPI
    whose phrases also name a wider measure ("agency staff" of a whole council is no figure of agency social
    workers)."""
    not_after: tuple[str, ...] = ()
    """Words that, right before one of the KPI's phrases, make it another measure ("new EHC plans")."""
    scope: str = "any"
    """"council": a figure of the whole council (its net budget, its outturn); not chosen in a paper about one
    service (extractors/scope.py), whose budget figures are that service's."""
    not_in_clause: tuple[str, ...] = ()
    """Patterns (regular expressions, case-insensitive) that, in the figure's sentence, make it another measure:
    a council-wide finance KPI is not chosen for one service's budget ("the homelessness budget is forecast to
    overspend by £236k")."""
    populations: tuple[str, ...] = ()
    """Population KPIs (qualifiers such as children_looked_after) whose figures this KPI may take; every
    children's social care KPI takes its own populations."""

    def takes_population(self, population: str | None) -> bool:
        return population is None or self.service == "childrens_social_care" or population in self.populations

    @property
    def name(self) -> str:
        return self.label

    @property
    def unit(self) -> str | None:
        """The KPI's only unit, when it has one."""
        return self.units[0] if len(self.units) == 1 else None

    def takes_unit(self, unit: str) -> bool:
        return not self.units or unit in self.units


@dataclass(frozen=True, eq=False)
class Taxonomy:
    version: str
    kpis: tuple[Kpi, ...]
    services: dict[str, str]
    nouns: dict[str, tuple[str, ...]]
    """counted-noun group -> the words (singular and plural) that name it"""

    def get(self, kpi_id: str) -> Kpi | None:
        return self._by_id().get(kpi_id)

    def _by_id(self) -> dict[str, Kpi]:
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {k.id: k for k in self.kpis}
            object.__setattr__(self, "_index", cached)
        return cached


def _kpi(
    entry: dict, services: dict[str, str], nouns: dict[str, tuple[str, ...]], fragments: dict[str, str] | None = None
) -> Kpi:
    kpi_id = entry["id"]
    units = tuple(entry.get("units", [entry["unit"]] if "unit" in entry else []))
    if any(u not in UNITS for u in units):
        raise TaxonomyError(f"KPI {kpi_id}: unknown unit in {units}")
    service = entry.get("service")
    if services and service not in services:
        raise TaxonomyError(f"KPI {kpi_id}: unknown service {service!r}")
    polarity = entry.get("polarity", "neutral")
    if polarity not in POLARITIES:
        raise TaxonomyError(f"KPI {kpi_id}: polarity must be one of {POLARITIES}")
    counts = tuple(entry.get("counts", ()))
    if any(c not in nouns for c in counts):
        raise TaxonomyError(f"KPI {kpi_id}: unknown counted noun in {counts}")
    return Kpi(
        id=kpi_id,
        label=entry.get("name", entry.get("label", kpi_id)),
        synonyms=tuple(entry.get("synonyms", ())),
        units=units,
        qualifier=bool(entry.get("qualifier", False)),
        service=service,
        polarity=polarity,
        code=entry.get("code"),
        standard=entry.get("standard"),
        counts=counts,
        populations=tuple(entry.get("populations", ())),
        context=tuple(c.lower() for c in entry.get("context", ())),
        not_after=tuple(c.lower() for c in entry.get("not_after", ())),
        not_in_clause=tuple(_pattern(kpi_id, c, fragments or {}) for c in entry.get("not_in_clause", ())),
        scope=_scope(kpi_id, entry.get("scope", "any")),
    )


def _scope(kpi_id: str, scope: str) -> str:
    if scope not in ("any", "council"):
        raise TaxonomyError(f"KPI {kpi_id}: scope must be 'any' or 'council', not {scope!r}")
    return scope


def _pattern(kpi_id: str, text: str, fragments: dict[str, str]) -> str:
    """A not_in_clause pattern with its named fragments ("{service}") written out; it must compile."""
    for name, value in fragments.items():
        text = text.replace("{" + name + "}", value)
    try:
        re.compile(text)
    except re.error as exc:
        raise TaxonomyError(f"KPI {kpi_id}: bad not_in_clause pattern {text!r}: {exc}") from exc
    return text


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = TAXONOMY_PATH) -> Taxonomy:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    services = dict(data.get("services", {}))
    nouns = {k: tuple(v) for k, v in data.get("nouns", {}).items()}
    fragments = {str(k): str(v) for k, v in data.get("fragments", {}).items()}
    kpis = tuple(_kpi(entry, services, nouns, fragments) for entry in data.get("kpi", []))
    ids = [k.id for k in kpis]
    if len(ids) != len(set(ids)):
        raise TaxonomyError(f"{path}: duplicate KPI ids")
    return Taxonomy(version=str(data.get("version", "0")), kpis=kpis, services=services, nouns=nouns)
