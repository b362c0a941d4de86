"""Default locations: the bundled sample papers and the warehouse file."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT_ROOT / "data" / "samples" / "pdf"
DEFAULT_DB = Path(os.environ.get("COUNCILKPI_DB", "data/warehouse.duckdb"))
