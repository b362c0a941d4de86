"""DuckDB schema, loading, views and connections."""
