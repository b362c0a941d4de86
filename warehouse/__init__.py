"""DuckDB schema, loading, views and connections; ``connect()`` opens the read-only analyst API."""

from __future__ import annotations

from typing import Any

__all__ = ["UnknownKpiError", "Warehouse", "WarehouseError", "connect"]


def __getattr__(name: str) -> Any:
    """``from warehouse import connect`` loads the analyst API (warehouse/api.py) only when asked for."""
    if name in ("UnknownKpiError", "Warehouse", "connect"):
        from warehouse import api

        return getattr(api, name)
    if name == "WarehouseError":
        from warehouse.db import WarehouseError

        return WarehouseError
    raise AttributeError(f"module 'warehouse' has no attribute {name!r}")
