"""Typed records passed between stages, and the KPI taxonomy."""
