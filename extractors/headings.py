"""A measure's heading names the figures of the keyed lines under it ("3.3 Households in temporary accommodation" /
"Position at 30 June 2025: 412 (target 380; 31 March 2025 398)"; "2.1 Repeat child protection plans" / "Latest
(Sep 2025) 26.4%" / "Target 20.0%" / "Previous 24.9% (Jun 2025)")."""

from __future__ import annotations

import re
from dataclasses import replace

from extractors.kpi_match import kpi_for_label
from extractors.nlp import Figure

# the key a measure's line starts with, before its figure: "Performance this quarter:", "Year to date:",
# "Position at 30 June 2025:", "Rolling 24 months to June 2025:", "Latest data (January to March 2025, …):"
_KEYED = re.compile(
    r"^\s*(?:performance|position|result|outturn|latest(?:\s+data)?|current|year\s+to\s+date|ytd|rolling|this|"
    r"provisional|validated|figure|value)\b[^:.;]{0,90}:\s",
    re.I,
)
# a line that is a key and its figure: "Latest (Sep 2025) 26.4%", "Target 20.0%", "Previous 24.9% (Jun 2025)"
_KEY_LINE = re.compile(
    r"^\s*(?P<key>latest|actual|current|target|trajectory|previous|last\s+(?:quarter|year|month)|"
    r"same\s+(?:period|quarter|month)\s+last\s+year|baseline|benchmark|england|national|regional|region|london|"
    r"statistical\s+neighbours?|comparator)\b(?:\s*\([^()]{0,40}\))?[ \t]*:?[ \t]*(?=[£\d])",
    re.I,
)
_KEY_ROLE = {
    "target": "target",
    "trajectory": "target",
    "previous": "baseline",
    "last": "baseline",
    "same": "baseline",
    "baseline": "baseline",
}
_META = re.compile(r"\s·\s|^\s*good\s+is\b|^\s*(?:why|recovery|what)\b", re.I)
_SECTION_NUMBER = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2}){0,2}\.?|[A-Z]\d{1,2}|\(?[a-z]\))\s+")


def heading_kpis(figures: list[Figure], text: str, bounds: list[tuple[int, int]]) -> list[Figure]:
    """Figures that name no KPI themselves take the KPI of the measure's heading, when it names one that takes their
    unit (extractors.kpi_match.kpi_for_label): those of a keyed sentence on the line under the heading, and the
    figure of a key line ("Previous 24.9% (Jun 2025)") under it, which also takes its key's role. A figure the
    line names nothing for takes the heading as its label even when it names no KPI."""
    starts = {a: b for a, b in bounds}
    out = []
    for fig in figures:
        if fig.kpi is not None or fig.role_rule.startswith(("scorecard.", "table.")):
            out.append(fig)
            continue
        s0 = fig.sentence_start
        s1 = starts.get(s0, fig.sentence_start)
        line = _KEY_LINE.match(text[s0:s1])
        if line is not None and s0 + line.end() == fig.start and not fig.label:
            heading = _heading_over_run(text, s0)
            if heading is not None and not _DATED.search(heading):
                word = line.group("key").split()[0].lower()
                role = _KEY_ROLE.get(word) or ("benchmark" if word not in ("latest", "actual", "current") else fig.role)
                rule = fig.role_rule if role == fig.role else f"role.key_line.{word}"
                choice = kpi_for_label(heading, fig.unit, role)
                fig = replace(fig, role=role, role_rule=rule, label=heading, kpi=choice.kpi)
            out.append(fig)
            continue
        key = _KEYED.match(text[s0:s1])
        heading = _heading_above(text, s0) if key else None
        if heading is None:
            out.append(fig)
            continue
        choice = kpi_for_label(heading, fig.unit, fig.role)
        if choice.kpi is None:
            # no KPI: the heading still names the measure when the line names none ("Year to date: 241")
            named = fig.label is None and _names_only(text, s0, heading)
            out.append(replace(fig, label=heading) if named else fig)
            continue
        out.append(replace(fig, kpi=choice.kpi, label=fig.label or heading))
    return out


def _names_only(text: str, start: int, heading: str) -> bool:
    """Is the heading right above the line (no blank line between) and only a name, no date ("Cabinet 3 March
    2026" is the paper's front matter)?"""
    return not re.search(r"\n[ \t]*\n[ \t]*$", text[:start]) and not _DATED.search(heading)


# a heading with a year in it is a paper's or a section's date line, not a measure's name
_DATED = re.compile(r"\b(?:19|20)\d\d\b")


def _heading_over_run(text: str, start: int) -> str | None:
    """The heading over a run of key lines: up the lines above ``start``, past the run's other key lines and a
    line of notes about the measure ("Children's Services · Good is lower · Rolling 12 months")."""
    if not _at_line_start(text, start):
        return None
    lines = text[:start].rstrip("\n").split("\n")
    for line in reversed(lines[-6:]):
        if _KEY_LINE.match(line) or _META.search(line):
            continue
        return _heading_above(line + "\n", len(line) + 1)
    return None


def _heading_above(text: str, start: int) -> str | None:
    """The line just above ``start`` when ``start`` begins a line and that line reads as a heading: short, no
    sentence end, its section number ("3.3") dropped."""
    if not _at_line_start(text, start):
        return None
    lines = text[:start].rstrip(" \t").rstrip("\n").rsplit("\n", 1)
    line = lines[-1].strip() if lines else ""
    if not line or len(line) > 110 or line.endswith((".", ":", ";", ",")) or re.search(r"\d[\d,.]*\s*%", line):
        return None
    name = _SECTION_NUMBER.sub("", line).strip()
    return name if re.search(r"[A-Za-z]{3,}", name) else None


def _at_line_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t")
    return not before or before.endswith("\n")
